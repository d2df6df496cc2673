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
import { AudioDecodeError } from "../../errors.js";
import { wrapPackageDecoder, type PackageDecoder, type PackageResult, type StreamDecoder } from "./codec.js";

/**
 * Runs `decode` with console.error muted: the package prints every libmpg123 error itself
 * ("mpg123-decoder: -1 MPG123_ERR"), and a library must not write to its caller's stderr. The
 * call is synchronous, so nothing else can log in between.
 */
function quietly<T>(decode: () => T): T {
  const saved = console.error;
  console.error = () => undefined;
  try {
    return decode();
  } finally {
    console.error = saved;
  }
}

/**
 * libmpg123 resynchronises over damage and goes on producing samples, so random bytes behind a
 * frame header decode to noise. An error it reports means a damaged file: refuse it.
 */
function refuseErrors(result: PackageResult, source: string): PackageResult {
  const error = result.errors[0];
  if (error === undefined) return result;
  const where = error.inputBytes === undefined ? "" : ` near byte ${error.inputBytes}`;
  throw new AudioDecodeError(source, `damaged MP3: the decoder reports ${error.message}${where}`);
}

/** libmpg123 emits each frame as soon as it is complete: nothing is held back for a flush. */
const NOTHING_HELD = { channelData: [], samplesDecoded: 0, sampleRate: 0, errors: [] };

export function createMp3Decoder(source: string): Promise<StreamDecoder> {
  return wrapPackageDecoder(source, "MP3", () => {
    const decoder = new MPEGDecoder({ enableGapless: true });
    return {
      ready: decoder.ready,
      decode: (chunk: Uint8Array) => refuseErrors(quietly(() => decoder.decode(chunk)), source),
      flush: () => NOTHING_HELD,
      free: () => decoder.free(),
    } as PackageDecoder;
  });
}
