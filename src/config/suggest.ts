/**
 * "Did you mean …?" for a name a user mistyped (config fields, command-line
 * options and commands): the closest known name by edit distance, if close.
 */

/** Levenshtein distance between two names. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(up + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = up;
    }
  }
  return row[b.length]!;
}

/** The known name closest to `name` when it is close enough to be a typo of it (≤ 2 edits or a third of its length), else undefined. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const best = known.map((k) => [k, distance(name, k)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= Math.max(2, name.length / 3) ? best[0] : undefined;
}
