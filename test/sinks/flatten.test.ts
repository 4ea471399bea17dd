import { describe, expect, it } from 'vitest';
import { flatRow, flattenRecord, flatValue, pickFlatColumns } from '../../src/engine/flatten.js';
import { safeJsonStringify } from '../../src/engine/safeJson.js';

const windowRecord = {
  window: { start: '2024-01-01T00:00:00.000Z', end: '2024-01-01T00:05:00.000Z' },
  metric: 'cpu',
  avg_value: 1.5,
  stddev_value: null,
  count: 2,
};

describe('flattenRecord', () => {
  it('flattens window to window_start and window_end, keeping field order', () => {
    const flat = flattenRecord(windowRecord);
    expect(Object.keys(flat)).toEqual(['window_start', 'window_end', 'metric', 'avg_value', 'stddev_value', 'count']);
    expect(flat).toEqual({
      window_start: '2024-01-01T00:00:00.000Z',
      window_end: '2024-01-01T00:05:00.000Z',
      metric: 'cpu',
      avg_value: 1.5,
      stddev_value: null,
      count: 2,
    });
  });

  it('turns other nested values into JSON text and undefined into null', () => {
    expect(flattenRecord({ tags: { host: 'a' }, list: [1, null], gone: undefined })).toEqual({
      tags: '{"host":"a"}',
      list: '[1,null]',
      gone: null,
    });
  });

  it('keeps a window that is not an object as an ordinary column', () => {
    expect(flattenRecord({ window: null })).toEqual({ window: null });
    expect(flattenRecord({ window: [1, 2] })).toEqual({ window: '[1,2]' });
  });

  it('treats a "__proto__" field as a column, not a prototype', () => {
    const record = JSON.parse('{"__proto__": {"x": 1}, "a": 2}') as Record<string, unknown>;
    const flat = flattenRecord(record);
    expect(Object.getPrototypeOf(flat)).toBe(Object.prototype);
    expect(Object.keys(flat)).toEqual(['__proto__', 'a']);
    // biome-ignore lint/suspicious/noProto: the test is that a field named __proto__ stays a plain own field
    expect(flat.__proto__).toBe('{"x":1}');
  });
});

describe('flatValue', () => {
  it('handles odd values without throwing', () => {
    expect(flatValue(NaN)).toBeNaN();
    expect(flatValue(10n)).toBe('10');
    expect(flatValue(new Date(NaN))).toBeNull();
    expect(flatValue(() => 1)).toBeNull();
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(flatValue(cyclic)).toBe('{"a":1,"self":"[Circular]"}');
  });
});

describe('flatRow and pickFlatColumns', () => {
  it('orders values by the columns, null for missing ones', () => {
    expect(flatRow(windowRecord, ['metric', 'window_end', 'nope'])).toEqual(['cpu', '2024-01-01T00:05:00.000Z', null]);
    const picked = pickFlatColumns(windowRecord, ['count', 'window_start']);
    expect(Object.keys(picked)).toEqual(['count', 'window_start']);
    expect(picked).toEqual({ count: 2, window_start: '2024-01-01T00:00:00.000Z' });
  });
});

describe('safeJsonStringify', () => {
  it('matches JSON.stringify on ordinary records and maps odd values to null or strings', () => {
    expect(safeJsonStringify(windowRecord)).toBe(JSON.stringify(windowRecord));
    expect(safeJsonStringify({ a: NaN, b: Infinity, c: undefined, d: 5n })).toBe('{"a":null,"b":null,"c":null,"d":"5"}');
    expect(safeJsonStringify(undefined)).toBe('null');
  });

  it('marks only real cycles, not shared references', () => {
    const shared = { v: 1 };
    expect(safeJsonStringify({ a: shared, b: shared, c: 1n })).toBe('{"a":{"v":1},"b":{"v":1},"c":"1"}');
    const list: unknown[] = [1];
    list.push(list);
    expect(safeJsonStringify({ list })).toBe('{"list":[1,"[Circular]"]}');
  });

  it('survives a throwing toJSON', () => {
    const evil = {
      toJSON() {
        throw new Error('no');
      },
      toString() {
        return 'evil';
      },
    };
    expect(safeJsonStringify(evil)).toBe('"evil"');
  });
});
