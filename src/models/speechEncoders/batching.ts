/**
 * How a model over a HuBERT / data2vec-audio encoder cuts a call's utterances into forward passes
 * (RepCodec's tokens and k-means units alike): utterances up to 30 s share padded batches under
 * the limits, longer ones run alone, since their attention already fills the machine.
 */
import { planBatches, type BatchLimits, type BatchPolicy } from "../../pipeline/batchPlan.js";
import type { ConvLayerSpec } from "./config.js";
import { frontEndFrames } from "./waveform.js";

/** Utterances up to this many frames (30 s) share padded batches. */
const BATCHED_FRAMES = 1500;

export interface SpeechEncoderBatching {
  /** Most padded feature frames (batch size × longest) per forward pass (default 6000, 2 minutes). */
  maxBatchFrames?: number;
  /** Most utterances per forward pass (default 16). */
  maxBatchSize?: number;
  /**
   * Most padded frames as a share of real ones in a batch (default 0.1): on a CPU a padded frame
   * costs as much as a real one in the 16 kHz convolutions and the attention.
   */
  maxPaddingRatio?: number;
}

/** The limits of `options`, defaults filled in. */
export function speechEncoderBatchLimits(options: SpeechEncoderBatching): Required<BatchLimits> {
  return { maxBatchFrames: options.maxBatchFrames ?? 6000, maxBatchSize: options.maxBatchSize ?? 16, maxPaddingRatio: options.maxPaddingRatio ?? 0.1 };
}

/** The policy a model states for these limits. */
export function speechEncoderBatchPolicy(limits: Required<BatchLimits>): BatchPolicy {
  return { unit: "frames", unitName: "speech-encoder frames (50 a second)", maxBatchUnits: limits.maxBatchFrames, maxBatchSize: limits.maxBatchSize, maxPaddingRatio: limits.maxPaddingRatio };
}

/** Batches of input indices (each once): short utterances in padded batches under the limits, long ones alone. */
export function planSpeechEncoderBatches(inputs: readonly Float32Array[], convLayers: readonly ConvLayerSpec[], limits: Required<BatchLimits>): number[][] {
  const frames = inputs.map((samples) => frontEndFrames(samples.length, convLayers));
  const short = frames.flatMap((n, i) => (n <= BATCHED_FRAMES ? [i] : []));
  const batches = planBatches(short.map((i) => frames[i]!), limits).map((batch) => batch.map((j) => short[j]!));
  return [...batches, ...frames.flatMap((n, i) => (n > BATCHED_FRAMES ? [[i]] : []))];
}
