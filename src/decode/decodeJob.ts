/**
 * The decode job: codes files -> one WAV per key (`DIR/KEY.wav`), this rank's share of the lines,
 * resumable (a key whose WAV exists is skipped; a WAV appears only complete, by rename), with
 * every line that cannot be decoded recorded in `DIR/decode_errors_R_of_W` while the rest are
 * written. One process per rank and folder: a second is refused (the errors file is locked).
 * Nothing is written through or over a symlink or a device; a full disk stops the job with
 * OutputWriteError, the WAVs already written intact.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { countS16Clipped, encodeWav, type WavSampleFormat } from "../audio/wavWrite.js";
import { InvalidInputError, OutputError } from "../errors.js";
import { JsonLinesAppender } from "../extract/partFile.js";
import { lockPart } from "../extract/partLock.js";
import type { Placement } from "../extract/rank.js";
import type { Codes, DecodeOptions, TokenizerModel } from "../family/types.js";
import { refuseNonRegular, writeOutputFileSync } from "../hub/atomicWrite.js";
import { checkCodesFile, codesProblem, keyFileProblem, readCodeLines } from "./codesFile.js";
import { checkCodesModel } from "./codesModel.js";

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
  /**
   * Decode codes whose provenance record names another model (default: refused with
   * CodesModelMismatchError before any output). Rows and code range are checked either way.
   */
  allowModelMismatch?: boolean;
  /** Longest code line read (default DEFAULT_MAX_LINE_BYTES); a longer one is a failed line. */
  maxLineBytes?: number;
  /** Where warnings go (16-bit clipping, an allowed model mismatch); default: nowhere. */
  warn?: (message: string) => void;
  /** The hub cache keeping the model files' digests (default: the hub's). */
  cacheDir?: string;
}

export interface DecodeCounts {
  done: number;
  failed: number;
  skipped: number;
  total: number;
  /** Keys written as 16-bit PCM with samples past full scale (clipped). */
  clipped: number;
}

/** Keys whose clipping is reported one by one; later ones are only counted. */
const CLIP_WARNINGS = 10;

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
export async function decodeCodesFiles(model: TokenizerModel, files: readonly string[], options: DecodeJobOptions): Promise<DecodeCounts> {
  if (!model.decode) throw new InvalidInputError(`${model.source} (${model.family}) has no decoder to audio`);
  const firstCodebook = options.firstCodebook ?? 0;
  // Everything that can be wrong before decoding is found before any output.
  for (const file of files) checkCodesFile(file);
  await checkCodesModel(model, files, options.allowModelMismatch === true, options.warn ?? (() => undefined), options.cacheDir);
  mkdirSync(options.outputDir, { recursive: true });
  const errorsPath = decodeErrorsPath(options.outputDir, options.placement);
  // Two decodes of one rank into one folder would write every WAV twice: the second is refused.
  const release = await lockPart(errorsPath);
  try {
    return await decodeLocked(model, files, { ...options, firstCodebook }, errorsPath);
  } finally {
    await release();
  }
}

async function decodeLocked(
  model: TokenizerModel,
  files: readonly string[],
  options: DecodeJobOptions & { firstCodebook: number },
  errorsPath: string,
): Promise<DecodeCounts> {
  const { firstCodebook } = options;
  const errors = new JsonLinesAppender(errorsPath, true);
  const counts: DecodeCounts = { done: 0, failed: 0, skipped: 0, total: 0, clipped: 0 };
  const seen = new Map<string, string>(); // key -> "file:line" of its first occurrence
  let batch: Pending[] = [];
  const fail = (record: { key?: string; file: string; line: number; error: string }) => {
    counts.failed++;
    errors.append([record]);
  };
  try {
    let index = 0;
    for (const file of files) {
      for await (const line of readCodeLines(file, { range: model, maxLineBytes: options.maxLineBytes })) {
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
        const wav = wavPath(options.outputDir, key);
        try {
          refuseNonRegular(wav); // a link under the WAV's name is neither trusted as done nor replaced
        } catch (error) {
          if (!(error instanceof OutputError)) throw error;
          fail({ key, file, line: line.line, error: error.message });
          continue;
        }
        if (!options.overwrite && existsSync(wav)) {
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
  model: TokenizerModel,
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
    const samples = options.postprocess ? options.postprocess(audio[i]!) : audio[i]!;
    if (options.sampleFormat === "s16") warnIfClipped(samples, pending, options, counts);
    try {
      // Written aside and renamed: a WAV under its final name is always complete, so resuming can trust it.
      writeOutputFileSync(path, encodeWav(samples, model.sampleRate, options.sampleFormat, model.channels), `${path}.partial`);
    } catch (error) {
      // A link or device under this key's names costs only this key; a full disk stops the job.
      if (!(error instanceof OutputError)) throw error;
      fail({ key: pending.key, file: pending.file, line: pending.line, error: error.message });
      return;
    }
    counts.done++;
  });
}

/** 16-bit PCM cuts samples past full scale: said per key (the first few), and counted. */
function warnIfClipped(samples: Float32Array, pending: Pending, options: DecodeJobOptions, counts: DecodeCounts): void {
  const clipped = countS16Clipped(samples);
  if (clipped === 0) return;
  counts.clipped++;
  if (counts.clipped > CLIP_WARNINGS) return;
  options.warn?.(
    `warning: ${pending.key} (${pending.file}:${pending.line}): ${clipped} of ${samples.length} samples are past full scale and clip ` +
      "in the 16-bit WAV; pass --rescale (0.99 peak) or --sample_format f32 to keep them" +
      (counts.clipped === CLIP_WARNINGS ? " (further clipped keys are counted, not listed)" : ""),
  );
}
