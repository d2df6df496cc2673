/**
 * The shape every in-process codec is wrapped into: feed file bytes in any chunking, get channel 0
 * (and the others on request) of whatever audio those bytes completed, at the stream's own rate. The packages' own exceptions
 * and their per-frame error lists become AudioDecodeError naming the file.
 */
import { AudioDecodeError } from "../../errors.js";

export interface DecodedBlock {
  /** Channel 0 of the newly decoded frames, float32 scaled as torchaudio scales the format. */
  samples: Float32Array; // [frames]
  sampleRate: number;
  channels: number;
  /**
   * Channels 1 .. channels − 1 of the same frames, decoded only when called (a mono model never
   * pays for them); absent for a mono stream. Call it before the next block is read: readers
   * reuse their buffers.
   */
  otherChannels?: () => Float32Array[]; // channels − 1 × [frames]
}

export interface StreamDecoder {
  /** Decode the next bytes of the file; null when they completed no audio frame. */
  decode(chunk: Uint8Array): Promise<DecodedBlock | null>;
  /** End of input: whatever the decoder still holds. */
  flush(): Promise<DecodedBlock | null>;
  /** Release the WebAssembly instance. Safe to call once, after anything else. */
  free(): void;
}

/** What the wasm-audio-decoders packages return from every decode call. */
export interface PackageResult {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: Array<{ message: string; frameNumber?: number; inputBytes?: number }>;
}

/**
 * Bookkeeping shared by the wrappers: converts a package result into a block of channel 0, and
 * remembers the first frame error. Corrupt frames inside an otherwise good stream are skipped, as
 * libsox (torchaudio's reader) skips them; a stream in which nothing decodes is an error.
 */
export class DecodeTracker {
  private firstError: string | null = null;
  private decodedAny = false;

  constructor(
    private readonly source: string,
    private readonly codec: string,
  ) {}

  block(result: PackageResult, transform?: (channel0: Float32Array) => Float32Array): DecodedBlock | null {
    for (const error of result.errors) {
      this.firstError ??= `${error.message}${error.inputBytes === undefined ? "" : ` (near byte ${error.inputBytes})`}`;
    }
    if (result.samplesDecoded === 0 || result.channelData.length === 0) return null;
    this.decodedAny = true;
    const frames = result.samplesDecoded;
    const channel = (data: Float32Array) => (transform ? transform(data.subarray(0, frames)) : data.subarray(0, frames));
    const block: DecodedBlock = { samples: channel(result.channelData[0]!), sampleRate: result.sampleRate, channels: result.channelData.length };
    if (result.channelData.length > 1) block.otherChannels = () => result.channelData.slice(1).map(channel);
    return block;
  }

  /** Call after flush: throws when the whole stream gave no audio. */
  finish(): void {
    if (this.decodedAny) return;
    throw new AudioDecodeError(
      this.source,
      this.firstError === null
        ? `looks like ${this.codec} but no audio frame could be decoded`
        : `looks like ${this.codec} but cannot be decoded: ${this.firstError}`,
    );
  }

  /** Wrap an exception thrown by the package. */
  wrap(error: unknown): AudioDecodeError {
    if (error instanceof AudioDecodeError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new AudioDecodeError(this.source, `looks like ${this.codec} but cannot be decoded: ${message}`, { cause: error });
  }
}

/**
 * Round to the nearest 16-bit step, saturating: what libvorbis' ov_read and opusfile's op_read do
 * when libsox asks them for 16-bit samples, which is how torchaudio's sox backend reads Ogg.
 */
export function quantize16(samples: Float32Array): Float32Array {
  const out = new Float32Array(samples.length); // [frames]
  for (let i = 0; i < samples.length; i++) {
    let v = Math.round(samples[i]! * 32768);
    if (v > 32767) v = 32767;
    else if (v < -32768) v = -32768;
    out[i] = v / 32768;
  }
  return out;
}

/** The streaming API the wasm-audio-decoders packages share (decode may be typed sync but be async). */
export interface PackageDecoder {
  ready: Promise<void>;
  decode(chunk: Uint8Array): PackageResult | Promise<PackageResult>;
  flush(): PackageResult | Promise<PackageResult>;
  free(): void;
}

/**
 * Wraps a package decoder whose decode/flush map one-to-one onto ours: every call's result becomes
 * a block of channel 0 (through `transform`), every exception an AudioDecodeError naming the file.
 */
export async function wrapPackageDecoder(
  source: string,
  codec: string,
  create: () => PackageDecoder,
  transform?: (channel0: Float32Array) => Float32Array,
): Promise<StreamDecoder> {
  const tracker = new DecodeTracker(source, codec);
  let decoder: PackageDecoder;
  try {
    decoder = create();
    await decoder.ready;
  } catch (error) {
    throw tracker.wrap(error);
  }
  return {
    async decode(chunk) {
      try {
        return tracker.block(await decoder.decode(chunk), transform);
      } catch (error) {
        throw tracker.wrap(error);
      }
    },
    async flush() {
      try {
        const block = tracker.block(await decoder.flush(), transform);
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
