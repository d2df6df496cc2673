/**
 * Groups model inputs into batches under a frame budget: sorted by length (longest first), so
 * that each batch pads its members only up to similar lengths, and cut whenever
 * batchSize × longest frames would pass the budget, the batch size limit, or the padding limit.
 * On a CPU a batch computes no faster per frame than one input alone, so every padded frame is
 * lost time: the padding limit keeps that loss small. On a GPU batching pays and padding is cheap.
 */

export interface BatchLimits {
  /** Most padded mel frames in one batch (batch size × longest input); Infinity for one batch. */
  maxBatchFrames: number;
  /** Most inputs in one batch; Infinity for no limit. */
  maxBatchSize: number;
  /** Most padded frames as a share of real frames in a batch (0.1 = 10 %); Infinity for no limit. */
  maxPaddingRatio?: number;
}

/** Batches of input indices; each batch sorted longest first. */
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
