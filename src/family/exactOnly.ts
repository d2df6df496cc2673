/**
 * For families whose graphs have only the fp32 ("exact") form: a "fast" request is refused with a
 * typed error instead of being quietly served exact, so a caller comparing modes never measures
 * the same graph twice. Browser-safe: the families' open functions (shared by Node and the page)
 * call it.
 */
import { InvalidInputError } from "../errors.js";
import type { FamilyLoadOptions } from "./types.js";

export function requireExactMode(mode: FamilyLoadOptions["mode"], source: string, familyLabel: string): void {
  if ((mode ?? "exact") !== "exact") throw new InvalidInputError(`${source}: ${familyLabel} has no "${mode}" mode, only "exact"`);
}
