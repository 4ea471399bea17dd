import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { LineSplitter, splitLines, type Line } from './lineSplitter.js';

function splitAll(chunks: (string | Uint8Array)[], max?: number): Line[] {
  const splitter = new LineSplitter(max);
  const out: Line[] = [];
  for (const chunk of chunks) splitter.push(chunk, out);
  return splitter.end(out);
}

describe('LineSplitter', () => {
  it('numbers lines from 1, handles CRLF and a last line without newline', () => {
    expect(splitAll(['a\r\nbb\n', 'c'])).toEqual([
      { line: 1, text: 'a' },
      { line: 2, text: 'bb' },
      { line: 3, text: 'c' },
    ]);
    expect(splitAll(['a\n', '\n', 'b\n'])).toEqual([
      { line: 1, text: 'a' },
      { line: 2, text: '' },
      { line: 3, text: 'b' },
    ]);
    expect(splitAll([''])).toEqual([]);
  });

  it('joins lines and CRLF cut across chunks, and multi-byte characters cut in half', () => {
    const bytes = Buffer.from('é€😀\r\nnext');
    const chunks = Array.from(bytes, (b) => Uint8Array.of(b)); // one byte per chunk
    expect(splitAll(chunks)).toEqual([
      { line: 1, text: 'é€😀' },
      { line: 2, text: 'next' },
    ]);
  });

  it('removes a byte-order mark on the first line only', () => {
    expect(splitAll(['\uFEFFa\n\uFEFFb'])).toEqual([
      { line: 1, text: 'a' },
      { line: 2, text: '\uFEFFb' },
    ]);
  });

  it('gives the same lines however the input is chunked', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'é', '😀', '\n', '\r\n', ' ') });
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 8 }), (s, cuts) => {
        const bytes = Buffer.from(s);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let from = 0;
        for (const p of [...points, bytes.length]) {
          chunks.push(bytes.subarray(from, p));
          from = p;
        }
        const expected = s.split('\n').map((t) => t.replace(/\r$/, ''));
        if (s.endsWith('\n') || s === '') expected.pop();
        expect(splitAll(chunks).map((l) => l.text)).toEqual(expected);
      }),
      { seed: 11, numRuns: 300 },
    );
  });

  it('accepts a line of exactly maxLineBytes (also with CRLF) and refuses one byte more', () => {
    const lines = splitAll(['abcd\nabcd\r\nabcde\nok'], 4);
    expect(lines).toEqual([
      { line: 1, text: 'abcd' },
      { line: 2, text: 'abcd' },
      { line: 3, text: 'abcde', error: 'line longer than 4 bytes' },
      { line: 4, text: 'ok' },
    ]);
  });

  it('discards an overlong line without buffering it and keeps reading', () => {
    const max = 1024 * 1024;
    const splitter = new LineSplitter(max);
    const out: Line[] = [];
    splitter.push('{"first":1}\n{"big":"', out);
    const chunk = 'x'.repeat(64 * 1024);
    let peak = 0;
    for (let sent = 0; sent < 2 * 1024 * 1024; sent += chunk.length) {
      splitter.push(chunk, out);
      peak = Math.max(peak, splitter.bufferedBytes);
    }
    splitter.push('"}\n{"after":2}\n', out);
    splitter.end(out);
    expect(peak).toBeLessThanOrEqual(max + 1);
    expect(splitter.bufferedBytes).toBe(0);
    expect(out.map((l) => l.line)).toEqual([1, 2, 3]);
    expect(out[0]).toEqual({ line: 1, text: '{"first":1}' });
    expect(out[1]!.error).toBe(`line longer than ${max} bytes`);
    expect(out[1]!.text.startsWith('{"big":"xxxx')).toBe(true);
    expect(out[1]!.text.length).toBeLessThanOrEqual(201);
    expect(out[2]).toEqual({ line: 3, text: '{"after":2}' });
  });

  it('reports an overlong last line without newline', () => {
    expect(splitAll(['ok\n', 'x'.repeat(10)], 4)).toEqual([
      { line: 1, text: 'ok' },
      { line: 2, text: 'xxxxxxxxxx', error: 'line longer than 4 bytes' },
    ]);
  });

  it('refuses a bad limit', () => {
    expect(() => new LineSplitter(0)).toThrow(RangeError);
  });
});

describe('splitLines', () => {
  it('reads a Readable and yields one array per chunk, never empty', async () => {
    const stream = Readable.from([Buffer.from('a\nb'), Buffer.from('c'), Buffer.from('\nd\n')]);
    const arrays: Line[][] = [];
    for await (const lines of splitLines(stream)) arrays.push(lines);
    expect(arrays).toEqual([
      [{ line: 1, text: 'a' }],
      [
        { line: 2, text: 'bc' },
        { line: 3, text: 'd' },
      ],
    ]);
  });
});
