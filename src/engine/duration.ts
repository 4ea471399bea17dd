/**
 * Durations as Spark writes them: '5 minutes', '10 s', '1h', '250 ms',
 * '1 day', or a number of milliseconds.
 */

const UNIT_MS: Record<string, number> = {
  ms: 1,
  millisecond: 1,
  milliseconds: 1,
  msec: 1,
  msecs: 1,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

/** A duration: milliseconds, or a string like '5 minutes'. */
export type Duration = number | string;

/**
 * Parses a duration to milliseconds. Accepts one or more `<number> <unit>`
 * parts ('1 hour 30 minutes', '1h30m'); throws a RangeError naming the input.
 */
export function parseDuration(input: Duration, what = 'duration'): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new RangeError(`${what}: expected a duration ≥ 0, got ${input}`);
    return input;
  }
  if (typeof input !== 'string') throw new RangeError(`${what}: expected a duration like '5 minutes' or milliseconds, got ${typeof input}`);
  const text = input.trim().toLowerCase();
  const part = /(\d+(?:\.\d+)?)\s*([a-z]+)\s*/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = part.exec(text)) !== null) {
    const unit = UNIT_MS[m[2]!];
    if (unit === undefined) throw new RangeError(`${what}: unknown unit '${m[2]}' in '${input}' (use ms, s, m, h, d or their long names)`);
    total += Number(m[1]) * unit;
    matched = part.lastIndex;
  }
  if (matched === 0 || matched !== text.length) {
    if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
    throw new RangeError(`${what}: cannot read '${input}' as a duration (examples: '5 minutes', '10 s', '1h', 250)`);
  }
  return total;
}
