/**
 * The encode options a /v1/tokenize query may carry: `n_q` (rows), `first_codebook`
 * (SpeechTokenizer's st: the first quantizer layer) and `bit_width` (FunCodec: bits per second).
 * Checked against the model before the body is read, so a bad value is a 400 naming the
 * parameter, and never fails inside a batching group where it would take other requests with it.
 */
import { InvalidInputError } from "../errors.js";
import type { EncodeOptions, FamilyFacts, FamilyName } from "../family/types.js";

/** EncodeOptions plus FunCodec's bit width (its model reads `bitWidth`; no other family gets one). */
export interface ServiceEncodeOptions extends Pick<EncodeOptions, "codebooks" | "firstCodebook"> {
  bitWidth?: number;
}

export const ENCODE_QUERY_KEYS = ["n_q", "first_codebook", "bit_width"] as const;

/** Families whose rows may start past layer 0, and those that take a bit width. */
const FIRST_CODEBOOK_FAMILIES: readonly FamilyName[] = ["speechtokenizer"];
const BIT_WIDTH_FAMILIES: readonly FamilyName[] = ["funcodec"];

/** A non-negative integer parameter, or undefined when absent. */
function integerParam(query: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const text = query.get(name);
  if (text === null) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidInputError(`query parameter ${name} must be an integer from ${min} to ${max} for this model, got ${JSON.stringify(text)}`);
  }
  return value;
}

function onlyFor(query: URLSearchParams, name: string, families: readonly FamilyName[], model: FamilyFacts): void {
  if (query.has(name) && !families.includes(model.family)) {
    throw new InvalidInputError(`query parameter ${name} applies to ${families.join(", ")} models only; this model is ${model.family}`);
  }
}

/** The encode options in `query` for `model` (repeats and unknown keys are rawPcmSpec's to refuse). */
export function encodeQuery(query: URLSearchParams, model: FamilyFacts): ServiceEncodeOptions {
  onlyFor(query, "first_codebook", FIRST_CODEBOOK_FAMILIES, model);
  onlyFor(query, "bit_width", BIT_WIDTH_FAMILIES, model);
  if (query.has("n_q") && query.has("bit_width")) throw new InvalidInputError("query parameters n_q and bit_width: give one of them, not both");
  const options: ServiceEncodeOptions = {};
  const first = integerParam(query, "first_codebook", 0, model.codebooks - 1);
  if (first !== undefined) options.firstCodebook = first;
  const rows = integerParam(query, "n_q", 1, model.codebooks - (first ?? 0));
  if (rows !== undefined) options.codebooks = rows;
  // Upstream takes any bit width (rows = floor(bit_width / bits per row), at least 1, at most all).
  const bitWidth = integerParam(query, "bit_width", 1, Number.MAX_SAFE_INTEGER);
  if (bitWidth !== undefined) options.bitWidth = bitWidth;
  return options;
}

/** Requests with equal keys may share a forward pass. */
export function encodeOptionsKey(options: ServiceEncodeOptions): string {
  return `${options.codebooks ?? ""}/${options.firstCodebook ?? ""}/${options.bitWidth ?? ""}`;
}
