/**
 * Code lines as the extraction writes them (`{"key": ..., "code": [...]}` for one-row families,
 * `{"key": ..., "code": [[row 0], ..., [row n-1]]}` for residual ones, with an optional "scale",
 * or FunCodec's codecs.txt lines `key [[[row 0], ...]]`),
 * read back for decoding. Every problem with a line becomes a reason naming the key (or the line
 * number where no key can be read), so a decode job records it and goes on with the rest.
 * Every value is checked to be an integer in [0, codebook size) before any typed array holds it
 * (an Int32Array would wrap 2**32 + 5 to 5), and messages describe values without serialising
 * them (a line's "code" may nest a million lists deep).
 */
import { accessSync, constants, statSync } from "node:fs";
import { InvalidInputError, UsageError } from "../errors.js";
import { isCodecsLine } from "../parts/partFormat.js";
import type { CodeSegment, Codes, FamilyFacts } from "../family/types.js";
import { parseCodecsLine } from "../parts/codecsText.js";
import { readBoundedLines, type BoundedLine } from "./boundedLines.js";
import { describeJsonValue } from "../parts/describeValue.js";

/** One line of a codes file: its codes, or why it cannot be decoded. */
export type CodeLine =
  | { ok: true; file: string; line: number; key: string; codes: Codes }
  | { ok: false; file: string; line: number; key?: string; error: string };

/** Longest key that is written into an error line (a key is also a file name). */
const MAX_KEY_CHARS = 200;

function shortKey(key: string): string {
  return key.length <= MAX_KEY_CHARS ? key : `${key.slice(0, MAX_KEY_CHARS)}... (${key.length} characters)`;
}

/** The range codes are checked against before they are stored: values 0 .. codebookSize - 1. */
export type CodeRange = Pick<FamilyFacts, "codebookSize">;

/** Without a model, what an Int32Array holds without wrapping (the model's range is checked later). */
const INT32_RANGE: CodeRange = { codebookSize: 2 ** 31 };

/**
 * Longest line read from a codes file (64 MiB: an hour of 32-row codes at 75 frames a second is
 * about 45 MB); a longer line is recorded as failed without being held in memory.
 */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

/** The one message for a code outside the codebook, whether found as read or against a model later. */
function outsideCodebook(value: string, row: number, position: number, range: CodeRange): string {
  return `code ${value} at row ${row}, position ${position} is outside 0..${range.codebookSize - 1}`;
}

/** Rows [n, frames] of a "code" value: a list of ints is one row, a list of lists is n rows of equal length. */
function rowsOf(code: unknown, range: CodeRange): number[][] | string {
  if (!Array.isArray(code) || code.length === 0) return '"code" must be a non-empty list';
  const rows: unknown[] = Array.isArray(code[0]) ? code : [code];
  const frames = (rows[0] as unknown[]).length;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!Array.isArray(row)) return `"code" row ${r} is not a list`;
    if (row.length !== frames) return `"code" row ${r} has ${row.length} codes, row 0 has ${frames}`;
    if (row.length === 0) return '"code" has an empty row';
    const bad = row.findIndex((v) => !Number.isInteger(v));
    if (bad >= 0) return `"code" row ${r} position ${bad} is ${describeJsonValue(row[bad])}, not an integer`;
    const outside = row.findIndex((v) => v < 0 || v >= range.codebookSize);
    if (outside >= 0) return outsideCodebook(describeJsonValue(row[outside]), r, outside, range);
  }
  return rows as number[][];
}

/**
 * The codes of a parsed JSON object's "code" (and optional "scale"), or why they cannot be read;
 * every value is checked against `range` (the model's codebook) before it is stored.
 * Shared by part-file lines and the service's /v1/detokenize body, which have the same shape.
 */
export function codesFromJson(value: { code?: unknown; scale?: unknown; segments?: unknown }, range: CodeRange = INT32_RANGE): Codes | string {
  const { code, scale } = value;
  const rows = rowsOf(code, range);
  if (typeof rows === "string") return rows;
  if (scale !== undefined && (typeof scale !== "number" || !Number.isFinite(scale) || scale <= 0)) {
    return `"scale" must be a positive number, got ${describeJsonValue(scale)}`;
  }
  const frames = rows[0]!.length;
  const data = new Int32Array(rows.length * frames); // [rows, frames]
  rows.forEach((row, r) => data.set(row, r * frames));
  const codes: Codes = { data, codebooks: rows.length, frames };
  if (typeof scale === "number") codes.scale = scale;
  if (value.segments !== undefined) {
    const segments = segmentsOf(value.segments, frames);
    if (typeof segments === "string") return segments;
    codes.segments = segments;
  }
  return codes;
}

/** "segments": [[frames, scale?], ...] whose frames add up to the codes' frames, or why not. */
function segmentsOf(value: unknown, frames: number): CodeSegment[] | string {
  const shape = `"segments" must be a non-empty list of [frames, scale] (or [frames]) pairs`;
  if (!Array.isArray(value) || value.length === 0 || value.length > frames) return `${shape}, got ${describeJsonValue(value)}`;
  const segments: CodeSegment[] = [];
  for (const [i, entry] of value.entries()) {
    if (!Array.isArray(entry) || entry.length < 1 || entry.length > 2) return `${shape}; segment ${i} is ${describeJsonValue(entry)}`;
    const [count, scale] = entry as unknown[];
    if (!Number.isSafeInteger(count) || (count as number) < 1) return `segment ${i}: frames must be a positive integer, got ${describeJsonValue(count)}`;
    if (scale !== undefined && (typeof scale !== "number" || !Number.isFinite(scale) || scale <= 0)) return `segment ${i}: scale must be a positive number, got ${describeJsonValue(scale)}`;
    segments.push(scale === undefined ? { frames: count as number } : { frames: count as number, scale: scale as number });
  }
  const total = segments.reduce((sum, s) => sum + s.frames, 0);
  if (total !== frames) return `"segments" cover ${total} frames, the codes hold ${frames}`;
  return segments;
}

