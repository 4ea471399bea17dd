import { describe, it, expect } from 'vitest';
import { parseDuration } from '../../src/engine/duration.js';

describe('parseDuration', () => {
  it.each([
    ['5 minutes', 300_000],
    ['10 s', 10_000],
    ['1h', 3_600_000],
    ['250 ms', 250],
    ['1 day', 86_400_000],
    ['1 hour 30 minutes', 5_400_000],
    ['1h30m', 5_400_000],
    ['0 s', 0],
    ['1.5 s', 1500],
    ['2 weeks', 1_209_600_000],
    ['  3 MINUTES ', 180_000],
    ['42', 42],
  ])('%s → %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('passes milliseconds through', () => {
    expect(parseDuration(1234)).toBe(1234);
  });

  it.each(['5 minuts', 'five minutes', '', 'm5', '-1 s'])('rejects %j with a message naming it', (text) => {
    expect(() => parseDuration(text, 'window size')).toThrow(/window size/);
  });

  it('rejects negative and non-finite numbers', () => {
    expect(() => parseDuration(-1)).toThrow(RangeError);
    expect(() => parseDuration(Number.NaN)).toThrow(RangeError);
    expect(() => parseDuration(Infinity)).toThrow(RangeError);
  });
});
