/**
 * A long-audio window plan (FamilyLoadOptions.longAudioCompat) asked of a model that cuts no
 * windows is a mistake worth naming: only S3 models cut audio over 30 s into windows; the other
 * families take an utterance whole, so the option would silently do nothing.
 */
import { InvalidInputError } from "../errors.js";
import type { LongAudioCompat } from "../pipeline/windows.js";
import type { FamilyFacts } from "./types.js";

export function checkLongAudioFamily(model: FamilyFacts, compat: LongAudioCompat | undefined, source: string): void {
  if (compat !== undefined && model.family !== "s3") {
    throw new InvalidInputError(
      `long audio compat "${compat}": ${source} is a ${model.family} model, which takes audio whole; only S3 models cut it into windows`,
    );
  }
}
