/**
 * Groups model inputs into batches under a frame budget: sorted by length (longest first), so
 * that each batch pads its members only up to similar lengths, and cut whenever
 * batchSize × longest frames would pass the budget or the batch size limit.
 */

export interface BatchLimits {
  /** Most padded mel frames in one batch (batch size × longest input); Infinity for one batch. */
  maxBatchFrames: number;
  /** Most inputs in one batch; Infinity for no limit. */
  maxBatchSize: number;
}

/** Batches of input indices; each batch sorted longest first. */
export function planBatches(frameCounts: readonly number[], limits: BatchLimits): number[][] {
  const order = frameCounts.map((_, i) => i).sort((a, b) => frameCounts[b]! - frameCounts[a]! || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  let longest = 0;
  for (const index of order) {
    const frames = frameCounts[index]!;
    const candidateLongest = Math.max(longest, frames);
    const fits = (current.length + 1) * candidateLongest <= limits.maxBatchFrames && current.length < limits.maxBatchSize;
    if (current.length > 0 && !fits) {
      batches.push(current);
      current = [];
      longest = 0;
    }
    current.push(index);
    longest = Math.max(longest, frames);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
