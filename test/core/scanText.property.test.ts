/**
 * The core's text conversions against JavaScript itself: numbers against
 * `Number(text)` (bit for bit: every double, every JSON spelling, 40-digit
 * decimals, subnormals, halfway cases), number text against `String(x)`,
 * timestamps against the host's parseTimestamp (src/engine/timestamp.ts).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadCore } from '../../src/node/loadCore.js';
import { parseTimestamp } from '../../src/engine/timestamp.js';
import { bytesAt } from '../../src/core/coreScanner.js';
import { FC_SEED, fcRuns } from '../support/streams.js';

const ex = loadCore().exports;
const encoder = new TextEncoder();

function put(text: string): number {
  const bytes = encoder.encode(text);
  bytesAt(ex, bytes.length + 64, bytes.length).set(bytes);
  return bytes.length;
}
const coreNumber = (text: string, json: boolean): number => ex.text_to_number(put(text), json ? 1 : 0);
const coreText = (x: number): string => {
  const at = ex.scan_bytes_reserve(64);
  const n = ex.number_to_text(x);
  return new TextDecoder().decode(new Uint8Array(ex.memory.buffer, at, n));
};
const coreTime = (text: string): number => ex.text_to_timestamp(put(text));

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const NUMERIC_STRING = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** What JavaScript makes of a number text in each grammar. */
const reference = (text: string, json: boolean): number => ((json ? JSON_NUMBER : NUMERIC_STRING).test(text) ? Number(text) : NaN);

function expectSameNumber(text: string): void {
  for (const json of [true, false]) {
    const got = coreNumber(text, json);
    const want = reference(text, json);
    if (!Object.is(got, want)) expect.fail(`${json ? 'JSON' : 'numeric string'} ${JSON.stringify(text)}: core ${got}, JavaScript ${want}`);
  }
}

const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
/** Every way of writing a number: sign, integer part (leading zeros too), fraction, exponent with any sign/case/padding. */
const numberText = fc
  .tuple(
    fc.constantFrom('', '-', '+'),
    digits(0, 25),
    fc.option(digits(0, 25)),
    fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(0, 4))),
  )
  .map(([sign, int, frac, exp]) => `${sign}${int}${frac === null ? '' : `.${frac}`}${exp === null ? '' : exp.join('')}`);

describe('core number parsing equals Number(text)', () => {
  it('for every double, written as JavaScript writes it and in exponent form', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 20 }), (x, p) => {
        expectSameNumber(String(x));
        expectSameNumber(x.toExponential(p));
        expectSameNumber(x.toExponential());
      }),
      { seed: FC_SEED, numRuns: fcRuns(20000) },
    );
  });

  it('for any spelling, valid or not, of up to 50 digits and any exponent', () => {
    fc.assert(fc.property(numberText, expectSameNumber), { seed: FC_SEED, numRuns: fcRuns(20000) });
  });

  it('for 40-digit decimals at any scale, and the hard cases', () => {
    fc.assert(
      fc.property(digits(40, 40), fc.integer({ min: -360, max: 330 }), (d, e) => {
        expectSameNumber(`${d.replace(/^0+/, '') || '0'}e${e}`);
        expectSameNumber(`0.${d}e${e}`);
      }),
      { seed: FC_SEED, numRuns: fcRuns(5000) },
    );
    for (const text of [
      '-0',
      '0e0',
      '-0.0e-5',
      '2.2250738585072011e-308',
      '2.2250738585072012e-308',
      '4.9406564584124654e-324',
      '2.4703282292062327e-324',
      '2.4703282292062328e-324',
      '1.7976931348623157e308',
      '1.7976931348623158e308',
      '1.7976931348623159e308',
      '1e309',
      '1e-400',
      '9007199254740993',
      '9007199254740992.5',
      '9007199254740993.0000000000000000001',
      '1.00000000000000011102230246251565404236316680908203125',
      '1.00000000000000011102230246251565404236316680908203124',
      '7.2057594037927933e16',
      '1448997445238699',
      '0.1',
      '0.30000000000000004',
      `1${'0'.repeat(400)}e-400`,
      `0.${'0'.repeat(330)}1e330`,
      '123456789012345678901234567890',
      '1e99999999999',
      '1e-99999999999',
    ])
      expectSameNumber(text);
  });
});

describe('core number text equals String(x)', () => {
  it('for every double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(coreText(x)).toBe(String(x));
      }),
      { seed: FC_SEED, numRuns: fcRuns(20000) },
    );
  });

  it('for round numbers, small integers and the exponent boundaries', () => {
    for (const x of [0, -0, 1, -1, 0.1, 1e21, 1e-7, 1e-6, 123e-20, 999999999999999900000, 5e-324, 1.7976931348623157e308, 2 ** 53, 2 ** 53 + 2, 100, 1.5]) {
      expect(coreText(x)).toBe(String(x));
    }
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: -30, max: 30 }), (i, e) => {
        const x = i * 10 ** e;
        expect(coreText(x)).toBe(String(x));
      }),
      { seed: FC_SEED, numRuns: fcRuns(10000) },
    );
  });
});

const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** ISO-8601 texts, mostly valid, with every optional part and some impossible dates and odd spacing. */
const isoText = fc
  .record({
    year: fc.integer({ min: 0, max: 9999 }),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    time: fc.option(
      fc.record({
        sep: fc.constantFrom('T', ' ', 't'),
        hour: fc.integer({ min: 0, max: 25 }),
        minute: fc.integer({ min: 0, max: 60 }),
        second: fc.option(fc.integer({ min: 0, max: 61 })),
        frac: fc.option(fc.tuple(fc.constantFrom('.', ','), digits(1, 12))),
      }),
    ),
    space: fc.constantFrom('', '', ' ', '\u00a0', '\t'),
    zone: fc.constantFrom('', 'Z', 'z', '+05:30', '-08:00', '+0100', '-03', '+5', '+05:3', 'UTC'),
    outer: fc.constantFrom('', ' ', '\n', '\u2003'),
  })
  .map(({ year, month, day, time, space, zone, outer }) => {
    let text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
    if (time) {
      text += `${time.sep}${pad(time.hour, 2)}:${pad(time.minute, 2)}`;
      if (time.second !== null) {
        text += `:${pad(time.second, 2)}`;
        if (time.frac) text += time.frac.join('');
      }
    }
    return `${outer}${text}${space}${zone}${outer}`;
  });

describe('core timestamps equal parseTimestamp', () => {
  const same = (text: string) => {
    const got = coreTime(text);
    const want = parseTimestamp(text);
    if (!Object.is(got, want)) expect.fail(`${JSON.stringify(text)}: core ${got}, host ${want}`);
  };

  it('for ISO-8601 texts with and without time, fraction, zone and whitespace', () => {
    fc.assert(fc.property(isoText, same), { seed: FC_SEED, numRuns: fcRuns(20000) });
  });

  it('for epoch numbers written as text', () => {
    fc.assert(fc.property(fc.oneof(numberText, fc.double({ noNaN: true }).map(String), fc.integer({ min: 0, max: 4e12 }).map(String)), same), {
      seed: FC_SEED,
      numRuns: fcRuns(10000),
    });
    for (const text of [
      '1700000000',
      '1700000000000',
      '1.5',
      '-1',
      '99999999999',
      '100000000000',
      ' 1',
      '1 ',
      '',
      '2023-02-29',
      '2024-02-29',
      '2023-02-30T24:00',
      '0050-01-01',
    ])
      same(text);
  });
});
