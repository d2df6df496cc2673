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
import { wrapPackageDecoder, type PackageDecoder, type StreamDecoder } from "./codec.js";

/** libmpg123 emits each frame as soon as it is complete: nothing is held back for a flush. */
const NOTHING_HELD = { channelData: [], samplesDecoded: 0, sampleRate: 0, errors: [] };

export function createMp3Decoder(source: string): Promise<StreamDecoder> {
  return wrapPackageDecoder(source, "MP3", () => {
    const decoder = new MPEGDecoder({ enableGapless: true });
    return {
      ready: decoder.ready,
      decode: (chunk: Uint8Array) => decoder.decode(chunk),
      flush: () => NOTHING_HELD,
      free: () => decoder.free(),
    } as PackageDecoder;
  });
}
