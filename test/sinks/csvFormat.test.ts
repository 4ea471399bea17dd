import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { csvField, csvLine, formatCsv } from '../../src/engine/csvFormat.js';
import { parseCsv } from './csvParse.js';

describe('csvField', () => {
  it('leaves plain text unquoted', () => {
    expect(csvField('cpu')).toBe('cpu');
    expect(csvField('a b;c')).toBe('a b;c');
  });

  it('quotes fields with comma, quote, CR or LF and doubles quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line1\nline2')).toBe('"line1\nline2"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField('"')).toBe('""""');
  });

  it('writes null and undefined as empty cells, the empty string as ""', () => {
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField('')).toBe('""');
  });

  it('writes numbers as JavaScript prints them (shortest round trip)', () => {
    expect(csvField(1.5)).toBe('1.5');
    expect(csvField(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(csvField(1e21)).toBe('1e+21');
    expect(csvField(-0)).toBe('0');
    expect(csvField(42)).toBe('42');
  });

  it('writes non-finite numbers as empty cells, like null in JSON', () => {
    expect(csvField(NaN)).toBe('');
    expect(csvField(Infinity)).toBe('');
    expect(csvField(-Infinity)).toBe('');
  });

  it('writes booleans, bigints, dates and objects', () => {
    expect(csvField(true)).toBe('true');
    expect(csvField(false)).toBe('false');
    expect(csvField(12345678901234567890n)).toBe('12345678901234567890');
    expect(csvField(new Date(Date.UTC(2024, 0, 1)))).toBe('2024-01-01T00:00:00.000Z');
    expect(csvField({ a: 1, b: 'x' })).toBe('"{""a"":1,""b"":""x""}"');
    expect(csvField([1, 2])).toBe('"[1,2]"');
  });
});

describe('formatCsv', () => {
  it('writes a header and rows with LF line ends by default, CRLF on request', () => {
    expect(
      formatCsv(
        ['a', 'b'],
        [
          [1, 'x'],
          [null, 'y,z'],
        ],
      ),
    ).toBe('a,b\n1,x\n,"y,z"\n');
    expect(csvLine(['a', 'b'], '\r\n')).toBe('a,b\r\n');
  });

  it('round-trips tricky strings through a reference parser', () => {
    const header = ['text', 'n'];
    const rows = [
      ['plain', 1],
      ['comma, inside', 2.5],
      ['"quoted"', -3],
      ['multi\nline\r\nvalue', 0],
      ['', null],
      [' spaced ', 1e-7],
      ['unicode ✓ 🚀', 123456789.123],
    ];
    const parsed = parseCsv(formatCsv(header, rows));
    expect(parsed).toEqual([
      ['text', 'n'],
      ['plain', '1'],
      ['comma, inside', '2.5'],
      ['"quoted"', '-3'],
      ['multi\nline\r\nvalue', '0'],
      ['', null],
      [' spaced ', '1e-7'],
      ['unicode ✓ 🚀', '123456789.123'],
    ]);
  });

  it('round-trips any strings and numbers (property)', () => {
    const cell = fc.oneof(fc.string({ unit: 'binary' }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null));
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 5 }), { maxLength: 10 }), (rows) => {
        const width = Math.max(2, ...rows.map((r) => r.length));
        const padded = rows.map((r) => [...r, ...Array<null>(width - r.length).fill(null)]);
        const header = Array.from({ length: width }, (_, i) => `c${i}`);
        const parsed = parseCsv(formatCsv(header, padded));
        expect(parsed[0]).toEqual(header);
        expect(parsed.slice(1)).toEqual(padded.map((r) => r.map((v) => (v === null ? null : typeof v === 'number' ? String(v) : v))));
        // Numbers read back to the same double.
        parsed.slice(1).forEach((r, i) => {
          r.forEach((text, j) => {
            const original = padded[i]?.[j];
            if (typeof original === 'number') expect(Object.is(Number(text), original === 0 ? 0 : original)).toBe(true);
          });
        });
      }),
    );
  });
});
