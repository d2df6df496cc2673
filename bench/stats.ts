/** The two statistics the benchmark reports per variant: the best run and the typical run. */

export interface TimingSummary {
  /** Every timed run, in seconds, in the order they ran. */
  runs_s: number[];
  min_s: number;
  median_s: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarizeTimes(runs: readonly number[]): TimingSummary {
  return { runs_s: [...runs], min_s: runs.length ? Math.min(...runs) : Number.NaN, median_s: median(runs) };
}

/** Seconds since `start` (a performance.now() reading). */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}
