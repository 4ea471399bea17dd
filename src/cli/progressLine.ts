/**
 * The progress line `eddy run` prints to stderr every few seconds.
 */
import type { QueryProgress } from '../engine/progress.js';

// made on first use: building a NumberFormat loads ICU data (~25 ms), which commands that print no progress skip
let intFormat: Intl.NumberFormat | undefined;
const int = { format: (n: number): string => (intFormat ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })).format(n) };

/** Formats a rate compactly: 950, 12.3k, 4.56M. */
export function compactRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M`;
  if (perSecond >= 1e4) return `${(perSecond / 1e3).toFixed(1)}k`;
  return int.format(perSecond);
}

/**
 * One line summarising progress since the previous line, e.g.
 * `progress: batch 41 · 2,400 rows in 5.0 s (480/s arriving, 3.1M/s processed) · watermark 2024-01-01T00:41:00.000Z · windows 64 · late 1 · errors 0 · keys 8`.
 */
export function progressLine(p: QueryProgress, rowsSinceLast: number, secondsSinceLast: number, processedRate: number): string {
  return [
    `progress: batch ${p.batchId}`,
    `${int.format(rowsSinceLast)} rows in ${secondsSinceLast.toFixed(1)} s (${compactRate(rowsSinceLast / Math.max(secondsSinceLast, 1e-9))}/s arriving, ${compactRate(processedRate)}/s processed)`,
    `watermark ${p.watermark ?? '—'}`,
    `windows ${int.format(p.totals.outputRows)}`,
    `late ${int.format(p.totals.lateRows)}`,
    `errors ${int.format(p.totals.errors)}`,
    `keys ${int.format(p.numKeys)}`,
  ].join(' · ');
}
