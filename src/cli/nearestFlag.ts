/**
 * "Did you mean": the known flag nearest to a mistyped one, by edit distance (insertions,
 * deletions, substitutions), when it is near enough to be a typo rather than another word.
 */

/** Levenshtein distance between `a` and `b`. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

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
