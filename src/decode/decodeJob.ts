/**
 * The decode job: codes files -> one WAV per key (`DIR/KEY.wav`), this rank's share of the lines,
 * resumable (a key whose WAV exists is skipped; a WAV appears only complete, by rename), with
 * every line that cannot be decoded recorded in `DIR/decode_errors_R_of_W` while the rest are
 * written.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeWav, type WavSampleFormat } from "../audio/wavWrite.js";
import { InvalidInputError } from "../errors.js";
import { JsonLinesAppender } from "../extract/partFile.js";
import type { Placement } from "../extract/rank.js";
import type { Codes, DecodeOptions, SpeechTokenizerModel } from "../family/types.js";
import { codesProblem, keyFileProblem, readCodeLines } from "./codesFile.js";

export interface DecodeJobOptions {
  outputDir: string;
  placement: Placement;
  sampleFormat: WavSampleFormat;
  /** Quantizer layer of each line's row 0 (upstream's `st`; default 0). */
  firstCodebook?: number;
  /** Utterances per decode call. */
  batchSize: number;
  /** Decode every key again, replacing WAVs already written. */
  overwrite: boolean;
  /** The family's decode options (e.g. FunCodec's { useScale: false }), passed to every decode call. */
  decodeOptions?: DecodeOptions;
  /** Applied to each waveform before it is written (e.g. --rescale's peak normalisation). */
  postprocess?: (audio: Float32Array) => Float32Array;
}

export interface DecodeCounts {
  done: number;
  failed: number;
  skipped: number;
  total: number;
}

interface Pending {
  key: string;
  codes: Codes;
  /** Where the line is, for the errors file. */
  file: string;
  line: number;
}

export function decodeErrorsPath(outputDir: string, placement: Placement): string {
  return join(outputDir, `decode_errors_${placement.rank + 1}_of_${placement.worldSize}`);
}

/** Decodes this rank's share of the lines of `files` into `options.outputDir`. */
export async function decodeCodesFiles(model: SpeechTokenizerModel, files: readonly string[], options: DecodeJobOptions): Promise<DecodeCounts> {
  if (!model.decode) throw new InvalidInputError(`${model.source} (${model.family}) has no decoder to audio`);
  const firstCodebook = options.firstCodebook ?? 0;
  mkdirSync(options.outputDir, { recursive: true });
  const errors = new JsonLinesAppender(decodeErrorsPath(options.outputDir, options.placement), true);
  const counts: DecodeCounts = { done: 0, failed: 0, skipped: 0, total: 0 };
  const seen = new Map<string, string>(); // key -> "file:line" of its first occurrence
  let batch: Pending[] = [];
  const fail = (record: { key?: string; file: string; line: number; error: string }) => {
    counts.failed++;
    errors.append([record]);
  };
  try {
    let index = 0;
    for (const file of files) {
      for await (const line of readCodeLines(file)) {
        if (index++ % options.placement.worldSize !== options.placement.rank) continue;
        counts.total++;
        if (!line.ok) {
          fail(line);
          continue;
        }
        const { key, codes } = line;
        const problem = keyFileProblem(key) ?? codesProblem(codes, model, firstCodebook);
        const first = seen.get(key);
        if (problem !== null || first !== undefined) {
          fail({ key: key.slice(0, 200), file, line: line.line, error: problem ?? `duplicate key, first at ${first}` });
          continue;
        }
        seen.set(key, `${file}:${line.line}`);
        if (!options.overwrite && existsSync(wavPath(options.outputDir, key))) {
          counts.skipped++;
          continue;
        }
        batch.push({ key, codes: { ...codes, firstCodebook }, file, line: line.line });
        if (batch.length >= options.batchSize) {
          await decodeBatch(model, batch, options, counts, fail);
          batch = [];
        }
      }
    }
    if (batch.length > 0) await decodeBatch(model, batch, options, counts, fail);
  } finally {
    errors.close();
  }
  return counts;
}

function wavPath(outputDir: string, key: string): string {
  return join(outputDir, `${key}.wav`);
}

/** Decodes a batch; when the batch fails as a whole, each key alone, so one bad key costs only itself. */
async function decodeBatch(
  model: SpeechTokenizerModel,
  batch: readonly Pending[],
  options: DecodeJobOptions,
  counts: DecodeCounts,
  fail: (record: { key: string; file: string; line: number; error: string }) => void,
): Promise<void> {
  let audio: Float32Array[];
  try {
    audio = await model.decode!(batch.map((p) => p.codes), options.decodeOptions);
  } catch (error) {
    if (batch.length === 1) {
      const { key, file, line } = batch[0]!;
      fail({ key, file, line, error: error instanceof Error ? error.message : String(error) });
      return;
    }
    for (const one of batch) await decodeBatch(model, [one], options, counts, fail);
    return;
  }
  batch.forEach((pending, i) => {
    const path = wavPath(options.outputDir, pending.key);
    // Written aside and renamed: a WAV under its final name is always complete, so resuming can trust it.
    const samples = options.postprocess ? options.postprocess(audio[i]!) : audio[i]!;
    writeFileSync(`${path}.partial`, encodeWav(samples, model.sampleRate, options.sampleFormat));
    renameSync(`${path}.partial`, path);
    counts.done++;
  });
}
