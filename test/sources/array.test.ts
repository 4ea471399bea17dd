import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { RowEncoder } from '../../src/engine/encoder.js';
import { KeyInterner } from '../../src/engine/interner.js';
import type { QueryPlan } from '../../src/engine/plan.js';
import { arraySource } from '../../src/sources/array.js';
import { collect, flatten } from './collect.js';

describe('arraySource', () => {
  const rows = Array.from({ length: 10 }, (_, i) => ({ timestamp: i * 1000, metric: 'cpu', value: i }));

  it('yields the rows in order with line numbers 1..n, bounded', async () => {
    const source = arraySource(rows);
    expect(source.bounded).toBe(true);
    expect(source.description).toBe('array');
    const batches = await collect(source, 4);
    expect(batches.map((b) => b.rows.length)).toEqual([4, 4, 2]);
    const all = flatten(batches);
    expect(all.rows).toEqual(rows);
    expect(all.rows[0]).toBe(rows[0]); // passed through, not copied
    expect(all.lines).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(all.errors).toEqual([]);
  });

  it('caps batches at batchSize as well as maxRows', async () => {
    expect((await collect(arraySource(rows, { batchSize: 3 }), 100)).map((b) => b.rows.length)).toEqual([3, 3, 3, 1]);
    expect((await collect(arraySource(rows, { batchSize: 30 }), 5)).map((b) => b.rows.length)).toEqual([5, 5]);
    expect(() => arraySource(rows, { batchSize: 0 })).toThrow(RangeError);
  });

  it('passes elements that are not objects through with their lines; the engine rejects them there', async () => {
    const mixed = [{ timestamp: 0, value: 1 }, null, 42, [1], { timestamp: 0, value: 2 }] as never[];
    const batches = await collect(arraySource(mixed, { description: 'test-array' }));
    const { rows: got, lines, errors } = flatten(batches);
    expect(got).toEqual(mixed);
    expect(lines).toEqual([1, 2, 3, 4, 5]);
    expect(errors).toEqual([]);
    const plan = { timeColumn: 'timestamp', valueColumn: 'value', keyColumns: [] } as unknown as QueryPlan;
    const cols = { ts: new Float64Array(8), key: new Int32Array(8), value: new Float64Array(8) };
    const encoded = new RowEncoder(plan, new KeyInterner(), 'test-array').encode(batches[0]!, cols);
    expect(encoded.count).toBe(2);
    expect(encoded.errors.map((e) => [e.line, e.kind, e.reason])).toEqual([
      [2, 'malformed', 'expected an object, got null'],
      [3, 'malformed', 'expected an object, got number'],
      [4, 'malformed', 'expected an object, got an array'],
    ]);
  });

  it('yields nothing for an empty array or an aborted signal', async () => {
    expect(await collect(arraySource([]))).toEqual([]);
    const controller = new AbortController();
    controller.abort();
    expect(await collect(arraySource(rows), 100, controller.signal)).toEqual([]);
  });

  it('has no Node-only imports, directly or through its imports (browser embedding)', () => {
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(new URL(`../../src/${file}`, import.meta.url), 'utf8');
      // Comments may mention Buffer or process; code may not.
      const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      expect(code, file).not.toMatch(/from 'node:|require\(|\bBuffer\b|\bprocess\./);
      for (const [, spec] of text.matchAll(/from '(\.[^']+)\.js'/g)) {
        const next = new URL(`${spec}.ts`, new URL(`../../src/${file}`, import.meta.url)).pathname;
        visit(next.slice(next.indexOf('/src/') + 5));
      }
    };
    visit('sources/array.ts');
    expect(seen.has('sources/batchBuilder.ts')).toBe(true);
  });
});
