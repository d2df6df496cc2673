/**
 * What wrote a part file: the model (name, sha256 of its released file, version) and the options
 * that change tokens (mode, S3's long-audio windows). Kept beside the part as
 * `PART.provenance.json`; resuming with anything else would append one model's tokens to
 * another's, so a mismatch is refused naming both.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { OutputError } from "../errors.js";
import type { ModelFiles } from "../family/types.js";
import { sha256File } from "../hub/checksumRecord.js";
import type { LongAudioPlan } from "../pipeline/windows.js";

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
  /** FunCodec's --bit_width, when given (it sets the rows). */
  bitWidth?: number;
  /** RepCodec's --layer (1-based Whisper block), when given: another layer, other tokens. */
  layer?: number;
  /** The line format (absent: JSON lines); one part file holds one format. */
  format?: string;
  /**
   * S3: how audio over 30 s was cut into windows (longAudioPlan). An S3 record without it was
   * written before the windows covered the whole length, so it reads as "s3tokenizer-0.3.0".
   */
  longAudio?: LongAudioPlan;
}

/** The record's long-audio plan; undefined for families that cut no windows. */
function longAudioOf(p: Provenance): LongAudioPlan | undefined {
  return p.family === "s3" ? p.longAudio ?? "s3tokenizer-0.3.0" : undefined;
}

/**
 * One digest of a model's files: for a single file its own sha256 (what the registry pins), for
 * several the sha256 of their "name sha256" lines in name order.
 */
export async function modelFilesSha256(files: ModelFiles): Promise<string> {
  const names = Object.keys(files).sort();
  const digests = await Promise.all(names.map((name) => sha256File(files[name]!)));
  if (digests.length === 1) return digests[0]!;
  return createHash("sha256").update(names.map((name, i) => `${name} ${digests[i]}\n`).join("")).digest("hex");
}

export function provenancePath(part: string): string {
  return `${part}.provenance.json`;
}

function describe(p: Provenance): string {
  const options = [
    p.bitWidth === undefined ? "" : `, bit width ${p.bitWidth}`,
    p.layer === undefined ? "" : `, layer ${p.layer}`,
    (p.format ?? "jsonl") === "jsonl" ? "" : `, format ${p.format}`,
    (longAudioOf(p) ?? "full-length") === "full-length" ? "" : `, long audio ${longAudioOf(p)}`,
  ].join("");
  return `model ${p.model} (${p.family}, sha256 ${p.sha256.slice(0, 12)}…, ${p.codebooks} code row${p.codebooks === 1 ? "" : "s"}), mode ${p.mode}${options}`;
}

/**
 * Fields whose change changes tokens or their lines (the model name may differ: a path and a
 * name can be one file). A record written before a field existed reads as the field's default.
 */
function sameTokens(a: Provenance, b: Provenance): boolean {
  return (
    a.sha256 === b.sha256 &&
    a.family === b.family &&
    a.mode === b.mode &&
    a.codebooks === b.codebooks &&
    a.bitWidth === b.bitWidth &&
    a.layer === b.layer &&
    (a.format ?? "jsonl") === (b.format ?? "jsonl") &&
    longAudioOf(a) === longAudioOf(b)
  );
}

/**
 * Before appending to `part`: refuses when it was written by another model or mode, or holds
 * lines with no record of what wrote them. Then records `current` (afresh when `overwrite`).
 */
export function claimPart(part: string, current: Provenance, overwrite: boolean): void {
  const path = provenancePath(part);
  const hasLines = existsSync(part) && statSync(part).size > 0;
  if (!overwrite && existsSync(path)) {
    let previous: Provenance;
    try {
      previous = JSON.parse(readFileSync(path, "utf8")) as Provenance;
    } catch (error) {
      throw new OutputError(path, "unreadable provenance record; pass --overwrite to start the part afresh", { cause: error });
    }
    if (!sameTokens(previous, current)) {
      throw new OutputError(
        part,
        `was written by ${describe(previous)}, this run uses ${describe(current)}; ` +
          "use another --output_dir, or --overwrite to start afresh",
      );
    }
  } else if (!overwrite && hasLines) {
    throw new OutputError(part, `holds tokens but no record of the model that wrote them (${path}); pass --overwrite to start afresh`);
  }
  writeFileSync(path, JSON.stringify(current, null, 2) + "\n");
}
