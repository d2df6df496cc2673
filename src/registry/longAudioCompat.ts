/**
 * A long-audio window plan (FamilyLoadOptions.longAudioCompat) asked of a model that cuts no
 * windows is a mistake worth naming: only the family that declares the option (family/options.ts) of the registry's families
 * cuts audio into windows; the others take an utterance whole, so it would silently do nothing.
 */
import { InvalidInputError } from "../errors.js";
import { FAMILIES } from "./families.js";
import { ownedOptions } from "../family/options.js";
import type { FamilyFacts } from "../family/types.js";

const declared = ownedOptions(FAMILIES).filter(({ option }) => option.into !== undefined && "load" in option.into && option.into.load === "longAudioCompat");

export function checkLongAudioFamily(model: FamilyFacts, compat: string | undefined, source: string): void {
  if (compat === undefined || declared.some(({ owner }) => owner.name === model.family)) return;
  const refusal = declared[0]?.option.refusal;
  throw new InvalidInputError(refusal?.(compat, source, model.family) ?? `long audio compat "${compat}": ${source} is a ${model.family} model, which takes audio whole`);
}
