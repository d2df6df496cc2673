/**
 * Variant (d) of a tokenizer family, decode of (a)'s codes, and the conversions between the
 * forms codes take here: (a)'s part-file tokens (flat, row-major), the interface's Codes, and
 * upstream's rows. Shared by the timed runs and the peak-memory child.
 */
import type { Codes, TokenizerModel } from "../src/family/types.js";
import { secondsSince } from "./stats.js";

/** One timed decode of every utterance's codes; returns seconds. */
export async function decodeCodes(model: TokenizerModel, codes: readonly Codes[]): Promise<number> {
  if (!model.decode) throw new Error(`${model.family} has no decoder`);
  const start = performance.now();
  await model.decode(codes);
  return secondsSince(start);
}

/** (a)'s tokens (key → flat [codebooks · frames], row-major) as the interface's Codes. */
export function codesFromTokens(tokens: Map<string, number[]>, codebooks: number): Codes[] {
  return [...tokens].map(([key, flat]) => {
    if (flat.length % codebooks !== 0) throw new Error(`${key}: ${flat.length} codes are not ${codebooks} equal rows`);
    return { data: Int32Array.from(flat), codebooks, frames: flat.length / codebooks };
  });
}

/** Upstream's codes (key → rows of frames) in (a)'s flat form. */
export function flatRows(rows: Record<string, number[][]>): Map<string, number[]> {
  return new Map(Object.entries(rows).map(([key, r]) => [key, r.flat()]));
}
