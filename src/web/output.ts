/**
 * What a page does with a loaded model: tokens of its samples (decodeAudioForModel's), the CLI's JSON line for them
 * (the corpus job's own formatter), and audio back as WAV bytes for families with a decoder.
 */
import { encodeWav, type WavSampleFormat } from "../audio/wavWrite.js";
import { InvalidInputError } from "../errors.js";
import { formatPartLine } from "../parts/partFormat.js";
import type { Codes, EncodeOptions, FamilyFacts, TokenizerModel } from "../family/types.js";

/** Codes of one utterance (samples in the model's format, planar [channels, frames]): rows [codebooks, frames]. */
export async function tokenize(model: TokenizerModel, audio: Float32Array, options?: EncodeOptions): Promise<Codes> {
  const [codes] = await model.encode([audio], options);
  return codes!;
}

/**
 * The line `s3tokenizer extract` writes for an utterance (without its newline):
 * {"key", "code", "scale"?}, codes flat for a one-row model, rows otherwise. `model` decides that
 * shape as the CLI does (its rows, not the codes'); without it the codes' own rows do.
 */
export function codesJsonLine(key: string, codes: Codes, model: Pick<FamilyFacts, "codebooks"> = codes): string {
  return formatPartLine("jsonl", key, codes, model);
}

/** WAV bytes (the model's rate and channels; 16-bit PCM unless "f32") of decoded codes, as the CLI's decode writes. */
export async function decodeToWav(model: TokenizerModel, codes: Codes, format: WavSampleFormat = "s16"): Promise<Uint8Array> {
  if (!model.decode) throw new InvalidInputError(`${model.source}: ${model.family} has no decoder to audio`);
  const [audio] = await model.decode([codes]);
  return encodeWav(audio!, model.sampleRate, format, model.channels);
}
