import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fileSource, formatForPath } from '../../src/sources/file.js';
import { collect, flatten, tempDir } from './collect.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('fileSource: formats', () => {
  it('picks the format from the extension, case-insensitively', () => {
    expect(formatForPath('a/b.csv')).toBe('csv');
    expect(formatForPath('b.CSV')).toBe('csv');
    expect(formatForPath('b.ndjson')).toBe('ndjson');
    expect(formatForPath('b.jsonl')).toBe('ndjson');
    expect(formatForPath('b.json')).toBe('ndjson');
  });

  it('names the path and the accepted formats for an unknown extension', () => {
    expect(() => fileSource('data/events.txt')).toThrow(/data\/events\.txt.*\.csv, \.ndjson, \.jsonl, \.json.*format/);
    expect(() => fileSource('data/events.txt', { format: 'ndjson' })).not.toThrow();
    expect(() => fileSource('x.csv', { format: 'xml' as never })).toThrow(/format: expected one of 'csv', 'ndjson'/);
  });

  it('describes itself and is bounded', () => {
    const source = fileSource('data/cpu.csv');
    expect(source.description).toBe('file:data/cpu.csv');
    expect(source.bounded).toBe(true);
  });

  it('validates speed', () => {
    expect(() => fileSource('a.csv', { speed: 0 })).toThrow(/speed/);
    expect(() => fileSource('a.csv', { speed: Number.NaN })).toThrow(/speed/);
  });
});

describe('fileSource: CSV', () => {
  it('reads rows with line numbers and reports bad rows', async () => {
    const path = tmp.file('cpu.csv', '\uFEFFtimestamp,metric,value\r\n2024-01-01T00:00:00Z,cpu,1\r\n2024-01-01T00:00:01Z,"cpu,0",2\r\nbroken\r\n2024-01-01T00:00:02Z,cpu,\r\n');
    const { rows, lines, errors } = flatten(await collect(fileSource(path)));
    expect(rows).toEqual([
      { timestamp: '2024-01-01T00:00:00Z', metric: 'cpu', value: '1' },
      { timestamp: '2024-01-01T00:00:01Z', metric: 'cpu,0', value: '2' },
      { timestamp: '2024-01-01T00:00:02Z', metric: 'cpu' },
    ]);
    expect(lines).toEqual([2, 3, 5]);
    expect(errors).toEqual([{ source: `file:${path}`, line: 4, reason: 'expected 3 cells, got 1', raw: 'broken' }]);
  });

  it('fails with the line when the header has duplicate names', async () => {
    const path = tmp.file('dup.csv', 'a,a\n1,2\n');
    await expect(collect(fileSource(path))).rejects.toThrow(/line 1: duplicate column name 'a'/);
  });

  it('reads an empty file as no batches', async () => {
    expect(await collect(fileSource(tmp.file('empty.csv', '')))).toEqual([]);
  });
});

describe('fileSource: NDJSON', () => {
  it('reports invalid JSON and non-objects with their line numbers, skips blank lines', async () => {
    const text = ['{"v":1}', '', '{"v":', '[1,2]', '   ', '42', 'null', '"text"', '{"v":2}'].join('\n');
    const path = tmp.file('bad.ndjson', text);
    const { rows, lines, errors } = flatten(await collect(fileSource(path)));
    expect(rows).toEqual([{ v: 1 }, { v: 2 }]);
    expect(lines).toEqual([1, 9]);
    expect(errors.map((e) => [e.line, e.raw])).toEqual([
      [3, '{"v":'],
      [4, '[1,2]'],
      [6, '42'],
      [7, 'null'],
      [8, '"text"'],
    ]);
    expect(errors[0]!.reason).toMatch(/^not valid JSON/);
    expect(errors[1]!.reason).toBe('expected a JSON object, got an array');
    expect(errors[2]!.reason).toBe('expected a JSON object, got a number');
    expect(errors[3]!.reason).toBe('expected a JSON object, got null');
    expect(errors.every((e) => e.source === `file:${path}`)).toBe(true);
  });

  it('reports a 2 MB line and still reads the rows after it', async () => {
    const big = `{"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`;
    const path = tmp.file('big.jsonl', `{"n":1}\n${big}\n{"n":3}\n{"n":4}`);
    const { rows, lines, errors } = flatten(await collect(fileSource(path)));
    expect(rows).toEqual([{ n: 1 }, { n: 3 }, { n: 4 }]);
    expect(lines).toEqual([1, 3, 4]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.line).toBe(2);
    expect(errors[0]!.reason).toBe('line longer than 1048576 bytes');
    expect(errors[0]!.raw!.startsWith('{"pad":"xxx')).toBe(true);
    expect(errors[0]!.raw!.length).toBeLessThanOrEqual(201);
  });

  it('honours maxLineBytes', async () => {
    const path = tmp.file('limit.json', '{"a":1}\n{"a":"long enough"}\n');
    const { rows, errors } = flatten(await collect(fileSource(path, { maxLineBytes: 10 })));
    expect(rows).toEqual([{ a: 1 }]);
    expect(errors.map((e) => [e.line, e.reason])).toEqual([[2, 'line longer than 10 bytes']]);
  });
});

