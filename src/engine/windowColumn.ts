/**
 * `window(timeColumn, size, slide?)`: the event-time window a query groups
 * by, as in Spark. Without a slide the window tumbles (slide = size).
 */
import { parseDuration, type Duration } from './duration.js';

/** A window grouping column. */
export interface WindowColumn {
  readonly kind: 'window';
  /** The event-time field of the rows. */
  readonly timeColumn: string;
  readonly sizeMs: number;
  readonly slideMs: number;
}

/** Groups by tumbling (no slide) or sliding event-time windows over `timeColumn`. */
export function window(timeColumn: string, size: Duration, slide?: Duration): WindowColumn {
  if (typeof timeColumn !== 'string' || timeColumn === '') throw new TypeError('window(): expected the event-time column name first');
  const sizeMs = parseDuration(size, 'window size');
  const slideMs = slide === undefined ? sizeMs : parseDuration(slide, 'window slide');
  if (sizeMs < 1 || !Number.isInteger(sizeMs)) throw new RangeError(`window size must be a whole number of milliseconds ≥ 1, got ${String(size)}`);
  if (slideMs < 1 || !Number.isInteger(slideMs)) throw new RangeError(`window slide must be a whole number of milliseconds ≥ 1, got ${String(slide)}`);
  if (slideMs > sizeMs) throw new RangeError(`window slide (${String(slide)}) must not be longer than the window (${String(size)})`);
  return { kind: 'window', timeColumn, sizeMs, slideMs };
}

/** True for a WindowColumn (as opposed to a plain key column name). */
export function isWindowColumn(x: unknown): x is WindowColumn {
  return typeof x === 'object' && x !== null && (x as WindowColumn).kind === 'window';
}
