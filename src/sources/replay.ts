/**
 * Replaying recorded events at (a multiple of) the speed they happened.
 *
 * Each row is released when the wall clock reaches the row's place on the
 * recording's timeline: `startWall + (ts − firstTs) / speed`, where firstTs
 * is the first parseable timestamp. So between two in-order rows the delay is
 * `(ts2 − ts1) / speed`, and time spent by the consumer is not added on top
 * (no drift). Scheduling against the timeline rather than the previous row
 * means an out-of-order row, whose place is already past, is released at
 * once, and the rows after it keep the recording's pace. Rows whose
 * timestamp cannot be parsed are released immediately: the engine reports
 * them.
 *
 * Batches from the reader are cut where a row is not due yet: the rows
 * before it are yielded first, then the replay sleeps (abortably). Errors of
 * a batch travel with its first slice.
 */
import { parseTimestamp } from '../engine/timestamp.js';
import type { Row, SourceBatch } from './source.js';
import { sleep } from './wait.js';

/** How the replay is paced. */
export interface ReplayOptions {
  /** Replay speed factor: 1 = as recorded, 60 = sixty times faster. */
  speed: number;
  /** Field holding the event time. */
  timestampField: string;
}

/**
 * Rows due within this many ms are released now: sleeping for less is not
 * worth a timer (timers are ~1 ms coarse), and releasing that early is
 * harmless. It does not accumulate, since every row is scheduled against the
 * timeline.
 */
const RELEASE_EARLY_MS = 2;

/** Throws a RangeError unless `speed` is a usable replay speed. */
export function checkSpeed(speed: unknown, option = 'speed'): number {
  if (typeof speed !== 'number' || !Number.isFinite(speed) || speed <= 0) {
    throw new RangeError(`${option}: expected a number > 0 (1 = recorded pace, 60 = sixty times faster), got ${String(speed)}`);
  }
  return speed;
}

/** Re-yields `batches` with each row released at its replay time. Stops quietly on abort. */
export async function* replayPaced(
  batches: AsyncIterable<SourceBatch>,
  options: ReplayOptions,
  signal: AbortSignal,
): AsyncGenerator<SourceBatch> {
  const { speed, timestampField } = options;
  let firstTs = NaN;
  let startWall = 0;
  for await (const batch of batches) {
    if (signal.aborted) return;
    const { rows, lines, errors } = batch;
    let from = 0; // first row of the current slice
    let sliceErrors = errors;
    for (let i = 0; i < rows.length; i++) {
      const ts = parseTimestamp((rows[i] as Row)[timestampField]);
      if (Number.isNaN(ts)) continue;
      if (Number.isNaN(firstTs)) {
        firstTs = ts;
        startWall = performance.now();
        continue;
      }
      const wait = startWall + (ts - firstTs) / speed - performance.now();
      if (wait <= RELEASE_EARLY_MS) continue;
      if (i > from || sliceErrors.length > 0) {
        yield slice(rows, lines, sliceErrors, from, i);
        sliceErrors = [];
        from = i;
      }
      // Sleep what is left: yielding may have taken a while.
      const left = startWall + (ts - firstTs) / speed - performance.now();
      if (left > 0 && !(await sleep(left, signal))) return;
      if (signal.aborted) return;
    }
    if (rows.length > from || sliceErrors.length > 0) yield slice(rows, lines, sliceErrors, from, rows.length);
  }
}

function slice(rows: Row[], lines: number[] | undefined, errors: SourceBatch['errors'], from: number, to: number): SourceBatch {
  const whole = from === 0 && to === rows.length;
  const out: SourceBatch = { rows: whole ? rows : rows.slice(from, to), errors };
  if (lines !== undefined) out.lines = whole ? lines : lines.slice(from, to);
  return out;
}
