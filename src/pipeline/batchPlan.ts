/**
 * Groups model inputs into batches under a frame budget: sorted by length (longest first), so
 * that each batch pads its members only up to similar lengths, and cut whenever
 * batchSize × longest frames would pass the budget, the batch size limit, or the padding limit.
 * On a CPU a batch computes no faster per frame than one input alone, so every padded frame is
 * lost time: the padding limit keeps that loss small. On a GPU batching pays and padding is cheap.
 * Every family's model plans its batches here, from the BatchPolicy it states (below):
 * "frames" below are that policy's units, whatever they count (mel frames, samples).
 */

/** What a model's batch budget counts: frames of the model's own kind, or input samples. */
export type BatchUnit = "frames" | "samples";

/**
 * How a loaded model cuts one call's inputs into forward passes. The model states it (from its
 * load options over its own per-device defaults); planBatches, below, plans
 * every family's batches from it.
 */
export interface BatchPolicy {
  readonly unit: BatchUnit;
  /** The unit as help and messages name it ("mel frames", "samples"). */
  readonly unitName: string;
  /** Most padded units per forward pass (batch size × longest input; FamilyLoadOptions.maxBatchFrames). */
  readonly maxBatchUnits: number;
  /** Most inputs per forward pass (FamilyLoadOptions.maxBatchSize); Infinity for no limit. */
  readonly maxBatchSize: number;
  /** Most padded units as a share of real ones in a batch; absent: no limit. */
  readonly maxPaddingRatio?: number;
}

export interface BatchLimits {
  /** Most padded units (frames or samples: the policy's) in one batch (batch size × longest input); Infinity for one batch. */
  maxBatchFrames: number;
  /** Most inputs in one batch; Infinity for no limit. */
  maxBatchSize: number;
  /** Most padded frames as a share of real frames in a batch (0.1 = 10 %); Infinity for no limit. */
  maxPaddingRatio?: number;
}

/** The planner's limits of a model's stated policy. */
export function policyLimits(policy: BatchPolicy): BatchLimits {
  return {
    maxBatchFrames: policy.maxBatchUnits,
    maxBatchSize: policy.maxBatchSize,
    ...(policy.maxPaddingRatio === undefined ? {} : { maxPaddingRatio: policy.maxPaddingRatio }),
  };
}

/** Batches of input indices (an input over the budget goes alone); each batch sorted longest first. */
export function planBatches(frameCounts: readonly number[], limits: BatchLimits): number[][] {
  const order = frameCounts.map((_, i) => i).sort((a, b) => frameCounts[b]! - frameCounts[a]! || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  let longest = 0;
  let real = 0;
  const paddingRatio = limits.maxPaddingRatio ?? Infinity;
  for (const index of order) {
    const frames = frameCounts[index]!;
    const candidateLongest = Math.max(longest, frames);
    const padded = (current.length + 1) * candidateLongest;
    const fits = padded <= limits.maxBatchFrames && current.length < limits.maxBatchSize &&
      padded - (real + frames) <= paddingRatio * (real + frames);
    if (current.length > 0 && !fits) {
      batches.push(current);
      current = [];
      longest = 0;
      real = 0;
    }
    current.push(index);
    longest = Math.max(longest, frames);
    real += frames;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
