/**
 * Decoded blocks to the 16 kHz samples the feature front end expects (loadAudio.ts's and the
 * page's last step): resampled block by block with torchaudio's kernel as they are decoded.
 */
import { AudioTooShortError } from "../errors.js";
import { SAMPLE_RATE } from "../features/constants.js";
import { MIN_SAMPLES } from "../features/logMel.js";
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

/** Channel-0 blocks resampled to 16 kHz as they come, into one array; AudioTooShortError naming `source`. */
export async function to16k(audio: AudioSource, blocks: AsyncGenerator<DecodedBlock>, source: string): Promise<Float32Array> {
  let resampler: StreamingResampler | null = null;
  let output: Output | null = null;
  for await (const block of blocks) {
    if (output === null) {
      const expected = audio.totalFrames === null ? null : resampledLength(audio.totalFrames, block.sampleRate, SAMPLE_RATE);
      output = new Output(expected);
      if (block.sampleRate !== SAMPLE_RATE) resampler = new StreamingResampler(block.sampleRate, SAMPLE_RATE);
    }
    output.add(resampler === null ? block.samples : resampler.push(block.samples));
  }
  if (output === null) output = new Output(0);
  if (resampler !== null) output.add(resampler.finish());
  const samples = output.result();
  // One STFT frame needs MIN_SAMPLES at 16 kHz (the reflect padding); fail here, naming the file.
  if (samples.length < MIN_SAMPLES) throw new AudioTooShortError(source, samples.length, MIN_SAMPLES);
  return samples;
}
