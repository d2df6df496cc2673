/**
 * Variants (b1) and (b2): the CosyVoice way. The released-layout batch-1 file run by
 * onnxruntime one utterance at a time, the front end (decode + log-mel) done per file on the
 * main thread before each run, nothing overlapped, as CosyVoice's extraction script does.
 */
import { loadAudio } from "../src/audio/loadAudio.js";
import { logMelSpectrogram } from "../src/features/logMel.js";
import type { ReleasedModelRunner } from "../src/models/s3/releasedRunner.js";
import type { Utterance } from "./workload.js";

export async function releasedOnce(
  runner: ReleasedModelRunner,
  utterances: readonly Utterance[],
  nMels: number,
  tokenRate: number,
): Promise<{ seconds: number; tokens: Map<string, number[]> }> {
  const tokens = new Map<string, number[]>();
  const start = performance.now();
  for (const u of utterances) {
    const mel = logMelSpectrogram(await loadAudio(u.path), nMels, { source: u.path });
    tokens.set(u.key, Array.from(await runner.tokens(mel, tokenRate)));
  }
  return { seconds: (performance.now() - start) / 1000, tokens };
}
