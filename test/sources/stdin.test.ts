import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { stdinSource } from '../../src/sources/stdin.js';
import type { SourceBatch } from '../../src/engine/source.js';
import { collect, readEvents } from './collect.js';

const text = (batch: IteratorResult<SourceBatch>): string => Buffer.from((batch.value as SourceBatch).bytes!.data).toString();

describe('stdinSource', () => {
  it('reads NDJSON from a stream until EOF, with line numbers and errors', async () => {
    const input = new PassThrough();
    input.end('{"timestamp":1700000000000,"value":1}\r\nnope\n\n{"timestamp":1700000000001,"value":2}\n[3]');
    const source = stdinSource({ input });
    expect(source.description).toBe('stdin');
    expect(source.bounded).toBe(true);
    const { events, errors } = await readEvents(source);
    expect(events.map((e) => e.value)).toEqual([1, 2]);
    expect(errors.map((e) => [e.source, e.line])).toEqual([
      ['stdin', 2],
      ['stdin', 5],
    ]);
  });

  it('reads CSV on request', async () => {
    const input = new PassThrough();
    input.end('timestamp,value\n1700000000000,2\n');
    expect((await readEvents(stdinSource({ input, format: 'csv' }))).events.map((e) => e.value)).toEqual([2]);
  });

  it('hands every chunk on as raw bytes, then an end marker', async () => {
    const input = new PassThrough();
    input.end(Array.from({ length: 2500 }, (_, i) => `{"timestamp":${1_700_000_000_000 + i},"value":${i}}\n`).join(''));
    const batches = await collect(stdinSource({ input }));
    expect(batches.every((b) => b.rows.length === 0 && b.bytes?.format === 'ndjson')).toBe(true);
    expect(batches.at(-1)!.bytes).toMatchObject({ end: true });
    const again = new PassThrough();
    again.end(Array.from({ length: 2500 }, (_, i) => `{"timestamp":${1_700_000_000_000 + i},"value":${i}}\n`).join(''));
    expect((await readEvents(stdinSource({ input: again }))).events.map((e) => e.value)).toEqual(Array.from({ length: 2500 }, (_, i) => i));
  });

  it('hands a chunk on at once when input pauses (interactive use)', async () => {
    const input = new PassThrough();
    const iterator = stdinSource({ input }).batches(1000, new AbortController().signal)[Symbol.asyncIterator]();
    input.write('{"n":1}\n{"n":2}\n');
    const started = performance.now();
    const first = await iterator.next();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(text(first)).toBe('{"n":1}\n{"n":2}\n');
    input.write('{"n":');
    expect(text(await iterator.next())).toBe('{"n":');
    input.end('3}\n');
    expect(text(await iterator.next())).toBe('3}\n');
    expect(((await iterator.next()).value as SourceBatch).bytes).toMatchObject({ end: true });
    expect((await iterator.next()).done).toBe(true);
  });

  it('gets a line split over two writes whole to the engine, and a slow trickle through as it comes', async () => {
    const input = new PassThrough();
    let written = 0;
    const timer = setInterval(() => {
      const line = `{"timestamp":${1_700_000_000_000 + written},"value":${written}}\n`;
      input.write(line.slice(0, 9));
      input.write(line.slice(9));
      if (++written === 10) {
        clearInterval(timer);
        input.end();
      }
    }, 20);
    const { events, arrivals, errors } = await readEvents(stdinSource({ input }));
    expect(errors).toEqual([]);
    expect(events.map((e) => e.value)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    // not held back until the end: the first event arrives well before the last
    expect(arrivals[9]! - arrivals[0]!).toBeGreaterThan(100);
  });

  it('stops promptly on abort while waiting for input, and releases the stream', async () => {
    const input = new PassThrough();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const started = performance.now();
    input.write('{"a":1}\n');
    const batches = await collect(stdinSource({ input }), 1000, controller.signal);
    expect(batches.map((b) => Buffer.from(b.bytes!.data).toString())).toEqual(['{"a":1}\n']);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(input.destroyed).toBe(true);
  });

  it('releases the stream when the consumer stops while a read is pending', async () => {
    const input = new PassThrough();
    const iterator = stdinSource({ input }).batches(1000, new AbortController().signal)[Symbol.asyncIterator]();
    input.write('{"a":1}\n');
    expect(text(await iterator.next())).toBe('{"a":1}\n');
    const started = performance.now();
    await iterator.return!(undefined);
    expect(performance.now() - started).toBeLessThan(500);
    expect(input.destroyed).toBe(true);
  });

  it('reports a failing stream as "cannot read stdin: …"', async () => {
    const input = new PassThrough();
    setTimeout(() => input.destroy(new Error('boom')), 10);
    await expect(collect(stdinSource({ input }))).rejects.toThrow('cannot read stdin: boom');
  });

  it('validates its options', () => {
    expect(() => stdinSource({ format: 'xml' as never })).toThrow(/format/);
    expect(() => stdinSource({ input: 42 as never })).toThrow(/input/);
    expect(() => stdinSource({ maxLineBytes: 0 })).toThrow(/maxLineBytes/);
  });
});