describe('fileSource: streaming and batches', () => {
  const n = 25_000;
  const path = tmp.file('many.ndjson', Array.from({ length: n }, (_, i) => JSON.stringify({ i })).join('\n') + '\n');

  it('yields batches of at most maxRows rows, full except the last', async () => {
    const batches = await collect(fileSource(path), 1000);
    expect(batches).toHaveLength(25);
    expect(batches.every((b) => b.rows.length === 1000 && b.lines!.length === 1000)).toBe(true);
    const odd = await collect(fileSource(path), 999);
    expect(odd.map((b) => b.rows.length)).toEqual([...Array(25).fill(999), n - 25 * 999]);
    const { rows, lines } = flatten(odd);
    expect(rows.map((r) => r.i)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(lines).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  });

  it('counts errors towards the batch size so error-only input stays in bounded batches', async () => {
    const bad = tmp.file('allbad.ndjson', 'x\n'.repeat(50));
    const batches = await collect(fileSource(bad), 8);
    expect(batches.map((b) => b.errors.length)).toEqual([8, 8, 8, 8, 8, 8, 2]);
    expect(batches.every((b) => b.rows.length === 0)).toBe(true);
  });

  it('stops when the consumer stops, and on abort', async () => {
    const controller = new AbortController();
    let seen = 0;
    for await (const batch of fileSource(path).batches(100, controller.signal)) {
      seen += batch.rows.length;
      if (seen >= 300) controller.abort();
    }
    expect(seen).toBe(300);
    const aborted = new AbortController();
    aborted.abort();
    expect(await collect(fileSource(path), 100, aborted.signal)).toEqual([]);
  });

  it('throws "cannot read <path>: <reason>" for a missing file', async () => {
    const missing = join(tmp.dir, 'nope.csv');
    await expect(collect(fileSource(missing))).rejects.toThrow(`cannot read ${missing}: no such file`);
  });

  it('throws for a directory', async () => {
    await expect(collect(fileSource(tmp.dir, { format: 'csv' }))).rejects.toThrow(/^cannot read .*: is a directory/);
  });
});

describe('fileSource: replay', () => {
  const ts = (ms: number): string => new Date(Date.UTC(2024, 0, 1) + ms).toISOString();

  it('paces rows by event time at speed 1', async () => {
    const path = tmp.file('replay.ndjson', [0, 50, 100, 150, 200].map((t) => JSON.stringify({ timestamp: ts(t), v: t })).join('\n'));
    const started = performance.now();
    const arrivals: [number, number][] = [];
    for await (const batch of fileSource(path, { speed: 1 }).batches(100, new AbortController().signal)) {
      for (const row of batch.rows) arrivals.push([row.v as number, performance.now() - started]);
    }
    const elapsed = performance.now() - started;
    expect(arrivals.map(([v]) => v)).toEqual([0, 50, 100, 150, 200]);
    expect(elapsed).toBeGreaterThanOrEqual(150);
    // The middle row is not released long before its time either.
    expect(arrivals[2]![1]).toBeGreaterThanOrEqual(70);
  });

  it('is faster with a higher speed, on a CSV with a custom timestamp field', async () => {
    const lines = ['t,v', ...[0, 1000, 2000].map((t) => `${ts(t)},${t}`)];
    const path = tmp.file('replay.csv', lines.join('\n'));
    const started = performance.now();
    const { rows } = flatten(await collect(fileSource(path, { speed: 10, timestampField: 't' })));
    const elapsed = performance.now() - started;
    expect(rows.map((r) => r.v)).toEqual(['0', '1000', '2000']);
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(1500);
  });

  it('releases rows with unparseable timestamps and out-of-order rows without delay', async () => {
    const rows = [{ timestamp: ts(0) }, { timestamp: 'garbage' }, { timestamp: ts(100) }, { timestamp: ts(50) }, {}];
    const path = tmp.file('odd.ndjson', rows.map((r) => JSON.stringify(r)).join('\n'));
    const started = performance.now();
    const got = flatten(await collect(fileSource(path, { speed: 1 })));
    const elapsed = performance.now() - started;
    expect(got.rows).toHaveLength(5);
    expect(elapsed).toBeGreaterThanOrEqual(75);
    expect(elapsed).toBeLessThan(1000);
  });

  it('keeps parse errors when replaying', async () => {
    const path = tmp.file('replayErr.ndjson', `{"timestamp":"${ts(0)}"}\nnot json\n{"timestamp":"${ts(30)}"}\n`);
    const got = flatten(await collect(fileSource(path, { speed: 1 })));
    expect(got.rows).toHaveLength(2);
    expect(got.lines).toEqual([1, 3]);
    expect(got.errors.map((e) => e.line)).toEqual([2]);
  });

  it('stops promptly when aborted during a replay sleep', async () => {
    const path = tmp.file('gap.ndjson', `{"timestamp":"${ts(0)}"}\n{"timestamp":"${ts(3_600_000)}"}\n`);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    const { rows } = flatten(await collect(fileSource(path, { speed: 1 }), 100, controller.signal));
    expect(rows).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
