/**
 * `--long_audio_compat s3tokenizer-0.3.0`: S3 audio over 30 s cut into windows as upstream
 * S3Tokenizer 0.3.0 did (pipeline/windows.ts), for token files that must match that release's.
 */
import type { ParseArgsConfig } from "node:util";
import { UsageError } from "../errors.js";
import { LONG_AUDIO_COMPAT_VALUES, parseLongAudioCompat, type LongAudioCompat } from "../pipeline/windows.js";
import type { FlagValues } from "./args.js";

export const LONG_AUDIO_FLAGS = {
  "long-audio-compat": { type: "string" },
} as const satisfies NonNullable<ParseArgsConfig["options"]>;

export const LONG_AUDIO_FLAGS_HELP = `  --long_audio_compat s3tokenizer-0.3.0
                          S3, audio over 30 s: the windows of S3Tokenizer 0.3.0, which lose up to
                          2 s of tokens just past each 26 s stride (52 s, 78 s, ...); only to match
                          token files made by it (default: tokens for the whole length)`;

/** The flag's plan (undefined when absent); a value naming no plan is a usage error. */
export function longAudioCompatFlag(values: FlagValues): LongAudioCompat | undefined {
  const value = values["long-audio-compat"];
  if (value === undefined) return undefined;
  const compat = typeof value === "string" ? parseLongAudioCompat(value) : null;
  if (compat === null) {
    throw new UsageError(`--long_audio_compat must be ${LONG_AUDIO_COMPAT_VALUES.join(" or ")}, got "${String(value)}"`);
  }
  return compat;
}
