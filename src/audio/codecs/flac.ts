/**
 * FLAC (native and in Ogg) through @wasm-audio-decoders/flac. Chosen because it is the reference
 * libFLAC compiled to WebAssembly and embedded in the package (no native build, nothing downloaded
 * at install or run time), it decodes incrementally so long files stream, it is MIT-licensed and
 * maintained with the rest of the wasm-audio-decoders family (MP3, Vorbis, Opus) used beside it.
 * Native FLAC is cut into frames by flacFrames.ts (the package's own splitter loses a short last
 * frame) and handed to the package's `decodeFrames`; Ogg FLAC goes through its `decode`.
 *
 * Scaling: the package divides each integer sample by 2^(bits-1) - 1 (32767 for 16-bit), while
 * libsox, and so torchaudio, divides by 2^(bits-1) (32768). The integers are recovered and rescaled.
 */
import { FLACDecoder } from "@wasm-audio-decoders/flac";
import { AudioDecodeError } from "../../errors.js";
import { checkSampleRate } from "../limits.js";
import { DecodeTracker, type DecodedBlock, type StreamDecoder } from "./codec.js";
import { FlacFrameSplitter } from "./flacFrames.js";

/** Sample sizes the package scales correctly (it leaves others undefined). */
export const FLAC_DECODER_BITS = new Set([8, 16, 24, 32]);

/**
 * Bits per sample from the STREAMINFO block that must follow "fLaC", or null when the header is too
 * short to say. Lets the caller send unusual sample sizes (12, 20 bit) to ffmpeg instead.
 */
export function flacBitsPerSample(head: Uint8Array, at = 0): number | null {
  // "fLaC", a 4-byte metadata block header, then STREAMINFO: min/max block (2+2), min/max frame
  // (3+3), then 20 bits rate, 3 bits channels - 1, 5 bits bits-per-sample - 1.
  const b = at + 8 + 12;
  if (head.length < b + 2) return null;
  return (((head[b]! & 1) << 4) | (head[b + 1]! >> 4)) + 1;
}

/**
 * Validates the STREAMINFO block that must follow "fLaC" (`start` is the file from the marker on,
 * `size` its full length): a damaged header is an AudioDecodeError here, not a detour to ffmpeg
 * with a made-up sample size.
 */
export function checkFlacHeader(start: Uint8Array, size: number, source: string): void {
  const damaged = (what: string): AudioDecodeError => new AudioDecodeError(source, `looks like FLAC but its header is damaged: ${what}`);
  if (size < 42 || start.length < 42) throw damaged(`${size} bytes, the STREAMINFO block alone needs 42`);
  // Metadata block header: last-block flag and 7-bit type (0 = STREAMINFO), 24-bit length (34).
  if ((start[4]! & 0x7f) !== 0) throw damaged(`first metadata block has type ${start[4]! & 0x7f}, STREAMINFO (0) must come first`);
  const length = (start[5]! << 16) | (start[6]! << 8) | start[7]!;
  if (length !== 34) throw damaged(`STREAMINFO block is ${length} bytes, it must be 34`);
  const rate = (start[18]! << 12) | (start[19]! << 4) | (start[20]! >> 4);
  checkSampleRate(rate, source);
  const bits = flacBitsPerSample(start)!;
  if (bits < 4) throw damaged(`${bits} bits per sample, at least 4 are needed`);
}

function rescale(bits: number): (channel0: Float32Array) => Float32Array {
  const divisor = 2 ** (bits - 1) - 1;
  const full = 2 ** (bits - 1);
  return (channel0) => {
    const out = new Float32Array(channel0.length); // [frames]
    if (bits > 24) {
      // float32 cannot hold 32-bit integers exactly: rescale instead of recovering them.
      for (let i = 0; i < channel0.length; i++) out[i] = (channel0[i]! * divisor) / full;
    } else {
      for (let i = 0; i < channel0.length; i++) out[i] = Math.round(channel0[i]! * divisor) / full;
    }
    return out;
  };
}

/** A FLAC decoder for a native stream, or for FLAC in Ogg when `ogg` is set. */
export async function createFlacDecoder(source: string, ogg = false): Promise<StreamDecoder> {
  const tracker = new DecodeTracker(source, ogg ? "Ogg FLAC" : "FLAC");
  const splitter = ogg ? null : new FlacFrameSplitter();
  let decoder: FLACDecoder;
  try {
    decoder = new FLACDecoder();
    await decoder.ready;
  } catch (error) {
    throw tracker.wrap(error);
  }
  const convert = (result: Awaited<ReturnType<FLACDecoder["decode"]>>): DecodedBlock | null =>
    tracker.block(result, rescale(result.bitDepth));
  return {
    async decode(chunk) {
      try {
        if (splitter === null) return convert(await decoder.decode(chunk));
        const frames = splitter.push(chunk);
        return frames.length === 0 ? null : convert(await decoder.decodeFrames(frames));
      } catch (error) {
        throw tracker.wrap(error);
      }
    },
    async flush() {
      try {
        const block = splitter === null ? convert(await decoder.flush()) : convert(await decoder.decodeFrames(splitter.end()));
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
        // Freeing a decoder whose instance already failed: nothing left to release.
      }
    },
  };
}
