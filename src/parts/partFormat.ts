/**
 * How one utterance's codes are written as a line of a part file: the toolkit's JSON lines
 * ({"key", "code", "scale"?, "segments"?}) or FunCodec's codecs.txt lines (`key [[[...]]]`, which carry no
 * scale), and how a line of either kind is recognised again when a part is resumed or decoded.
 */
import { UsageError } from "../errors.js";
import { codesJson } from "../family/frontEnd.js";
import type { CodeSegment, Codes, FamilyFacts } from "../family/types.js";
import { formatCodecsLine, parseCodecsLine } from "./codecsText.js";

export const PART_FORMATS = ["jsonl", "funcodec"] as const;
export type PartFormat = (typeof PART_FORMATS)[number];

export function parsePartFormat(value: unknown): PartFormat {
  if (value === undefined) return "jsonl";
  if ((PART_FORMATS as readonly unknown[]).includes(value)) return value as PartFormat;
  throw new UsageError(`--format must be ${PART_FORMATS.join(" or ")}, got "${String(value)}"`);
}

/** A part record's segments: [frames, scale] pairs ([frames] where the model keeps no scale). */
export type SegmentsJson = (readonly [number] | readonly [number, number])[];

/** Codes.segments as the JSON records write them. */
export function segmentsJson(segments: readonly CodeSegment[]): SegmentsJson {
  return segments.map((s) => (s.scale === undefined ? [s.frames] as const : [s.frames, s.scale] as const));
}

/**
 * The JSON record of one utterance: flat codes for a one-row model, rows otherwise; its scale when
 * it has one; its segments ([frames, scale] each) when the model codes in segments.
 */
export function partRecord(key: string, codes: Codes, model: Pick<FamilyFacts, "codebooks">): { key: string; code: number[] | number[][]; scale?: number; segments?: SegmentsJson } {
  const record: { key: string; code: number[] | number[][]; scale?: number; segments?: SegmentsJson } = { key, code: codesJson(codes, model) };
  if (codes.scale !== undefined) record.scale = codes.scale;
  if (codes.segments !== undefined) record.segments = segmentsJson(codes.segments);
  return record;
}

/** One line (without its newline) of a part file in `format`. */
export function formatPartLine(format: PartFormat, key: string, codes: Codes, model: Pick<FamilyFacts, "codebooks">): string {
  return format === "funcodec" ? formatCodecsLine(key, codes) : JSON.stringify(partRecord(key, codes, model));
}

/**
 * Whether a line is FunCodec's `key [[[...]]]` rather than a JSON object: told apart by the
 * first character (a JSON record opens with "{"; a codecs.txt key is followed by whitespace and "[").
 */
export function isCodecsLine(line: string): boolean {
  return !line.startsWith("{") && /^\S+\s+\[/.test(line);
}

/** The key of a complete part line of either format, or null when the line is damaged. */
export function partLineKey(line: string): string | null {
  if (isCodecsLine(line)) {
    try {
      return parseCodecsLine(line, "part").key;
    } catch {
      return null;
    }
  }
  try {
    const value = JSON.parse(line) as { key?: unknown; code?: unknown };
    return typeof value.key === "string" && Array.isArray(value.code) ? value.key : null;
  } catch {
    return null;
  }
}
