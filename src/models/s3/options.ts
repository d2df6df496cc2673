/**
 * S3's own option: --long_audio_compat, audio over 30 s cut into windows as upstream S3Tokenizer
 * 0.3.0 did (models/s3/windows.ts), for token files that must match that release's. Every S3 part
 * file records its plan; one written before the windows covered the whole length holds none and
 * reads as that release's. The commands, help and provenance are made from this (family/options.ts).
 */
import { UsageError } from "../../errors.js";
import type { FamilyOption } from "../../family/options.js";
import { LONG_AUDIO_COMPAT_VALUES, longAudioPlan, parseLongAudioCompat, type LongAudioCompat } from "./windows.js";

function parseCompat(text: string): LongAudioCompat {
  const compat = parseLongAudioCompat(text);
  if (compat === null) throw new UsageError(`--long_audio_compat must be ${LONG_AUDIO_COMPAT_VALUES.join(" or ")}, got "${text}"`);
  return compat;
}

export const S3_OPTIONS: readonly FamilyOption[] = [
  {
    name: "long-audio-compat",
    type: "string",
    placeholder: LONG_AUDIO_COMPAT_VALUES.join("|"),
    help: [
      "S3, audio over 30 s: the windows of S3Tokenizer 0.3.0, which lose up to",
      "2 s of tokens just past each 26 s stride (52 s, 78 s, ...); only to match",
      "token files made by it (default: tokens for the whole length)",
    ],
    commands: ["extract", "serve"],
    into: { load: "longAudioCompat" },
    parse: parseCompat,
    provenance: {
      field: "longAudio",
      label: "long audio",
      record: (value) => longAudioPlan(value as LongAudioCompat | undefined),
      quiet: "full-length",
      olderRecords: "s3tokenizer-0.3.0",
    },
    refusal: (value, source, family) =>
      `long audio compat "${String(value)}": ${source} is a ${family} model, which takes audio whole; only S3 models cut it into windows`,
  },
];
