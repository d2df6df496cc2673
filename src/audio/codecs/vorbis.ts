/**
 * Ogg Vorbis through @wasm-audio-decoders/ogg-vorbis: libvorbis compiled to WebAssembly and
 * embedded (no native build, nothing downloaded), streaming, MIT-licensed, same maintained family
 * as the FLAC/MP3/Opus decoders here.
 *
 * libsox reads Vorbis through ov_read() as 16-bit integers, so torchaudio's samples are libvorbis'
 * floats rounded to 1/32768 steps; the same rounding is applied here.
 */
import { OggVorbisDecoder } from "@wasm-audio-decoders/ogg-vorbis";
import { DecodeTracker, quantize16, type StreamDecoder } from "./codec.js";

export async function createVorbisDecoder(source: string): Promise<StreamDecoder> {
  const tracker = new DecodeTracker(source, "Ogg Vorbis");
  let decoder: OggVorbisDecoder;
  try {
    decoder = new OggVorbisDecoder();
    await decoder.ready;
  } catch (error) {
    throw tracker.wrap(error);
  }
  return {
    async decode(chunk) {
      try {
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
