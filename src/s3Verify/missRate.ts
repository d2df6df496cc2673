/**
 * Agreement between two token sequences, measured as upstream does: over the common prefix
 * (the shorter length), the share of positions whose tokens differ; plus whether lengths differ.
 */

export interface TokenComparison {
  /** Positions compared: min(reference length, candidate length). */
  compared: number;
  /** Compared positions whose tokens differ. */
  misses: number;
  referenceLength: number;
  candidateLength: number;
}

export function compareTokens(reference: ArrayLike<number>, candidate: ArrayLike<number>): TokenComparison {
  const compared = Math.min(reference.length, candidate.length);
  let misses = 0;
  for (let i = 0; i < compared; i++) if (reference[i] !== candidate[i]) misses++;
  return { compared, misses, referenceLength: reference.length, candidateLength: candidate.length };
}

/** Totals over many comparisons; missRate in [0, 1]. */
export function summarize(comparisons: readonly TokenComparison[]): {
  compared: number;
  misses: number;
  missRate: number;
  lengthMismatches: number;
} {
  const compared = comparisons.reduce((sum, c) => sum + c.compared, 0);
  const misses = comparisons.reduce((sum, c) => sum + c.misses, 0);
  const lengthMismatches = comparisons.filter((c) => c.referenceLength !== c.candidateLength).length;
  return { compared, misses, missRate: compared === 0 ? 0 : misses / compared, lengthMismatches };
}
