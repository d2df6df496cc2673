/**
 * What wrote a part file: the model (name, sha256 of its released file, version) and the options
 * that change tokens (mode, rows, line format, and each family's own that its option
 * declarations mark for provenance: family/options.ts). Kept beside `part_R_of_W` as
 * `provenance_R_of_W.json` (a name that `part_*` does not match, so globbing or `cat part_*` sees
 * tokens only; records written as `part_R_of_W.provenance.json` before are still read). Resuming
 * with anything else would append one model's tokens to another's, so a mismatch is refused
 * naming both; `decode` reads it to refuse codes made by another model.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createHash } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { InvalidInputError, OutputError } from "../errors.js";
import { FAMILIES } from "../registry/families.js";
import type { ProvenanceField } from "../family/options.js";
import type { ModelFiles } from "../family/types.js";
import { removeIfPresent, writeOutputFileSync } from "../hub/atomicWrite.js";
import { defaultCacheDir } from "../hub/cacheDir.js";
import { recordedSha256 } from "../hub/releasedDigest.js";

export interface Provenance {
  /** The --model value as given (a registry name or a path). */
  model: string;
  /** sha256 of the model's files (modelFilesSha256). */
  sha256: string;
  /** The tokenizer family. */
  family: string;
  mode: string;
  /** Code rows per utterance (--n_q, or all the model makes). */
  codebooks: number;
  /** The line format (absent: JSON lines); one part file holds one format. */
  format?: string;
  /**
   * The family's own options that change tokens, under the fields their declarations name
   * (FunCodec's bitWidth, RepCodec's layer, S3's longAudio: family/options.ts ProvenanceField).
   */
  [field: string]: unknown;
}

/** The provenance fields the record's family declares. */
function familyFields(p: Provenance): readonly ProvenanceField[] {
  const family = FAMILIES.find((f) => f.name === p.family);
  return (family?.options ?? []).flatMap((option) => (option.provenance === undefined ? [] : [option.provenance]));
}

/** A field's value as the record means it: a record written before the field existed reads as the declaration says. */
function fieldOf(p: Provenance, field: ProvenanceField): unknown {
  return p[field.field] ?? field.olderRecords;
}

/**
 * One digest of a model's files: for a single file its own sha256 (what the registry pins), for
 * several the sha256 of their "name sha256" lines in name order. A file is hashed only when no
 * checksum record describes it as it is now (same size and mtime): a run on an unchanged model
 * reads records, not the model (recordedSha256; the hub's cache, `cacheDir` when given, keeps
 * the records of files outside it).
 */
export async function modelFilesSha256(files: ModelFiles, cacheDir?: string): Promise<string> {
  const names = Object.keys(files).sort();
  const digests = await Promise.all(names.map((name) => recordedSha256(files[name]!, defaultCacheDir(cacheDir))));
  if (digests.length === 1) return digests[0]!;
  return createHash("sha256").update(names.map((name, i) => `${name} ${digests[i]}\n`).join("")).digest("hex");
}

const PART_NAME = /^part_(\d+_of_\d+)$/;

/** Where the record of `part` is written: `provenance_R_of_W.json` beside `part_R_of_W`. */
export function provenancePath(part: string): string {
  const match = PART_NAME.exec(basename(part));
  return match ? join(dirname(part), `provenance_${match[1]}.json`) : `${part}.provenance.json`;
}

/** The name records had before: `part_R_of_W.provenance.json`, which `part_*` matches. */
export function legacyProvenancePath(part: string): string {
  return `${part}.provenance.json`;
}

/** The record of `part` that exists (the current name first, then the old one), or null. */
export function findProvenance(part: string): string | null {
  for (const path of [provenancePath(part), legacyProvenancePath(part)]) if (existsSync(path)) return path;
  return null;
}

/** Parses a record; throws (an Error saying what is wrong) when it is not JSON or lacks a field messages and checks use. */
export function parseProvenance(path: string): Provenance {
  const value = JSON.parse(readFileSync(path, "utf8")) as Partial<Provenance> | null;
  const strings = ["model", "sha256", "family", "mode"] as const;
  if (typeof value !== "object" || value === null || strings.some((field) => typeof value[field] !== "string") || !Number.isSafeInteger(value.codebooks)) {
    throw new Error(`not a provenance record (${strings.join(", ")} strings and a codebooks integer)`);
  }
  return value as Provenance;
}

/**
 * The record beside `part` for a reader of codes (decode, merge), or null when it has none; an
 * unreadable record is an InvalidInputError naming it.
 */
export function readPartProvenance(part: string): Provenance | null {
  const path = findProvenance(part);
  if (path === null) return null;
  try {
    return parseProvenance(path);
  } catch (error) {
    throw new InvalidInputError(`${path}: unreadable record of the model that made ${part}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** One line naming the model and options of a record, for messages. */
export function describeProvenance(p: Provenance): string {
  const named = familyFields(p).filter((field) => fieldOf(p, field) !== undefined && fieldOf(p, field) !== field.quiet);
  const options = [
    ...named.map((field) => `, ${field.label} ${String(fieldOf(p, field))}`),
    (p.format ?? "jsonl") === "jsonl" ? "" : `, format ${p.format}`,
  ].join("");
  return `model ${p.model} (${p.family}, sha256 ${p.sha256.slice(0, 12)}…, ${p.codebooks} code row${p.codebooks === 1 ? "" : "s"}), mode ${p.mode}${options}`;
}

/**
 * Fields whose change changes tokens or their lines (the model name may differ: a path and a
 * name can be one file). A record written before a field existed reads as the field's default.
 */
export function sameTokens(a: Provenance, b: Provenance): boolean {
  return (
    a.sha256 === b.sha256 &&
    a.family === b.family &&
    a.mode === b.mode &&
    a.codebooks === b.codebooks &&
    (a.format ?? "jsonl") === (b.format ?? "jsonl") &&
    familyFields(a).every((field) => fieldOf(a, field) === fieldOf(b, field))
  );
}

/**
 * Before appending to `part`: refuses when it was written by another model or mode, or holds
 * lines with no record of what wrote them. Then records `current` (afresh when `overwrite`).
 */
export function claimPart(part: string, current: Provenance, overwrite: boolean): void {
  const path = findProvenance(part);
  const hasLines = existsSync(part) && statSync(part).size > 0;
  if (!overwrite && path !== null) {
    let previous: Provenance;
    try {
      previous = parseProvenance(path);
    } catch (error) {
      throw new OutputError(path, "unreadable provenance record; pass --overwrite to start the part afresh", { cause: error });
    }
    if (!sameTokens(previous, current)) {
      throw new OutputError(
        part,
        `was written by ${describeProvenance(previous)}, this run uses ${describeProvenance(current)}; ` +
          "use another --output_dir, or --overwrite to start afresh",
      );
    }
  } else if (!overwrite && hasLines) {
    throw new OutputError(part, `holds tokens but no record of the model that wrote them (${provenancePath(part)}); pass --overwrite to start afresh`);
  }
  writeOutputFileSync(provenancePath(part), JSON.stringify(current, null, 2) + "\n");
  // A record under the old name now describes nothing: the current one replaces it.
  if (legacyProvenancePath(part) !== provenancePath(part)) removeIfPresent(legacyProvenancePath(part));
}
