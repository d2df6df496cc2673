/**
 * EnCodec's compress / decompress (upstream compress.py without the language model) over a loaded
 * model: audio (planar [C, L]) → `.ecdc` bytes at a bandwidth, and `.ecdc` bytes → audio trimmed
 * to the length the header gives, at the model's rate.
 */
import type { EcdcMetadata } from "./ecdcHeader.js";
import { readEcdc, writeEcdc } from "./ecdcFile.js";
import type { EncodecModel } from "./model.js";

/** The `.ecdc` bytes of one utterance (planar [C, L] at the model's rate), as compress(model, wav, use_lm=False). */
export async function compressEcdc(model: EncodecModel, audio: Float32Array, options: { bandwidth?: number } = {}): Promise<Uint8Array> {
  const [codes] = await model.encode([audio], options);
  return writeEcdc(model.config, codes!, audio.length / model.channels);
}

/** Audio (planar [C, al]) of a `.ecdc` file, as decompress(bytes); `source` names the file in errors. */
export async function decompressEcdc(model: EncodecModel, bytes: Uint8Array, source: string): Promise<{ audio: Float32Array; sampleRate: number; meta: EcdcMetadata }> {
  const { meta, codes } = readEcdc(model.config, bytes, source);
  const [decoded] = await model.decode([codes]);
  const width = decoded!.length / model.channels;
  const audio = new Float32Array(model.channels * meta.audioLength); // [C, al]
  for (let c = 0; c < model.channels; c++) audio.set(decoded!.subarray(c * width, c * width + meta.audioLength), c * meta.audioLength);
  return { audio, sampleRate: model.sampleRate, meta };
}
