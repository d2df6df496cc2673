/**
 * The single entry point for turning audio into the 16 kHz samples the feature front end expects,
 * as upstream's `load_audio()`: torchaudio.load -> Resample(orig, 16000) when the rate differs ->
 * first channel. Here channel 0 is taken first (the resampler works per channel, so the order does
 * not change the result) and resampled block by block as it is decoded, so a long file is held in
 * memory only as its 16 kHz result, never at its original rate.
 */

import { AudioTooShortError } from "../errors.js";
import { SAMPLE_RATE } from "../features/constants.js";
import { MIN_SAMPLES } from "../features/logMel.js";
import { withAudioBlocks } from "./decode.js";
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

async function to16k(audio: AudioSource, blocks: AsyncGenerator<DecodedBlock>, source: string): Promise<Float32Array> {
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

/**
 * Decode `path` (WAV, FLAC, MP3, Ogg Vorbis, Ogg Opus in-process; other formats through ffmpeg)
 * to 16 kHz samples of its first channel ([samples], float32, nominally in [-1, 1]).
 * Throws AudioDecodeError for unreadable input, AudioTooShortError for < MIN_SAMPLES samples.
 */
export function loadAudio(path: string): Promise<Float32Array> {
  return withAudioBlocks({ path }, to16k);
}

/** loadAudio for an audio file held in memory (e.g. a pipe's output); `source` names it in errors. */
export function loadAudioBytes(bytes: Uint8Array, source: string): Promise<Float32Array> {
  return withAudioBlocks({ bytes, source }, to16k);
}
