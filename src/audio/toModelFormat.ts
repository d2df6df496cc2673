/**
 * Decoded blocks to the audio a model takes (loadAudio.ts's and the page's last step): its
 * channels (channels.ts) resampled to its rate with torchaudio's kernel, block by block as they are
 * decoded, into planar [channels, frames] (mono: [frames]).
 */
import { AudioTooShortError } from "../errors.js";
import { MIN_SAMPLES } from "../features/logMel.js";
import { modelChannels } from "./channels.js";
import { toPlanar, type AudioFormat } from "./format.js";
import { resampledLength, StreamingResampler } from "./resample.js";
import type { AudioSource, DecodedBlock } from "./source.js";

/** Accumulates output pieces; writes into one preallocated array when the final length is known. */
class Output {
  private readonly parts: Float32Array[] = [];
  private preallocated: Float32Array | null;
  private length = 0;

  constructor(expected: number | null) {
    this.preallocated = expected === null ? null : new Float32Array(expected); // [expected]
  }

  add(piece: Float32Array): void {
    if (piece.length === 0) return;
    if (this.preallocated !== null && this.length + piece.length <= this.preallocated.length) {
      this.preallocated.set(piece, this.length);
    } else {
      // The header's frame count was wrong after all: fall back to collecting pieces.
      if (this.preallocated !== null) this.parts.push(this.preallocated.subarray(0, this.length));
      this.preallocated = null;
      this.parts.push(piece);
    }
    this.length += piece.length;
  }

  result(): Float32Array {
    if (this.preallocated !== null) return this.preallocated.subarray(0, this.length);
    if (this.parts.length === 1) return this.parts[0]!;
    const out = new Float32Array(this.length); // [samples]
    let at = 0;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}

/**
 * A stream's blocks brought to `format` one at a time: each block's channels as the model takes
 * them, each resampled by its own streaming resampler (none where the rates agree).
 */
export class FormatConverter {
  private resamplers: Array<StreamingResampler | null> | null = null;

  constructor(
    readonly format: AudioFormat,
    private readonly source: string,
  ) {}

  /** The output `block` completes, per model channel: format.channels × [frames]. */
  push(block: DecodedBlock): Float32Array[] {
    const channels = modelChannels(block, this.format, this.source);
    const rate = this.format.sampleRate;
    this.resamplers ??= channels.map(() => (block.sampleRate === rate ? null : new StreamingResampler(block.sampleRate, rate)));
    return channels.map((samples, c) => this.resamplers![c]?.push(samples) ?? samples);
  }

  /** The resamplers' tails, per model channel (empty where nothing was resampled or pushed). */
  finish(): Float32Array[] {
    return Array.from({ length: this.format.channels }, (_, c) => this.resamplers?.[c]?.finish() ?? new Float32Array(0));
  }
}

/** Refuses audio shorter than one STFT frame (MIN_SAMPLES per channel at `format`'s rate), naming `source`. */
export function checkLongEnough(frames: number, format: AudioFormat, source: string): void {
  if (frames < MIN_SAMPLES) throw new AudioTooShortError(source, frames, MIN_SAMPLES, format.sampleRate);
}

/**
 * The consumer that brings blocks to `format` as they come, into one planar array
 * [channels, frames]; AudioTooShortError naming the source.
 */
export function toModelFormat(format: AudioFormat): (audio: AudioSource, blocks: AsyncGenerator<DecodedBlock>, source: string) => Promise<Float32Array> {
  return async (audio, blocks, source) => {
    const converter = new FormatConverter(format, source);
    let outputs: Output[] | null = null;
    for await (const block of blocks) {
      if (outputs === null) {
        const expected = audio.totalFrames === null ? null : resampledLength(audio.totalFrames, block.sampleRate, format.sampleRate);
        outputs = Array.from({ length: format.channels }, () => new Output(expected));
      }
      converter.push(block).forEach((piece, c) => outputs![c]!.add(piece));
    }
    outputs ??= Array.from({ length: format.channels }, () => new Output(0));
    converter.finish().forEach((piece, c) => outputs![c]!.add(piece));
    const channels = outputs.map((output) => output.result());
    // One STFT frame needs MIN_SAMPLES (the reflect padding); fail here, naming the file.
    checkLongEnough(channels[0]!.length, format, source);
    return toPlanar(channels);
  };
}
