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
 * timestamp cannot be parsed are rejected by the scan and reported at once.
 *
 * The query scans each chunk of the recording once into the core and
 * processes it in slices cut where a row is not due yet: the rows before it
 * first, then the replay sleeps (abortably). Errors of a chunk travel with
 * its first slice.
 */
import { sleep } from './wait.js';

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

/**
 * The timeline of one replay: the first event released sets it, every later
 * event is due at `startWall + (ts − firstTs) / speed`.
 */
export class ReplayClock {
  private firstTs = NaN;
  private startWall = 0;

  /** @param speed replay speed factor (see checkSpeed) */
  constructor(private readonly speed: number) {}

  /** Milliseconds until an event at `ts` is due (≤ 0: now); an unparseable time is due now. */
  dueIn(ts: number): number {
    if (Number.isNaN(ts)) return 0;
    if (Number.isNaN(this.firstTs)) {
      this.firstTs = ts;
      this.startWall = performance.now();
      return 0;
    }
    return this.startWall + (ts - this.firstTs) / this.speed - performance.now();
  }

  /**
   * Cuts rows with event times `times` (in source order) into slices
   * released on time: yields each slice's row count, sleeping (abortably)
   * before a row that is not due yet. With `releaseFirst` the first slice is
   * yielded even when empty (it carries the batch's errors). Stops quietly
   * on abort.
   */
  async *slices(times: Float64Array, signal: AbortSignal, releaseFirst: boolean): AsyncGenerator<number> {
    let from = 0; // first row of the current slice
    let first = releaseFirst;
    for (let i = 0; i < times.length; i++) {
      if (this.dueIn(times[i]!) <= RELEASE_EARLY_MS) continue;
      if (i > from || first) {
        yield i - from;
        first = false;
        from = i;
      }
      // Sleep what is left: yielding (processing and writing the slice) may have taken a while.
      const left = this.dueIn(times[i]!);
      if (left > 0 && !(await sleep(left, signal))) return;
      if (signal.aborted) return;
    }
    if (times.length > from || first) yield times.length - from;
  }
}
