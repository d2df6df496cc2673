/**
 * Reading the `part_R_of_W` files of an extraction's output directory back into one set of
 * codes: every part of the same W must be there, every line must be a {"key", "code"} record
 * (or FunCodec's `key [[[...]]]` line, as `--format funcodec` writes),
 * and no key may appear twice (in one part or across parts). Records come back sorted by key,
 * since the order of the original wav.scp is not recorded in the parts.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { InvalidInputError } from "../errors.js";
import { codesJson } from "../family/frontEnd.js";
import { parseCodecsLine } from "../parts/codecsText.js";
import { isCodecsLine } from "../parts/partFormat.js";
import { describeProvenance, readPartProvenance, sameTokens, type Provenance } from "./provenance.js";

/** One utterance's codes: one row (S3Tokenizer) or several ([codebooks][frames]). */
export type PartCode = number[] | number[][];

export interface PartRecord {
  key: string;
  code: PartCode;
}

const PART_NAME = /^part_(\d+)_of_(\d+)$/;

/** The part files of `dir`, in rank order; InvalidInputError when none, or ranks are missing or mixed. */
export function partFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new InvalidInputError(`${dir}: cannot list the output directory (${(error as Error).message})`, { cause: error });
  }
  const parts = names.flatMap((name) => {
    const match = PART_NAME.exec(name);
    return match ? [{ name, rank: Number(match[1]), world: Number(match[2]) }] : [];
  });
  if (parts.length === 0) throw new InvalidInputError(`${dir}: no part_R_of_W files to merge`);
  const worlds = new Set(parts.map((p) => p.world));
  if (worlds.size > 1) {
    throw new InvalidInputError(`${dir}: parts of different world sizes (${[...worlds].sort().map((w) => `_of_${w}`).join(", ")}); remove the stale ones`);
  }
  const world = parts[0]!.world;
  const missing = Array.from({ length: world }, (_, i) => i + 1).filter((rank) => !parts.some((p) => p.rank === rank));
  if (missing.length > 0) {
    throw new InvalidInputError(`${dir}: missing ${missing.map((r) => `part_${r}_of_${world}`).join(", ")} (the extraction is not complete)`);
  }
  return parts.sort((a, b) => a.rank - b.rank).map((p) => join(dir, p.name));
}

function isCode(value: unknown): value is PartCode {
  if (!Array.isArray(value)) return false;
  const integers = (row: unknown): boolean => Array.isArray(row) && row.every((v) => Number.isInteger(v));
  return integers(value) || (value.length > 0 && value.every(integers));
}

/** A FunCodec codecs.txt line (`--format funcodec`) as a record of rows. */
function codecsRecord(line: string, where: string): PartRecord {
  const { key, codes } = parseCodecsLine(line, where);
  return { key, code: codesJson(codes, { codebooks: codes.codebooks }) };
}

/** One part line of either format, as parsed (the record's fields are checked by the caller). */
function partLineRecord(line: string, where: string): { key?: unknown; code?: unknown } {
  if (isCodecsLine(line)) return codecsRecord(line, where);
  try {
    return JSON.parse(line) as { key?: unknown; code?: unknown };
  } catch {
    throw new InvalidInputError(`${where}: not a JSON line (a crashed run? rerun the extraction to repair the part)`);
  }
}

/** Parts whose provenance records differ hold two models' (or modes') tokens: refused, naming both. */
function checkSameProvenance(parts: readonly string[]): void {
  let first: { part: string; record: Provenance } | undefined;
  for (const part of parts) {
    const record = readPartProvenance(part);
    if (record === null) continue;
    if (first === undefined) first = { part, record };
    else if (!sameTokens(first.record, record)) {
      throw new InvalidInputError(
        `${part} was written by ${describeProvenance(record)}, ${first.part} by ${describeProvenance(first.record)}; ` +
          "merged, their tokens would mix two models: rerun the extraction of the stale parts",
      );
    }
  }
}

/** Every record of the parts of `dir`, sorted by key; InvalidInputError on a bad line, a duplicate key or parts of different models. */
export function readParts(dir: string): PartRecord[] {
  const seen = new Map<string, string>();
  const records: PartRecord[] = [];
  const parts = partFiles(dir);
  checkSameProvenance(parts);
  for (const file of parts) {
    const lines = readFileSync(file, "utf8").split("\n");
    lines.forEach((line, index) => {
      if (line === "") return;
      const record = partLineRecord(line, `${file}:${index + 1}`);
      if (typeof record.key !== "string" || !isCode(record.code)) {
        throw new InvalidInputError(`${file}:${index + 1}: not a {"key", "code"} record with integer codes`);
      }
      const earlier = seen.get(record.key);
      if (earlier !== undefined) {
        throw new InvalidInputError(`duplicate key "${record.key}": in ${earlier} and ${file}:${index + 1}`);
      }
      seen.set(record.key, `${file}:${index + 1}`);
      records.push({ key: record.key, code: record.code });
    });
  }
  return records.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * One row of a code, for formats that hold a flat token list (CosyVoice). `row` undefined takes
 * a single-row code as it is and refuses several rows.
 */
export function codeRow(record: PartRecord, row: number | undefined): number[] {
  const rows = Array.isArray(record.code[0]) ? (record.code as number[][]) : [record.code as number[]];
  if (row === undefined) {
    if (rows.length > 1) {
      throw new InvalidInputError(`key "${record.key}" has ${rows.length} code rows; CosyVoice's format holds one list per key: choose one with --row N`);
    }
    return rows[0]!;
  }
  if (row >= rows.length) throw new InvalidInputError(`key "${record.key}" has ${rows.length} code row(s); --row ${row} is out of range`);
  return rows[row]!;
}
