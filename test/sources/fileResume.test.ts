/**
 * A file source is resumable: a query over a file with a state store that
 * stops part-way (or fails) and is started again gives, with its first run,
 * exactly one uninterrupted run's windows and bad-line reports (same line
 * numbers), for NDJSON and CSV (the header is read again on resume), with
 * chunks that cut lines anywhere. A file that changed before the saved
 * offset is refused, not misread.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eddy, window, avg, count, max } from '../../src/index.js';
import { fileSource } from '../../src/sources/file.js';
import { callbackSink } from '../../src/sinks/callback.js';
import type { ResultRecord } from '../../src/engine/sink.js';
import type { StreamingQuery } from '../../src/engine/query.js';
import { SINGLE_TASK_SCOPE } from '../../src/engine/query.js';
import { MemoryStateStore } from '../support/memoryStateStore.js';
import { runResumable, sortedByWindow, type ResumableRunOptions } from '../support/resumableRun.js';
import { FC_SEED, fcRuns } from '../support/streams.js';

const T0 = Date.UTC(2024, 0, 1);
const METRICS = ['cpu', 'mem', 'disk'];

/** 240 events of three metrics 5 s apart, jittered back up to 40 s (some late), with bad lines at fixed places. */
function lines(format: 'ndjson' | 'csv'): string {
  const out: string[] = format === 'csv' ? ['', 'timestamp,metric,value'] : [];
  for (let i = 0; i < 240; i++) {
    const ts = T0 + i * 5_000 - ((i * 7919) % 40_000);
    const metric = METRICS[(i * 31) % 3]!;
    const value = ((i * 37) % 1000) / 10;
    if (i % 41 === 17) out.push(format === 'csv' ? `${ts},${metric},not-a-number` : `{"timestamp":${ts},"metric":"${metric}","value":`);
    out.push(format === 'csv' ? `${ts},${metric},${value}` : JSON.stringify({ timestamp: ts, metric, value }));
  }
  return `${out.join('\n')}\n`;
}

interface Run {
  records: ResultRecord[];
  bad: string[];
  query: StreamingQuery;
  log: string[];
}

async function run(path: string, opts: ResumableRunOptions & { chunkBytes?: number } = {}): Promise<Run> {
  const records: ResultRecord[] = [];
  const bad: string[] = [];
  const log: string[] = [];
  const writer = eddy
    .stream(fileSource(path, { chunkBytes: opts.chunkBytes ?? 333 }))
    .withWatermark('timestamp', '30 seconds')
    .groupBy(window('timestamp', '1 minute', '30 seconds'), 'metric')
    .agg(count(), avg('value'), max('value'))
    .writeStream(
      callbackSink((batch) => {
        records.push(...batch);
      }),
    )
    .deadLetter(
      callbackSink((batch) => {
        for (const r of batch) bad.push(`${String(r.line)}:${String(r.reason)}`);
      }),
    )
    .queryName('file-resume')
    .log((line) => log.push(line));
  const query = await runResumable(writer, opts);
  return { records, bad, query, log };
}

const sorted = sortedByWindow;

describe('resuming a file source', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-file-resume-'));
  const files = { ndjson: join(dir, 'events.ndjson'), csv: join(dir, 'events.csv') };
  writeFileSync(files.ndjson, lines('ndjson'));
  writeFileSync(files.csv, lines('csv'));

  for (const format of ['ndjson', 'csv'] as const) {
    it(`${format}: a stop part-way and a restart give the uninterrupted windows and bad lines`, async () => {
      const whole = await run(files[format]);
      expect(whole.records.length).toBeGreaterThan(20);
      expect(whole.bad.length).toBe(6);
      const store = new MemoryStateStore();
      const first = await run(files[format], { store, stopAfter: 12 });
      expect(first.query.exception).toBeNull();
      expect(first.records.length).toBeGreaterThan(0);
      expect(first.records.length).toBeLessThan(whole.records.length);
      const saved = await store.latest(SINGLE_TASK_SCOPE);
      expect(saved?.meta).toMatchObject({ query: 'file-resume' });
      expect((saved!.meta as { offset: number }).offset).toBeGreaterThan(0);
      const second = await run(files[format], { store });
      expect(second.query.exception).toBeNull();
      expect(second.log.some((l) => l.includes('restored checkpoint'))).toBe(true);
      expect(sorted([...first.records, ...second.records])).toEqual(sorted(whole.records));
      expect([...first.bad, ...second.bad]).toEqual(whole.bad);
      const third = await run(files[format], { store });
      expect(third.records).toEqual([]);
      expect(third.bad).toEqual([]);
    });
  }

  it('any stop point and any chunk size give the same union (property)', async () => {
    const wholes = { ndjson: await run(files.ndjson), csv: await run(files.csv) };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('ndjson' as const, 'csv' as const),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 900 }),
        async (format, stopAfter, chunkBytes) => {
          const store = new MemoryStateStore();
          const first = await run(files[format], { store, stopAfter, chunkBytes });
          const second = await run(files[format], { store, chunkBytes });
          expect(sorted([...first.records, ...second.records])).toEqual(sorted(wholes[format].records));
          expect([...first.bad, ...second.bad]).toEqual(wholes[format].bad);
        },
      ),
      { seed: FC_SEED, numRuns: fcRuns(16) },
    );
  });

  it('refuses a file that changed before the saved offset', async () => {
    const path = join(dir, 'changing.ndjson');
    writeFileSync(path, lines('ndjson'));
    const store = new MemoryStateStore();
    await run(path, { store, stopAfter: 5 });
    const offset = ((await store.latest(SINGLE_TASK_SCOPE))!.meta as { offset: number }).offset;
    writeFileSync(path, `x${lines('ndjson')}`);
    const shifted = await run(path, { store });
    expect(shifted.query.exception?.message).toMatch(
      new RegExp(`^cannot resume file:.*changing\\.ndjson at \\{"offset":${offset},"line":\\d+\\}: the file changed \\(no line ends there\\)$`),
    );
    writeFileSync(path, '{"timestamp":1}\n');
    const shorter = await run(path, { store });
    expect(shorter.query.exception?.message).toMatch(/: the file has 16 bytes now$/);
    expect(shorter.records).toEqual([]);
  });

  it('checks chunkBytes', () => {
    expect(() => fileSource(files.csv, { chunkBytes: 0 })).toThrow('chunkBytes: expected an integer ≥ 1, got 0');
  });

  it.sequential('cleans up', () => rmSync(dir, { recursive: true, force: true }));
});
