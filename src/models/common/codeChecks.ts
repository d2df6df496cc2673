/**
 * Checks of codes a caller hands a multi-row codec's decoder, and of the row count an encode asks
 * for, with InvalidInputError messages naming what is wrong.
 */
import { InvalidInputError } from "../../errors.js";
import type { Codes } from "../../family/types.js";

/** An encode's `codebooks` option: an integer from 1 to `max`. */
export function checkRowRequest(codebooks: number, max: number): number {
  if (!Number.isInteger(codebooks) || codebooks < 1 || codebooks > max) {
    throw new InvalidInputError(`codebooks: expected an integer from 1 to ${max}, got ${codebooks}`);
  }
  return codebooks;
}

/** Codes of layers 0.. (no firstCodebook), 1 to `max` rows, rows × frames values, each in [0, size); `where` names them. */
export function checkCodeGrid(codes: Codes, max: number, size: number, where: string): void {
  if ((codes.firstCodebook ?? 0) !== 0) throw new InvalidInputError(`${where}: codes here start at layer 0, got firstCodebook ${codes.firstCodebook}`);
  if (!Number.isInteger(codes.codebooks) || codes.codebooks < 1 || codes.codebooks > max) {
    throw new InvalidInputError(`${where}: ${codes.codebooks} rows, expected 1 to ${max}`);
  }
  if (!Number.isInteger(codes.frames) || codes.frames < 1) throw new InvalidInputError(`${where}: ${codes.frames} frames, expected at least 1`);
  if (codes.data.length !== codes.codebooks * codes.frames) throw new InvalidInputError(`${where}: ${codes.data.length} values for ${codes.codebooks} × ${codes.frames}`);
  const bad = codes.data.findIndex((v) => v < 0 || v >= size);
  if (bad >= 0) throw new InvalidInputError(`${where}: code ${codes.data[bad]} at ${bad} is outside [0, ${size})`);
}
