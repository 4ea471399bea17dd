import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { stdinSource } from '../../src/sources/stdin.js';
import type { SourceBatch } from '../../src/sources/source.js';
import { collect, flatten } from './collect.js';

describe('stdinSource', () => {
  it('reads NDJSON from a stream until EOF, with line numbers and errors', async () => {
    const input = new PassThrough();
    input.end('{"a":1}\r\nnope\n\n{"a":2}\n[3]');
    const source = stdinSource({ input });
    expect(source.description).toBe('stdin');
    expect(source.bounded).toBe(true);
    const { rows, lines, errors } = flatten(await collect(source));
    expect(rows).toEqual([{ a: 1 }, { a: 2 }]);
    expect(lines).toEqual([1, 4]);
    expect(errors.map((e) => [e.source, e.line])).toEqual([
      ['stdin', 2],
      ['stdin', 5],
    ]);
  });

  it('reads CSV on request', async () => {
    const input = new PassThrough();
    input.end('x,y\n1,2\n');
    expect(flatten(await collect(stdinSource({ input, format: 'csv' }))).rows).toEqual([{ x: '1', y: '2' }]);
  });

  it('yields full batches of maxRows rows from a fast pipe', async () => {
    const input = new PassThrough();
    input.end(Array.from({ length: 2500 }, (_, i) => `{"i":${i}}\n`).join(''));
    const batches = await collect(stdinSource({ input }), 1000);
    expect(batches.map((b) => b.rows.length)).toEqual([1000, 1000, 500]);
    expect(flatten(batches).rows.map((r) => r.i)).toEqual(Array.from({ length: 2500 }, (_, i) => i));
  });

  it('yields a partial batch soon when input pauses (interactive use)', async () => {
    const input = new PassThrough();
    const iterator = stdinSource({ input }).batches(1000, new AbortController().signal)[Symbol.asyncIterator]();
    input.write('{"n":1}\n{"n":2}\n');
    const started = performance.now();
    const first = await iterator.next();
    expect(performance.now() - started).toBeLessThan(1000);
    expect((first.value as SourceBatch).rows).toEqual([{ n: 1 }, { n: 2 }]);
    // A line split over two writes still arrives whole.
    input.write('{"n":');
    input.write('3}\n');
    const second = await iterator.next();
    expect((second.value as SourceBatch).rows).toEqual([{ n: 3 }]);
    expect((second.value as SourceBatch).lines).toEqual([3]);
    input.end('{"n":4}');
    expect(((await iterator.next()).value as SourceBatch).rows).toEqual([{ n: 4 }]);
    expect((await iterator.next()).done).toBe(true);
  });

  it('does not hold a slow trickle of lines back until maxRows', async () => {
    const input = new PassThrough();
    let written = 0;
    const timer = setInterval(() => {
      input.write(`{"n":${written++}}\n`);
      if (written === 10) {
        clearInterval(timer);
        input.end();
      }
    }, 20);
    const batches = await collect(stdinSource({ input, flushMs: 50 }), 1000);
    expect(flatten(batches).rows).toHaveLength(10);
    expect(batches.length).toBeGreaterThan(1);
  });

  it('stops promptly on abort while waiting for input, and releases the stream', async () => {
    const input = new PassThrough();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const started = performance.now();
    input.write('{"a":1}\n');
    // The row is flushed after 10 ms; then the source waits for input that never comes.
    const { rows } = flatten(await collect(stdinSource({ input, flushMs: 10 }), 1000, controller.signal));
    expect(rows).toEqual([{ a: 1 }]);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(input.destroyed).toBe(true);
  });

  it('releases the stream when the consumer stops while a read is pending', async () => {
    const input = new PassThrough();
    const iterator = stdinSource({ input, flushMs: 5 }).batches(1000, new AbortController().signal)[Symbol.asyncIterator]();
    input.write('{"a":1}\n');
    expect(((await iterator.next()).value as SourceBatch).rows).toEqual([{ a: 1 }]);
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
    expect(() => stdinSource({ flushMs: -1 })).toThrow(/flushMs/);
    expect(() => stdinSource({ format: 'xml' as never })).toThrow(/format/);
    expect(() => stdinSource({ input: 42 as never })).toThrow(/input/);
  });
});
