/**
 * Ogg Opus through ogg-opus-decoder: libopus compiled to WebAssembly and embedded (no native build,
 * nothing downloaded; its optional machine-learning enhancement, the only part it would load
 * lazily, stays off), streaming, honours the stream's pre-skip and end trimming, MIT-licensed,
 * same maintained family as the other decoders here. Opus always decodes at 48 kHz, as libsox
 * reports it.
 *
 * libsox reads Opus through opusfile's op_read() as 16-bit integers; the samples are rounded to
 * 1/32768 steps likewise (opusfile adds a tiny dither when it does this, which cannot be
 * reproduced: the difference is at most a few 16-bit steps).
 */
import { OggOpusDecoder } from "ogg-opus-decoder";
import { DecodeTracker, quantize16, type StreamDecoder } from "./codec.js";

export async function createOpusDecoder(source: string): Promise<StreamDecoder> {
  const tracker = new DecodeTracker(source, "Ogg Opus");
  let decoder: OggOpusDecoder;
  try {
    decoder = new OggOpusDecoder({ speechQualityEnhancement: "none" });
    await decoder.ready;
  } catch (error) {
    throw tracker.wrap(error);
  }
  return {
    async decode(chunk) {
      try {
        // Typed as synchronous, but the package implements it as async.
        return tracker.block(await decoder.decode(chunk), quantize16);
      } catch (error) {
        throw tracker.wrap(error);
      }
    },
    async flush() {
      try {
        const block = tracker.block(await decoder.flush(), quantize16);
        tracker.finish();
        return block;
      } catch (error) {
        throw tracker.wrap(error);
      }
    },
    free() {
      try {
        decoder.free();
      } catch {
        // Nothing left to release.
      }
    },
  };
}
