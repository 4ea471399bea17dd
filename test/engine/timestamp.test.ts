import { describe, it, expect } from 'vitest';
import { parseTimestamp, formatTimestamp, EPOCH_MS_THRESHOLD } from '../../src/engine/timestamp.js';

const T = Date.UTC(2024, 0, 1); // 2024-01-01T00:00:00Z

describe('parseTimestamp', () => {
  it.each<[unknown, number]>([
    ['2024-01-01T00:00:00Z', T],
    ['2024-01-01T00:00:00.123Z', T + 123],
    ['2024-01-01 00:00:00', T], // NAB style: no zone = UTC
    ['2024-01-01T00:00', T],
    ['2024-01-01', T],
    ['2024-01-01T02:00:00+02:00', T],
    ['2023-12-31T19:00:00-0500', T],
    ['2024-01-01T00:00:00.5z', T + 500],
    [1704067200, T], // epoch seconds
    [1704067200000, T], // epoch ms
    [1704067200.25, T + 250],
    ['1704067200', T],
    ['1704067200000', T],
    [new Date(T), T],
  ])('%j → 2024-01-01', (input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });

  it('splits seconds from milliseconds at 1e11', () => {
    expect(parseTimestamp(EPOCH_MS_THRESHOLD - 1)).toBe((EPOCH_MS_THRESHOLD - 1) * 1000);
    expect(parseTimestamp(EPOCH_MS_THRESHOLD)).toBe(EPOCH_MS_THRESHOLD);
    expect(parseTimestamp(0)).toBe(0);
  });

  it.each<unknown>(['yesterday', '2024-13-01', '2024-02-30', '2024-01-01T25:00', '', null, undefined, {}, [], NaN, Infinity, true])(
    'returns NaN for %j',
    (input) => {
      expect(parseTimestamp(input)).toBeNaN();
    },
  );

  it('formats ISO-8601 UTC with milliseconds', () => {
    expect(formatTimestamp(T + 5)).toBe('2024-01-01T00:00:00.005Z');
  });
});
