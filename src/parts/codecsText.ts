/**
 * FunCodec's codecs.txt, the text its CLI writes in encode mode and its decode stage reads back:
 * one line per utterance, `key <json>`, the JSON being [segments][n_q][T] with one segment
 * (upstream's json.dumps of `x[:, b, :T]` per segment, so ", " between values). It carries no
 * scale: audio decoded from it is at the normalised level, as upstream's decode mode.
 */
import { InvalidInputError } from "../errors.js";
import { describeJsonValue } from "./describeValue.js";
import type { Codes } from "../family/types.js";

export interface CodecsEntry {
  key: string;
  codes: Codes;
}

/** One line (without its newline) for an utterance's codes, as upstream's json.dumps writes it. */
export function formatCodecsLine(key: string, codes: Codes): string {
  if (key === "" || /\s/.test(key)) throw new InvalidInputError(`codecs.txt key ${JSON.stringify(key)}: a key must be non-empty and hold no whitespace`);
  if ((codes.firstCodebook ?? 0) !== 0) throw new InvalidInputError(`${key}: codecs.txt holds rows from layer 0, got firstCodebook ${codes.firstCodebook}`);
  const rows: string[] = [];
  for (let r = 0; r < codes.codebooks; r++) {
    rows.push(`[${Array.from(codes.data.subarray(r * codes.frames, (r + 1) * codes.frames)).join(", ")}]`);
  }
  return `${key} [[${rows.join(", ")}]]`;
}

/** The whole file for these utterances, one line each, newline-terminated. */
export function formatCodecsText(entries: readonly CodecsEntry[]): string {
  return entries.map((e) => `${formatCodecsLine(e.key, e.codes)}\n`).join("");
}

/** Parses one line; `where` (e.g. "codecs.txt:3") names it in errors. */
export function parseCodecsLine(line: string, where: string): CodecsEntry {
  const space = line.search(/\s/);
  if (space <= 0) throw new InvalidInputError(`${where}: expected "key [[[...]]]", got no key and JSON`);
  const key = line.slice(0, space);
  let value: unknown;
  try {
    value = JSON.parse(line.slice(space + 1));
  } catch (error) {
    throw new InvalidInputError(`${where}: ${key}: the codes are not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(value) || value.length !== 1) {
    throw new InvalidInputError(`${where}: ${key}: expected one segment ([segments=1][n_q][T]), got ${Array.isArray(value) ? `${value.length} segments` : "no list"}`);
  }
  const rows = value[0] as unknown;
  if (!Array.isArray(rows) || rows.length === 0 || !rows.every(Array.isArray)) {
    throw new InvalidInputError(`${where}: ${key}: expected a non-empty list of code rows`);
  }
  const frames = (rows[0] as unknown[]).length;
  if (frames === 0 || rows.some((row) => (row as unknown[]).length !== frames)) {
    throw new InvalidInputError(`${where}: ${key}: every row must hold the same number (≥ 1) of codes`);
  }
  const data = new Int32Array(rows.length * frames);
  rows.forEach((row, r) => (row as unknown[]).forEach((v, t) => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
      throw new InvalidInputError(`${where}: ${key}: row ${r}, frame ${t}: ${describeJsonValue(v)} is not a code (a non-negative integer)`);
    }
    data[r * frames + t] = v;
  }));
  return { key, codes: { data, codebooks: rows.length, frames } };
}

/** Parses a whole codecs.txt (blank lines skipped); `source` names it in errors. */
export function parseCodecsText(text: string, source: string): CodecsEntry[] {
  const entries: CodecsEntry[] = [];
  text.split("\n").forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed !== "") entries.push(parseCodecsLine(trimmed, `${source}:${i + 1}`));
  });
  return entries;
}
