/**
 * MPEG audio (MP3, and layers I/II) through mpg123-decoder: libmpg123 compiled to WebAssembly and
 * embedded in the package (no native build, nothing downloaded), MIT-licensed, from the same
 * maintained wasm-audio-decoders family as the FLAC and Ogg decoders. libmpg123 is also what
 * libsox and ffmpeg-based readers use for MP3 in many builds, and it reads the LAME/Xing header
 * to drop the encoder delay and padding ("gapless"), which is how the fixture's reference was cut.
 *
 * MP3 decoders differ in their last bits and in delay handling, so tokens of MP3 input agree with
 * torchaudio's closely but not exactly (see the MP3 conformance test).
 */
import { MPEGDecoder } from "mpg123-decoder";
import { DecodeTracker, type StreamDecoder } from "./codec.js";

export async function createMp3Decoder(source: string): Promise<StreamDecoder> {
  const tracker = new DecodeTracker(source, "MP3");
  let decoder: MPEGDecoder;
  try {
    decoder = new MPEGDecoder({ enableGapless: true });
    await decoder.ready;
  } catch (error) {
    throw tracker.wrap(error);
  }
  return {
    async decode(chunk) {
      try {
        return tracker.block(await decoder.decode(chunk));
      } catch (error) {
        throw tracker.wrap(error);
      }
    },
    async flush() {
      // libmpg123 emits each frame as soon as it is complete: nothing is held back.
      tracker.finish();
      return null;
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
