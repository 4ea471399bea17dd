import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileFormatOf, fileSink } from '../../src/sinks/file.js';
import type { OutputSchema, ResultRecord } from '../../src/engine/sink.js';
import { parseCsv } from './csvParse.js';

const windowSchema: OutputSchema = {
  kind: 'windows',
  columns: ['window_start', 'window_end', 'metric', 'avg_value', 'stddev_value', 'count'],
};

const records: ResultRecord[] = [
  {
    window: { start: '2024-01-01T00:00:00.000Z', end: '2024-01-01T00:05:00.000Z' },
    metric: 'cpu',
    avg_value: 1.5,
    stddev_value: 0.5,
    count: 2,
  },
  {
    window: { start: '2024-01-01T00:00:00.000Z', end: '2024-01-01T00:05:00.000Z' },
    metric: 'disk, "main"',
    avg_value: 0.1 + 0.2,
    stddev_value: null,
    count: 1,
  },
];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-file-sink-'));
});
afterEach(async () => {
  await chmod(dir, 0o700).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

async function writeAll(path: string, options: Parameters<typeof fileSink>[1], batches: ResultRecord[][]): Promise<void> {
  const sink = fileSink(path, options);
  await sink.open(windowSchema);
  for (const batch of batches) await sink.write(batch);
  await sink.close();
}

describe('format choice', () => {
  it('follows the extension, case-insensitively, unless format is given', () => {
    expect(fileFormatOf('out/a.ndjson')).toBe('ndjson');
    expect(fileFormatOf('a.JSONL')).toBe('ndjson');
    expect(fileFormatOf('a.json')).toBe('ndjson');
    expect(fileFormatOf('a.csv')).toBe('csv');
    expect(fileFormatOf('a.txt')).toBeUndefined();
    expect(() => fileSink('results.txt', { format: 'csv' })).not.toThrow();
  });

  it('refuses an unknown extension with an error naming the path', () => {
    expect(() => fileSink('out/results.txt')).toThrow(/out\/results\.txt.*\.ndjson.*\.csv/);
    expect(() => fileSink('x.csv', { format: 'xml' as never })).toThrow(/x\.csv.*"xml"/);
  });
});

describe('NDJSON', () => {
  it('writes one JSON object per line, non-finite numbers and undefined as null', async () => {
    const path = join(dir, 'nested', 'deeper', 'out.ndjson');
    await writeAll(path, {}, [records, [{ timestamp: '2024-01-01T00:00:03.000Z', metric: 'cpu', value: NaN, extra: undefined, big: Infinity }]]);
    expect(await readFile(path, 'utf8')).toBe(
      '{"window":{"start":"2024-01-01T00:00:00.000Z","end":"2024-01-01T00:05:00.000Z"},"metric":"cpu","avg_value":1.5,"stddev_value":0.5,"count":2}\n' +
        '{"window":{"start":"2024-01-01T00:00:00.000Z","end":"2024-01-01T00:05:00.000Z"},"metric":"disk, \\"main\\"","avg_value":0.30000000000000004,"stddev_value":null,"count":1}\n' +
        '{"timestamp":"2024-01-01T00:00:03.000Z","metric":"cpu","value":null,"extra":null,"big":null}\n',
    );
  });

  it('replaces an existing file unless appending; appending adds a missing final newline first', async () => {
    const path = join(dir, 'out.jsonl');
    await writeFile(path, '{"old":1}');
    await writeAll(path, { append: true }, [[{ a: 1 }]]);
    expect(await readFile(path, 'utf8')).toBe('{"old":1}\n{"a":1}\n');
    await writeAll(path, { append: true }, [[{ b: 2 }]]);
    expect(await readFile(path, 'utf8')).toBe('{"old":1}\n{"a":1}\n{"b":2}\n');
    await writeAll(path, {}, [[{ c: 3 }]]);
    expect(await readFile(path, 'utf8')).toBe('{"c":3}\n');
  });
});

describe('CSV', () => {
  it('writes the header from the schema, then flattened rows', async () => {
    const path = join(dir, 'out.csv');
    await writeAll(path, {}, [records]);
    const text = await readFile(path, 'utf8');
    expect(text).toBe(
      'window_start,window_end,metric,avg_value,stddev_value,count\n' +
        '2024-01-01T00:00:00.000Z,2024-01-01T00:05:00.000Z,cpu,1.5,0.5,2\n' +
        '2024-01-01T00:00:00.000Z,2024-01-01T00:05:00.000Z,"disk, ""main""",0.30000000000000004,,1\n',
    );
    expect(parseCsv(text)[2]?.[2]).toBe('disk, "main"');
  });

  it('does not repeat the header when appending to a non-empty file', async () => {
    const path = join(dir, 'out.csv');
    await writeAll(path, { append: true }, [records.slice(0, 1)]);
    await writeAll(path, { append: true }, [records.slice(1)]);
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines.filter((line) => line.startsWith('window_start,'))).toHaveLength(1);
    expect(lines).toHaveLength(4); // header, two rows, and the empty string after the last newline
    expect(lines[2]).toContain('"disk, ""main"""');
  });

  it('writes the header when appending to an empty file', async () => {
    const path = join(dir, 'empty.csv');
    await writeFile(path, '');
    await writeAll(path, { append: true }, [records.slice(0, 1)]);
    expect((await readFile(path, 'utf8')).startsWith('window_start,window_end,')).toBe(true);
  });

  it('refuses to append to a CSV whose header names other columns', async () => {
    const path = join(dir, 'other.csv');
    await writeFile(path, 'a,b\n1,2\n');
    const sink = fileSink(path, { append: true });
    await expect(sink.open(windowSchema)).rejects.toThrow(/other\.csv.*header "a,b"/);
    expect(await readFile(path, 'utf8')).toBe('a,b\n1,2\n');
  });
});

describe('flush and backpressure', () => {
  it('makes written data readable from disk before close', async () => {
    const path = join(dir, 'live.ndjson');
    const sink = fileSink(path);
    await sink.open(windowSchema);
    await sink.write([{ n: 1 }]);
    await sink.flush();
    expect(await readFile(path, 'utf8')).toBe('{"n":1}\n');
    await sink.write([{ n: 2 }]);
    await sink.flush();
    expect(await readFile(path, 'utf8')).toBe('{"n":1}\n{"n":2}\n');
    await sink.close();
    await sink.close(); // idempotent
    await expect(sink.write([{ n: 3 }])).rejects.toThrow(/live\.ndjson.*after close/);
  });

  it('writes batches far larger than the stream buffer completely and in order', async () => {
    const path = join(dir, 'big.csv');
    const batch = Array.from({ length: 5000 }, (_, i) => ({ metric: `m${i}`, count: i, padding: 'x'.repeat(100) }));
    const sink = fileSink(path);
    await sink.open({ kind: 'windows', columns: ['metric', 'count', 'padding'] });
    for (let b = 0; b < 5; b++) await sink.write(batch);
    await sink.flush();
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(1 + 5 * 5000);
    expect(lines[1]).toBe(`m0,0,${'x'.repeat(100)}`);
    expect(lines[5000]).toBe(`m4999,4999,${'x'.repeat(100)}`);
    expect(lines[25000]).toBe(`m4999,4999,${'x'.repeat(100)}`);
    await sink.close();
  });

  it('rejects write before open', async () => {
    const sink = fileSink(join(dir, 'x.ndjson'));
    await expect(sink.write([{ a: 1 }])).rejects.toThrow(/x\.ndjson.*before open/);
  });
});

describe('errors', () => {
  it('rejects open with the path in the message when a parent is a regular file', async () => {
    const blocker = join(dir, 'not-a-dir');
    await writeFile(blocker, 'x');
    const path = join(blocker, 'out.ndjson');
    const sink = fileSink(path);
    const error = await Promise.resolve(sink.open(windowSchema)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(path);
    expect((error as NodeJS.ErrnoException).code).toMatch(/ENOTDIR|EEXIST/);
    await sink.close();
  });

  it('rejects open when the path is a directory', async () => {
    const sink = fileSink(join(dir, 'adir.csv'));
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'adir.csv')));
    await expect(sink.open(windowSchema)).rejects.toThrow(/adir\.csv.*cannot open.*EISDIR/);
  });

  it.skipIf(process.getuid?.() === 0)('rejects open on a directory without write permission (EACCES)', async () => {
    const locked = join(dir, 'locked');
    await import('node:fs/promises').then((fs) => fs.mkdir(locked));
    await chmod(locked, 0o500);
    const path = join(locked, 'out.ndjson');
    await expect(fileSink(path).open(windowSchema)).rejects.toThrow(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*EACCES`));
  });

  it.skipIf(!existsSync('/dev/full'))('reports ENOSPC from a full device as a rejection naming the path, not a crash', async () => {
    const path = '/dev/full';
    const sink = fileSink(path, { format: 'ndjson' });
    await sink.open(windowSchema);
    // The first write is only buffered; the failure surfaces at the latest on flush.
    const outcome = await (async () => {
      await sink.write([{ a: 1 }]);
      await sink.flush();
    })().then(
      () => undefined,
      (e: unknown) => e as NodeJS.ErrnoException,
    );
    expect(outcome?.message).toMatch(/\/dev\/full: cannot write: .*ENOSPC/);
    expect(outcome?.code).toBe('ENOSPC');
    await expect(sink.write([{ a: 2 }])).rejects.toThrow(/ENOSPC/);
    await expect(sink.close()).rejects.toThrow(/ENOSPC/);
  });
});
