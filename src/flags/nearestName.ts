/**
 * "Did you mean": the known flag nearest to a mistyped one, by edit distance (insertions,
 * deletions, substitutions), when it is near enough to be a typo rather than another word.
 */
import { distance } from "fastest-levenshtein";

/** Levenshtein distance between `a` and `b` (fastest-levenshtein's). */
export const editDistance: (a: string, b: string) => number = distance;

/**
 * The name among `known` nearest to `typed` (names without dashes, compared as written), or null
 * when none is within a third of the typed name's length (at least 2 edits allowed); ties go to
 * the first in `known`.
 */
export function nearestName(typed: string, known: readonly string[]): string | null {
  const allowed = Math.max(2, Math.floor(typed.length / 3));
  let best: string | null = null;
  let bestDistance = allowed + 1;
  for (const name of known) {
    const distance = editDistance(typed, name);
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}
