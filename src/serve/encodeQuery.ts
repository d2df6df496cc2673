/**
 * The encode options a /v1/tokenize query may carry: `n_q` (rows, every family) and the query
 * parameters the families declare for their own options (family/options.ts: SpeechTokenizer's
 * first_codebook, FunCodec's bit_width, ...). Checked against the model before the body is read,
 * so a bad value is a 400 naming the parameter, and never fails inside a batching group where it
 * would take other requests with it.
 */
import { InvalidInputError } from "../errors.js";
import { FAMILIES } from "../registry/families.js";
import { ownedOptions, type FamilyOption, type QueryParameter } from "../family/options.js";
import type { EncodeOptions, FamilyFacts } from "../family/types.js";

/** Rows and first layer, plus the families' own encode options (by their option keys) that a query set. */
export interface ServiceEncodeOptions extends Pick<EncodeOptions, "codebooks" | "firstCodebook"> {
  /** A family's own encode option from its query parameter (FunCodec's bitWidth). */
  [option: string]: number | undefined;
}

/** Each declared query parameter once, with the families that take it. */
const QUERY_OPTIONS = (() => {
  const byName = new Map<string, { option: FamilyOption & { query: QueryParameter }; families: string[] }>();
  for (const { option, owner } of ownedOptions(FAMILIES)) {
    if (option.query === undefined) continue;
    const entry = byName.get(option.query.name) ?? { option: option as FamilyOption & { query: QueryParameter }, families: [] };
    byName.set(option.query.name, { ...entry, families: [...entry.families, owner.name] });
  }
  return [...byName.values()];
})();

export const ENCODE_QUERY_KEYS: readonly string[] = ["n_q", ...QUERY_OPTIONS.map(({ option }) => option.query.name)];

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

/** A parameter its declaration parses (not an integer), or undefined when absent. */
function parsedParam(query: URLSearchParams, name: string, parse: (text: string) => number): number | undefined {
  const text = query.get(name);
  if (text === null) return undefined;
  try {
    return parse(text);
  } catch (error) {
    throw new InvalidInputError(`query parameter ${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The encode option key an option sets. */
function encodeKey(option: FamilyOption): string {
  const into = option.into as { encode?: string } | undefined;
  return into?.encode ?? option.name;
}

/** The encode options in `query` for `model` (repeats and unknown keys are rawPcmSpec's to refuse). */
export function encodeQuery(query: URLSearchParams, model: FamilyFacts): ServiceEncodeOptions {
  for (const { option, families } of QUERY_OPTIONS) {
    if (query.has(option.query.name) && !families.includes(model.family)) {
      throw new InvalidInputError(`query parameter ${option.query.name} applies to ${families.join(", ")} models only; this model is ${model.family}`);
    }
  }
  for (const { option } of QUERY_OPTIONS) {
    const excluded = option.excludes?.replace(/-/g, "_");
    if (excluded !== undefined && query.has(excluded) && query.has(option.query.name)) {
      throw new InvalidInputError(`query parameters ${excluded} and ${option.query.name}: give one of them, not both`);
    }
  }
  const options: ServiceEncodeOptions = {};
  // The families' parameters first: n_q's range depends on the first layer one of them may set.
  for (const { option } of QUERY_OPTIONS) {
    const value = option.query.parse === undefined ? integerParam(query, option.query.name, option.query.min, option.query.max(model)) : parsedParam(query, option.query.name, option.query.parse);
    if (value !== undefined) options[encodeKey(option)] = value;
  }
  const rows = integerParam(query, "n_q", 1, model.codebooks - (options.firstCodebook ?? 0));
  if (rows !== undefined) options.codebooks = rows;
  return options;
}

/** Requests with equal keys may share a forward pass. */
export function encodeOptionsKey(options: ServiceEncodeOptions): string {
  return Object.keys(options).sort().map((key) => `${key}=${options[key] ?? ""}`).join("/");
}
