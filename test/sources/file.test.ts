import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fileSource, formatForPath } from '../../src/sources/file.js';
import { collect, readEvents, tempDir } from './collect.js';

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
  it('reads rows through the core and reports bad rows with their lines', async () => {
    const path = tmp.file(
      'cpu.csv',
      '\uFEFFtimestamp,metric,value\r\n2024-01-01T00:00:00Z,cpu,1\r\n2024-01-01T00:00:01Z,"cpu,0",2\r\nbroken\r\n2024-01-01T00:00:02Z,cpu,\r\n',
    );
    const { events, errors } = await readEvents(fileSource(path), ['metric']);
    expect(events.map((e) => [e.timestamp, e.metric, e.value])).toEqual([
      ['2024-01-01T00:00:00.000Z', 'cpu', 1],
      ['2024-01-01T00:00:01.000Z', 'cpu,0', 2],
    ]);
    expect(errors.map((e) => [e.source, e.line, e.reason, e.raw])).toEqual([
      [`file:${path}`, 4, 'expected 3 cells, got 1', 'broken'],
      [`file:${path}`, 5, expect.stringMatching(/^field 'value'/), '2024-01-01T00:00:02Z,cpu,'],
    ]);
  });

  it('fails with the line when the header has duplicate names', async () => {
    const path = tmp.file('dup.csv', 'a,a\n1,2\n');
    await expect(readEvents(fileSource(path))).rejects.toThrow(/line 1: duplicate column name 'a'/);
  });

  it('reads an empty file as no events, one end marker', async () => {
    const batches = await collect(fileSource(tmp.file('empty.csv', '')));
    expect(batches.map((b) => [b.bytes?.data.length, b.bytes?.end])).toEqual([[0, true]]);
    expect(await readEvents(fileSource(tmp.file('empty2.csv', '')))).toEqual({ events: [], arrivals: [], errors: [] });
  });
});

describe('fileSource: NDJSON', () => {
  const T = '"timestamp":"2024-01-01T00:00:00Z"';

  it('reports invalid JSON and non-objects with their line numbers, skips blank lines', async () => {
    const text = [`{${T},"value":1}`, '', '{"v":', '[1,2]', '   ', '42', 'null', '"text"', `{${T},"value":2}`].join('\n');
    const path = tmp.file('bad.ndjson', text);
    const { events, errors } = await readEvents(fileSource(path));
    expect(events.map((e) => e.value)).toEqual([1, 2]);
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
    const path = tmp.file('big.jsonl', `{${T},"value":1}\n${big}\n{${T},"value":3}\n{${T},"value":4}`);
    const { events, errors } = await readEvents(fileSource(path));
    expect(events.map((e) => e.value)).toEqual([1, 3, 4]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.line).toBe(2);
    expect(errors[0]!.reason).toBe('line longer than 1048576 bytes');
    expect(errors[0]!.raw!.startsWith('{"pad":"xxx')).toBe(true);
    expect(errors[0]!.raw!.length).toBeLessThanOrEqual(201);
  });

  it('honours maxLineBytes', async () => {
    const path = tmp.file('limit.json', `{${T},"value":1}\n{${T},"value":"long enough"}\n`);
    const { events, errors } = await readEvents(fileSource(path, { maxLineBytes: 50 }));
    expect(events.map((e) => e.value)).toEqual([1]);
    expect(errors.map((e) => [e.line, e.reason])).toEqual([[2, 'line longer than 50 bytes']]);
  });
});

describe('fileSource: streaming', () => {
  const n = 100_000;
  const path = tmp.file(
    'many.ndjson',
    Array.from({ length: n }, (_, i) => JSON.stringify({ timestamp: 1_700_000_000_000 + i, value: i, pad: 'p'.repeat(20) })).join('\n') + '\n',
  );

  it('streams the file in chunks of raw bytes, every event once, in order', async () => {
    const batches = await collect(fileSource(path));
    expect(batches.length).toBeGreaterThan(4);
    expect(batches.every((b) => b.rows.length === 0 && b.bytes !== undefined)).toBe(true);
    expect(batches.at(-1)!.bytes!.end).toBe(true);
    const { events, errors } = await readEvents(fileSource(path));
    expect(errors).toEqual([]);
    expect(events.map((e) => e.value)).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('stops when the consumer stops, and on abort', async () => {
    const controller = new AbortController();
    let seen = 0;
    for await (const batch of fileSource(path).batches(100, controller.signal)) {
      seen++;
      if (batch.bytes!.data.length > 0) controller.abort();
    }
    expect(seen).toBe(1);
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

describe('fileSource: replay (paced by the query on the byte path)', () => {
  const ts = (ms: number): string => new Date(Date.UTC(2024, 0, 1) + ms).toISOString();

  it('paces events by event time at speed 1', async () => {
    const path = tmp.file('replay.ndjson', [0, 50, 100, 150, 200].map((t) => JSON.stringify({ timestamp: ts(t), value: t })).join('\n'));
    const { events, arrivals } = await readEvents(fileSource(path, { speed: 1 }));
    expect(events.map((e) => e.value)).toEqual([0, 50, 100, 150, 200]);
    expect(arrivals[4]! - arrivals[0]!).toBeGreaterThanOrEqual(150);
    // The middle event is not released long before its time either.
    expect(arrivals[2]! - arrivals[0]!).toBeGreaterThanOrEqual(70);
  });

  it("is faster with a higher speed, on a CSV paced by the query's time column", async () => {
    const lines = ['timestamp,value', ...[0, 1000, 2000].map((t) => `${ts(t)},${t}`)];
    const path = tmp.file('replay.csv', lines.join('\n'));
    const { events, arrivals } = await readEvents(fileSource(path, { speed: 10 }));
    expect(events.map((e) => e.value)).toEqual([0, 1000, 2000]);
    expect(arrivals[2]! - arrivals[0]!).toBeGreaterThanOrEqual(150);
    expect(arrivals[2]! - arrivals[0]!).toBeLessThan(1500);
  });

  it('reports unparseable timestamps at once and releases out-of-order rows without delay', async () => {
    const rows = [{ timestamp: ts(0) }, { timestamp: 'garbage' }, { timestamp: ts(100) }, { timestamp: ts(50) }, {}];
    const path = tmp.file('odd.ndjson', rows.map((r) => JSON.stringify({ ...r, value: 1 })).join('\n'));
    const started = performance.now();
    const got = await readEvents(fileSource(path, { speed: 1 }));
    const elapsed = performance.now() - started;
    expect(got.events.map((e) => e.timestamp)).toEqual([ts(0), ts(100), ts(50)]);
    expect(got.errors.map((e) => e.line)).toEqual([2, 5]);
    expect(got.arrivals[2]! - got.arrivals[1]!).toBeLessThan(40);
    expect(elapsed).toBeGreaterThanOrEqual(75);
    expect(elapsed).toBeLessThan(1000);
  });

  it('stops promptly when stopped during a replay sleep', async () => {
    const path = tmp.file('gap.ndjson', `{"timestamp":"${ts(0)}","value":1}\n{"timestamp":"${ts(3_600_000)}","value":2}\n`);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    const { events } = await readEvents(fileSource(path, { speed: 1 }), [], controller.signal);
    expect(events.map((e) => e.value)).toEqual([1]);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
