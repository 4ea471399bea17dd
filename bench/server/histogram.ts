/**
 * Quantiles of a Prometheus histogram between two scrapes: the bucket
 * deltas (after − before) are a histogram of the observations made between
 * them, and a quantile is estimated as Prometheus' histogram_quantile does,
 * by linear interpolation within the bucket holding the rank (from 0 for the
 * first bucket; a rank in the +Inf bucket gives the highest finite bound).
 */
import type { ParsedFamily } from '../../test/support/prometheusText.js';

/** Cumulative bucket counts by upper bound, ascending, +Inf last. */
export interface Buckets {
  le: number[];
  count: number[];
}

/** The buckets of an unlabelled histogram family. */
export function histogramBuckets(families: Map<string, ParsedFamily>, name: string): Buckets {
  const family = families.get(name);
  if (!family) throw new Error(`metric ${name} is missing from /metrics`);
  const pairs: [number, number][] = [];
  for (const s of family.samples) {
    if (s.name !== `${name}_bucket`) continue;
    const le = s.labels.le;
    if (le === undefined) throw new Error(`${name}_bucket without le`);
    pairs.push([le === '+Inf' ? Infinity : Number(le), s.value]);
  }
  pairs.sort((a, b) => a[0] - b[0]);
  if (pairs.length === 0 || pairs[pairs.length - 1]![0] !== Infinity) throw new Error(`${name} has no +Inf bucket`);
  return { le: pairs.map((p) => p[0]), count: pairs.map((p) => p[1]) };
}

/** after − before, bucket by bucket (same bounds). */
export function bucketDelta(before: Buckets, after: Buckets): Buckets {
  if (before.le.length !== after.le.length || before.le.some((le, i) => le !== after.le[i])) throw new Error('histogram buckets changed between scrapes');
  return { le: after.le, count: after.count.map((c, i) => c - before.count[i]!) };
}

/** Observations in the histogram. */
export function bucketTotal(b: Buckets): number {
  return b.count[b.count.length - 1] ?? 0;
}

/** The q-quantile (0…1), interpolated linearly within its bucket; NaN when empty. */
export function bucketQuantile(b: Buckets, q: number): number {
  const total = bucketTotal(b);
  if (total <= 0) return NaN;
  const rank = q * total;
  let prevCount = 0;
  let prevLe = 0;
  for (let i = 0; i < b.le.length; i++) {
    const le = b.le[i]!;
    const c = b.count[i]!;
    if (c >= rank && c > prevCount) {
      if (le === Infinity) return prevLe;
      return prevLe + ((le - prevLe) * (rank - prevCount)) / (c - prevCount);
    }
    prevCount = c;
    prevLe = le;
  }
  return prevLe;
}

/** The sum of a counter or gauge family's samples (all label sets); 0 when it has none. */
export function familyValue(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string> = {}): number {
  const family = families.get(name);
  if (!family) throw new Error(`metric ${name} is missing from /metrics`);
  let sum = 0;
  for (const s of family.samples) {
    if (s.name !== name && s.name !== `${name}_total`) continue;
    if (Object.entries(labels).every(([k, v]) => s.labels[k] === v)) sum += s.value;
  }
  return sum;
}