/** A FunCodec codecs.txt line (`key [[[...]]]`, no scale); a bad one becomes a reason naming its key. */
function parseCodecsCodeLine(text: string, file: string, line: number): CodeLine {
  try {
    const { key, codes } = parseCodecsLine(text, `line ${line}`);
    return { ok: true, file, line, key, codes };
  } catch (error) {
    const key = shortKey(text.slice(0, text.search(/\s/)));
    return { ok: false, file, line, key, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Parses one line, a JSON object {"key", "code", "scale"?} or FunCodec's `key [[[...]]]` (told
 * apart per line, so a file of either kind, or both, decodes); `line` locates it in messages.
 * `range` is the model's codebook (without it, values are only checked to fit an Int32Array).
 */
export function parseCodeLine(text: string, file: string, line: number, range: CodeRange = INT32_RANGE): CodeLine {
  if (isCodecsLine(text)) return parseCodecsCodeLine(text, file, line);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, file, line, error: `line ${line} is not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, file, line, error: `line ${line} is not a JSON object {"key", "code"}` };
  }
  const { key } = value as { key?: unknown };
  if (typeof key !== "string" || key === "") return { ok: false, file, line, error: `line ${line} has no "key" string` };
  const codes = codesFromJson(value, range);
  if (typeof codes === "string") return { ok: false, file, line, key: shortKey(key), error: codes };
  return { ok: true, file, line, key, codes };
}

export interface ReadCodeLinesOptions {
  /** The model's codebook, checked before values are stored (default: only what fits an Int32Array). */
  range?: CodeRange;
  /** Longest line read (default DEFAULT_MAX_LINE_BYTES); a longer one is a failed line. */
  maxLineBytes?: number;
}

/**
 * Every line of a codes file in order (blank lines skipped). A file that cannot be read is an
 * InvalidInputError naming it.
 */
export async function* readCodeLines(file: string, options: ReadCodeLinesOptions = {}): AsyncGenerator<CodeLine> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const lines = readBoundedLines(file, maxLineBytes);
  for (;;) {
    let next: IteratorResult<BoundedLine>;
    try {
      next = await lines.next();
    } catch (error) {
      throw new InvalidInputError(`${file}: cannot read the codes file: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (next.done === true) return;
    const line = next.value;
    if (!("text" in line)) {
      yield { ok: false, file, line: line.number, error: `line ${line.number} is ${line.tooLongBytes} bytes, longer than the ${maxLineBytes} a code line may be` };
      continue;
    }
    const text = line.text.trim();
    if (text !== "") yield parseCodeLine(text, file, line.number, options.range);
  }
}

/**
 * Refuses (UsageError) a codes file that is missing, unreadable or not a file: a directory, or a
 * device such as /dev/zero, which never ends. A pipe is taken (`--codes <(zcat codes.gz)`).
 */
export function checkCodesFile(file: string): void {
  let stat;
  try {
    stat = statSync(file);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new UsageError(`--codes ${file}: ${code === "ENOENT" ? "no such file" : error instanceof Error ? error.message : String(error)}`);
  }
  if (stat.isDirectory()) throw new UsageError(`--codes ${file}: is a directory, not a codes file`);
  if (!stat.isFile() && !stat.isFIFO()) throw new UsageError(`--codes ${file}: is a device or socket, not a codes file (give a file or a pipe)`);
  try {
    accessSync(file, constants.R_OK);
  } catch (error) {
    throw new UsageError(`--codes ${file}: cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
}

/**
 * Why `codes` (rows made by quantizer layers firstCodebook ..) cannot be decoded by a model with
 * these facts, or null when they can.
 */
export function codesProblem(codes: Codes, facts: FamilyFacts, firstCodebook: number): string | null {
  if (firstCodebook + codes.codebooks > facts.codebooks) {
    return `${codes.codebooks} rows from layer ${firstCodebook} on, but the model has ${facts.codebooks} layers`;
  }
  for (let i = 0; i < codes.data.length; i++) {
    const value = codes.data[i]!;
    if (value < 0 || value >= facts.codebookSize) {
      const row = Math.floor(i / codes.frames);
      return outsideCodebook(String(value), row, i % codes.frames, facts);
    }
  }
  return null;
}

/** Why `key` cannot name an output file (`DIR/KEY.wav`), or null. */
export function keyFileProblem(key: string): string | null {
  if (key === "." || key === ".." || /[/\\\0]/.test(key)) return "the key cannot be a file name (it holds a path separator, NUL, or is . or ..)";
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return `the key is longer than a file name may be (${MAX_KEY_BYTES} bytes, so that KEY.wav.partial fits 255)`;
  return null;
}

/** A file name holds 255 bytes: room for the key and ".wav.partial", the name a WAV is written under first. */
const MAX_KEY_BYTES = 255 - ".wav.partial".length;
