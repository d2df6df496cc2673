/**
 * What RepCodec's HuBERT and data2vec readers do to a waveform around the encoder, in plain
 * arithmetic: the whole-utterance layer norm of `task.normalize`, the cut into pieces of
 * `max_chunk` samples that are encoded independently, and the front end's frame counts.
 */
import type { ConvLayerSpec } from "./config.js";

/** RepCodec's default max_chunk: 1,600,000 samples (100 s at 16 kHz). */
export const DEFAULT_MAX_CHUNK = 1_600_000;

/** torch F.layer_norm's epsilon. */
const EPSILON = 1e-5;

/**
 * F.layer_norm(x, x.shape): (x − mean) / sqrt(biased variance + 1e-5) over the whole utterance,
 * no affine; moments accumulated in float64, the result in float32 as torch's x · rstd − mean · rstd.
 */
export function layerNormWaveform(samples: Float32Array): Float32Array {
  let sum = 0;
  for (const x of samples) sum += x;
  const mean = sum / samples.length;
  let squares = 0;
  for (const x of samples) squares += (x - mean) ** 2;
  const rstd = Math.fround(1 / Math.sqrt(Math.fround(squares / samples.length) + EPSILON));
  const shift = Math.fround(-Math.fround(mean) * rstd);
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = Math.fround(samples[i]! * rstd) + shift;
  return out;
}

/** The consecutive pieces of `maxChunk` samples the readers encode one by one (views, no copy). */
export function chunkPieces(samples: Float32Array, maxChunk: number): Float32Array[] {
  const pieces: Float32Array[] = [];
  for (let start = 0; start < samples.length; start += maxChunk) pieces.push(samples.subarray(start, start + maxChunk));
  return pieces;
}

/** Frames the front end makes of `samples`: each valid conv gives (L − k) // s + 1 (0 when too short). */
export function frontEndFrames(samples: number, layers: readonly ConvLayerSpec[]): number {
  let length = samples;
  for (const { kernel, stride } of layers) {
    if (length < kernel) return 0;
    length = Math.floor((length - kernel) / stride) + 1;
  }
  return length;
}

/** The fewest samples that give one frame (400 for the released stacks: the receptive field). */
export function minimumSamples(layers: readonly ConvLayerSpec[]): number {
  let needed = 1;
  for (let i = layers.length - 1; i >= 0; i--) needed = (needed - 1) * layers[i]!.stride + layers[i]!.kernel;
  return needed;
}
