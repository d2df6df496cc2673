/**
 * The work of one utterance before the model: read (file or pipe), decode, resample to 16 kHz,
 * log-mel. Runs inside the feature workers; kept free of worker plumbing so it is testable.
 */
import { loadAudio, loadAudioBytes } from "../audio/loadAudio.js";
import { runPipeCommand } from "../audio/pipe.js";
import { logMelSpectrogram, type MelSpectrogram } from "../features/logMel.js";
import { SAMPLE_RATE } from "../features/constants.js";

export interface FeatureRequest {
  id: number;
  key: string;
  path: string;
  isPipe: boolean;
  nMels: number;
}

export type FeatureResult =
  | { id: number; ok: true; mel: MelSpectrogram; seconds: number }
  | { id: number; ok: false; error: string; errorName: string };

async function samplesOf(request: FeatureRequest): Promise<Float32Array> {
  if (!request.isPipe) return loadAudio(request.path);
  return loadAudioBytes(await runPipeCommand(request.path), request.path);
}

export async function computeFeatures(request: FeatureRequest): Promise<FeatureResult> {
  try {
    const samples = await samplesOf(request);
    const mel = logMelSpectrogram(samples, request.nMels, { source: request.path });
    return { id: request.id, ok: true, mel, seconds: samples.length / SAMPLE_RATE };
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    return { id: request.id, ok: false, error: err.message, errorName: err.name };
  }
}
