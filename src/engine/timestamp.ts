/**
 * Event-time parsing. The rule (also in docs/semantics.md, "Timestamps"):
 *
 * - a number, or a string of digits, is epoch time: values with absolute
 *   value ≥ 1e11 are milliseconds, smaller ones are seconds (1e11 ms is
 *   1973-03-03, 1e11 s is the year 5138, so no real timestamp is ambiguous);
 *   fractions are kept (1.5 s → 1500 ms);
 * - a string is ISO-8601: `YYYY-MM-DD`, optionally `T` or a space and
 *   `HH:MM[:SS[.fff…]]`, optionally `Z` or `±HH[:MM]`; **no zone means UTC**
 *   (NAB and most logs write UTC without a zone);
 * - a Date is its epoch ms.
 *
 * Anything else returns NaN; the engine reports it as an unparseable timestamp.
 */

/**
 * Event times the engine takes: 0000-01-01T00:00:00Z (inclusive) to
 * 10000-01-01T00:00:00Z (exclusive), the years an ISO-8601 timestamp can
 * spell. Far beyond them window bounds and watermarks cannot be written as
 * dates (JavaScript dates end at ±8.64e15 ms) and the core's pane arithmetic
 * loses precision, so such times are rejected as bad input.
 */
export const MIN_EVENT_TIME_MS = -62_167_219_200_000;
export const MAX_EVENT_TIME_MS = 253_402_300_800_000;

/** True for an epoch-ms time inside [MIN_EVENT_TIME_MS, MAX_EVENT_TIME_MS) (false for NaN). */
export function isEventTime(ms: number): boolean {
  return ms >= MIN_EVENT_TIME_MS && ms < MAX_EVENT_TIME_MS;
}

/** Numbers at or above this magnitude are epoch milliseconds; below, epoch seconds. */
export const EPOCH_MS_THRESHOLD = 1e11;

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Converts an epoch number (s or ms, by magnitude) to epoch ms. */
export function epochToMs(n: number): number {
  if (!Number.isFinite(n)) return NaN;
  return Math.abs(n) >= EPOCH_MS_THRESHOLD ? n : n * 1000;
}

/** Parses an ISO-8601 date-time (zone-less = UTC) to epoch ms, or NaN. */
export function parseIso(text: string): number {
  const m = ISO.exec(text.trim());
  if (!m) return NaN;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac, zone] = m;
  const month = Number(mo),
    day = Number(d),
    hour = Number(h),
    minute = Number(mi),
    second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return NaN;
  // Date.UTC reads years 0–99 as 1900–1999; setting the full year keeps "0050" the year 50.
  const date = new Date(0);
  date.setUTCFullYear(Number(y), month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  let ms = date.getTime();
  // Date.UTC rolls Feb 30 over into March: reject dates that do not exist.
  if (new Date(ms).getUTCDate() !== day && hour < 24) return NaN;
  if (frac) ms += Number(`0.${frac}`) * 1000;
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
    ms -= sign * offset * 60_000;
  }
  return ms;
}

const NUMERIC = /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/** Parses any supported timestamp value to epoch ms, or NaN. */
export function parseTimestamp(value: unknown): number {
  if (typeof value === 'number') return epochToMs(value);
  if (typeof value === 'string') {
    if (NUMERIC.test(value)) return epochToMs(Number(value));
    return parseIso(value);
  }
  if (value instanceof Date) return value.getTime();
  return NaN;
}

/** Formats epoch ms as ISO-8601 UTC with milliseconds, as in every output record. */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}
