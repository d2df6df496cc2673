/**
 * S3 tokens as the family interface's Codes: one row, no residual layers. Asking for more rows
 * (the corpus job's --n_q, serve's codebooks) is a typed error rather than a silent one row.
 */
import { InvalidInputError } from "../../errors.js";
import type { Codes, EncodeOptions } from "../../family/types.js";

/** Throws unless `options` asks for what one S3 row can give: codebooks 1, first codebook 0. */
export function checkRows(options: EncodeOptions | undefined, source: string): void {
  const codebooks = options?.codebooks;
  if (codebooks !== undefined && codebooks !== 1) {
    throw new InvalidInputError(`codebooks ${codebooks}: ${source} is an S3 tokenizer, which makes one row of tokens (give 1 or leave it out)`);
  }
  const first = options?.firstCodebook;
  if (first !== undefined && first !== 0) {
    throw new InvalidInputError(`firstCodebook ${first}: ${source} is an S3 tokenizer, which has no residual rows (give 0 or leave it out)`);
  }
  options?.signal?.throwIfAborted();
}

/** One utterance's tokens [frames] as Codes [1, frames] (the same buffer). */
export function oneRow(tokens: Int32Array): Codes {
  return { data: tokens, codebooks: 1, frames: tokens.length };
}
