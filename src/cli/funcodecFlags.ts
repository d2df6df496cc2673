/**
 * FunCodec's command-line flags, spelled as upstream's CLI (--bit_width; --n_q as the
 * SpeechTokenizer commands), turned into encode options, and its decode-side output option
 * (--rescale: upstream's save_audio scales each waveform to a 0.99 peak before writing it).
 * The extract command takes FUNCODEC_FLAGS["bit-width"] (its --n_q serves every family) and the
 * decode command FUNCODEC_FLAGS.rescale, into their parseArgs options.
 */
import type { ParseArgsConfig } from "node:util";
import { UsageError } from "../errors.js";
import type { FunCodecEncodeOptions } from "../models/funcodec/model.js";
import { integerFlag, type FlagValues } from "./args.js";

export const FUNCODEC_FLAGS = {
  "bit-width": { type: "string" },
  "n-q": { type: "string" },
  rescale: { type: "boolean" },
} as const satisfies NonNullable<ParseArgsConfig["options"]>;

/** --bit_width B (bits per second: rows = floor(B / bits per row)) or --n_q N (rows); neither: every row. */
export function funcodecEncodeFlags(values: FlagValues): Pick<FunCodecEncodeOptions, "bitWidth" | "codebooks"> {
  const rows = integerFlag(values, "n-q");
  const bitWidth = integerFlag(values, "bit-width");
  if (rows !== undefined && bitWidth !== undefined) throw new UsageError("--bit_width and --n_q: give one of them, not both");
  if (rows !== undefined) return { codebooks: rows };
  return bitWidth === undefined ? {} : { bitWidth };
}

/** The peak upstream's CLI rescales decoded audio to before writing 16-bit WAV. */
export const RESCALE_PEAK = 0.99;

/** --rescale: audio · min(0.99 / max|audio|, 1), in place, as upstream's save_audio(rescale=True). */
export function rescaleToPeak(audio: Float32Array, peak = RESCALE_PEAK): Float32Array {
  let max = 0;
  for (const v of audio) max = Math.max(max, Math.abs(v));
  const factor = max > 0 ? Math.min(Math.fround(peak / max), 1) : 1; // float32, as the tensor upstream divides
  if (factor !== 1) for (let i = 0; i < audio.length; i++) audio[i] = audio[i]! * factor;
  return audio;
}
