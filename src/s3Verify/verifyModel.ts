/**
 * `verify`: the released file run one utterance at a time (the reference) against this
 * project's batched path, over the utterances of a wav.scp. Utterances that cannot be read are
 * reported and left out; they do not stop the comparison.
 */
import { loadAudio } from "../audio/loadAudio.js";
import { resolveModel } from "../hub/resolve.js";
import type { ScpEntry } from "../audio/wavScp.js";
import { logMelSpectrogram, type MelSpectrogram } from "../features/logMel.js";
import { ReleasedModelRunner } from "../models/s3/releasedRunner.js";
import type { RuntimeOptions } from "../runtime/session.js";
import { S3Tokenizer, type TokenizerOptions } from "../s3Tokenizer.js";
import { compareTokens, summarize, type TokenComparison } from "./missRate.js";

export interface UtteranceVerdict extends TokenComparison {
  key: string;
}

export interface VerifyReport {
  model: string;
  utterances: UtteranceVerdict[];
  skipped: { key: string; reason: string }[];
  total: ReturnType<typeof summarize>;
}

export async function verifyModel(
  model: string,
  entries: readonly ScpEntry[],
  options: TokenizerOptions & RuntimeOptions = {},
): Promise<VerifyReport> {
  const skipped: VerifyReport["skipped"] = [];
  // A model name is resolved (downloaded if needed) once; both sides then use the same file.
  const modelPath = await resolveModel(model, options);
  const tokenizer = await S3Tokenizer.load(modelPath, options);
  const released = await ReleasedModelRunner.open(modelPath, options);
  try {
    const readable: { key: string; mel: MelSpectrogram }[] = [];
    for (const entry of entries) {
      try {
        if (entry.isPipe) throw new Error("pipe entries are not read by verify");
        const samples = await loadAudio(entry.path, tokenizer);
        readable.push({ key: entry.key, mel: logMelSpectrogram(samples, tokenizer.info.dims.nMels, { source: entry.path }) });
      } catch (error) {
        skipped.push({ key: entry.key, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    const batched = await tokenizer.quantizeMels(readable.map((r) => r.mel));
    const utterances: UtteranceVerdict[] = [];
    for (const [i, { key, mel }] of readable.entries()) {
      const reference = await released.tokens(mel, tokenizer.tokenRate, tokenizer.longAudioCompat);
      utterances.push({ key, ...compareTokens(reference, batched[i]!) });
    }
    return { model: modelPath, utterances, skipped, total: summarize(utterances) };
  } finally {
    await released.dispose();
    await tokenizer.dispose();
  }
}

/** Human-readable report lines. */
export function formatVerifyReport(report: VerifyReport): string {
  const lines = [`model: ${report.model}`, "key\tref_len\tours_len\tmisses\tmiss_rate"];
  for (const u of report.utterances) {
    const rate = u.compared === 0 ? 0 : (100 * u.misses) / u.compared;
    const flag = u.referenceLength !== u.candidateLength ? "\tLENGTH MISMATCH" : "";
    lines.push(`${u.key}\t${u.referenceLength}\t${u.candidateLength}\t${u.misses}\t${rate.toFixed(3)}%${flag}`);
  }
  for (const s of report.skipped) lines.push(`${s.key}\tskipped: ${s.reason}`);
  const t = report.total;
  lines.push(
    `overall: ${report.utterances.length} utterances, ${t.compared} tokens, ${t.misses} differ, ` +
      `miss rate ${(100 * t.missRate).toFixed(4)}%, length mismatches ${t.lengthMismatches}, skipped ${report.skipped.length}`,
  );
  return lines.join("\n");
}
