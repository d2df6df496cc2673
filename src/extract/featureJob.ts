/**
 * The work of one utterance before the model: read (file or pipe), decode, bring it to the model's
 * rate and channels, the model's front end (log-mel for S3; none: the samples). Runs inside the feature workers; kept free of worker plumbing so it is testable.
 */
import { loadAudio, loadAudioBytes } from "../audio/loadAudio.js";
import { runPipeCommand } from "../audio/pipe.js";
import { secondsOf, type AudioFormat } from "../audio/format.js";
import { runFrontEnd, type ModelInput } from "../family/frontEnd.js";
import type { FrontEndSpec } from "../family/types.js";

export interface FeatureRequest {
  id: number;
  key: string;
  path: string;
  isPipe: boolean;
  /** The model's rate and channels (plain data: it crosses to the worker). */
  format: AudioFormat;
  /** The model's front end; absent: the model takes the samples. */
  frontEnd?: FrontEndSpec;
}

export type FeatureResult =
  | { id: number; ok: true; input: ModelInput; seconds: number }
  | { id: number; ok: false; error: string; errorName: string };

async function samplesOf(request: FeatureRequest): Promise<Float32Array> {
  if (!request.isPipe) return loadAudio(request.path, request.format);
  return loadAudioBytes(await runPipeCommand(request.path), request.path, request.format);
}

export async function computeFeatures(request: FeatureRequest): Promise<FeatureResult> {
  try {
    const samples = await samplesOf(request);
    const input = runFrontEnd(samples, request.frontEnd, request.path);
    return { id: request.id, ok: true, input, seconds: secondsOf(samples, request.format) };
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    return { id: request.id, ok: false, error: err.message, errorName: err.name };
  }
}
