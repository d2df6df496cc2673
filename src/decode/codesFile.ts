/**
 * Code lines as the extraction writes them (`{"key": ..., "code": [...]}` for one-row families,
 * `{"key": ..., "code": [[row 0], ..., [row n-1]]}` for residual ones, with an optional "scale",
 * or FunCodec's codecs.txt lines `key [[[row 0], ...]]`),
 * read back for decoding. Every problem with a line becomes a reason naming the key (or the line
 * number where no key can be read), so a decode job records it and goes on with the rest.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { isCodecsLine } from "../extract/partFormat.js";
import type { Codes, FamilyFacts } from "../family/types.js";
import { parseCodecsLine } from "../models/funcodec/codecsText.js";

/** One line of a codes file: its codes, or why it cannot be decoded. */
export type CodeLine =
  | { ok: true; file: string; line: number; key: string; codes: Codes }
  | { ok: false; file: string; line: number; key?: string; error: string };

/** Longest key that is written into an error line (a key is also a file name). */
const MAX_KEY_CHARS = 200;

function shortKey(key: string): string {
  return key.length <= MAX_KEY_CHARS ? key : `${key.slice(0, MAX_KEY_CHARS)}... (${key.length} characters)`;
}

/** Rows [n, frames] of a "code" value: a list of ints is one row, a list of lists is n rows of equal length. */
function rowsOf(code: unknown): number[][] | string {
  if (!Array.isArray(code) || code.length === 0) return '"code" must be a non-empty list';
  const rows: unknown[] = Array.isArray(code[0]) ? code : [code];
  const frames = (rows[0] as unknown[]).length;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!Array.isArray(row)) return `"code" row ${r} is not a list`;
    if (row.length !== frames) return `"code" row ${r} has ${row.length} codes, row 0 has ${frames}`;
    if (row.length === 0) return '"code" has an empty row';
    const bad = row.findIndex((v) => !Number.isInteger(v));
    if (bad >= 0) return `"code" row ${r} position ${bad} is ${JSON.stringify(row[bad])}, not an integer`;
  }
  return rows as number[][];
}

/**
 * The codes of a parsed JSON object's "code" (and optional "scale"), or why they cannot be read.
 * Shared by part-file lines and the service's /v1/detokenize body, which have the same shape.
 */
export function codesFromJson(value: { code?: unknown; scale?: unknown }): Codes | string {
  const { code, scale } = value;
  const rows = rowsOf(code);
  if (typeof rows === "string") return rows;
  if (scale !== undefined && (typeof scale !== "number" || !Number.isFinite(scale) || scale <= 0)) {
    return `"scale" must be a positive number, got ${JSON.stringify(scale)}`;
  }
  const frames = rows[0]!.length;
  const data = new Int32Array(rows.length * frames); // [rows, frames]
  rows.forEach((row, r) => data.set(row, r * frames));
  const codes: Codes = { data, codebooks: rows.length, frames };
  if (typeof scale === "number") codes.scale = scale;
  return codes;
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
 */
export function parseCodeLine(text: string, file: string, line: number): CodeLine {
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
  const codes = codesFromJson(value);
  if (typeof codes === "string") return { ok: false, file, line, key: shortKey(key), error: codes };
  return { ok: true, file, line, key, codes };
}

/** Every line of a codes file in order (blank lines skipped). */
export async function* readCodeLines(file: string): AsyncGenerator<CodeLine> {
  const lines = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  let number = 0;
  for await (const text of lines) {
    number++;
    if (text.trim() === "") continue;
    yield parseCodeLine(text.trim(), file, number);
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
      return `code ${value} at row ${row}, position ${i % codes.frames} is outside 0..${facts.codebookSize - 1}`;
    }
  }
  return null;
}

/** Why `key` cannot name an output file (`DIR/KEY.wav`), or null. */
export function keyFileProblem(key: string): string | null {
  if (key === "." || key === ".." || /[/\\\0]/.test(key)) return "the key cannot be a file name (it holds a path separator, NUL, or is . or ..)";
  if (Buffer.byteLength(key) > 250) return "the key is longer than a file name may be (250 bytes)";
  return null;
}
