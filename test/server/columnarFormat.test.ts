import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COLUMNAR_CONTENT_TYPE,
  COLUMNAR_DEFAULT_MAX_ROWS,
  COLUMNAR_MAGIC,
  COLUMNAR_VERSION,
  decodeColumns,
  encodeColumns,
  isColumnarError,
  type ColumnsInput,
  type DecodedColumns,
} from '../../src/server/columnarFormat.js';

/** Decodes, failing the test with the decoder's message if the frame is rejected. */
function decodeOk(bytes: Uint8Array | ArrayBufferLike, maxRows?: number): DecodedColumns {
  const result = decodeColumns(bytes, maxRows);
  if (isColumnarError(result)) throw new Error(result.error);
  return result;
}

/** The error message of a frame that must be rejected. */
function decodeError(bytes: Uint8Array | ArrayBufferLike, maxRows?: number): string {
  const result = decodeColumns(bytes, maxRows);
  if (!isColumnarError(result)) throw new Error('expected the frame to be rejected');
  return result.error;
}

/** The raw bytes of a float column, to compare NaN payloads and −0 exactly. */
function bitsOf(values: ArrayLike<number>): Uint8Array {
  const copy = Float64Array.from(values);
  return new Uint8Array(copy.buffer);
}

function u32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(offset, value, true);
  return bytes;
}

/** A bare header (8 × u32) followed by `body`. */
function rawFrame(
  fields: Partial<Record<'magic' | 'version' | 'rows' | 'flags' | 'k' | 't' | 'd' | 'reserved', number>>,
  body = new Uint8Array(0),
): Uint8Array {
  const out = new Uint8Array(32 + body.length);
  const f = { magic: COLUMNAR_MAGIC, version: 1, rows: 0, flags: 0, k: 0, t: 0, d: 0, reserved: 0, ...fields };
  [f.magic, f.version, f.rows, f.flags, f.k, f.t, f.d, f.reserved].forEach((v, i) => {
    u32(out, 4 * i, v);
  });
  out.set(body, 32);
  return out;
}

/** `bytes` copied into a fresh buffer at byte `offset`, to test (mis)alignment. */
function at(bytes: Uint8Array, offset: number): Uint8Array {
  const buffer = new ArrayBuffer(bytes.length + offset + 8);
  const view = new Uint8Array(buffer, offset, bytes.length);
  view.set(bytes);
  return view;
}

const sample: ColumnsInput = {
  ts: [1_700_000_000_000, 1_700_000_000_500, 1_700_000_001_000, 1_700_000_002_000],
  value: [1.5, -2, 3e300, 0.1],
  key: ['web-1', 'web-2', 'web-1', 'db'],
};

describe('columnar format constants', () => {
  it('match the documented header', () => {
    expect(COLUMNAR_CONTENT_TYPE).toBe('application/vnd.eddy.columns');
    expect(COLUMNAR_VERSION).toBe(1);
    expect(new Uint8Array(new Uint32Array([COLUMNAR_MAGIC]).buffer)).toEqual(new Uint8Array([0x45, 0x44, 0x43, 0x31]));
    expect(COLUMNAR_DEFAULT_MAX_ROWS).toBe(16_777_216);
  });
});

describe('encodeColumns / decodeColumns round trip', () => {
  it('writes the documented layout byte for byte', () => {
    const bytes = encodeColumns({ ts: [10], value: [2.5], key: ['é'], type: ['x'] });
    const view = new DataView(bytes.buffer);
    // 32 header + 24 per row with types + dictionaries (4 + 2 for "é", 4 + 1 for "x").
    expect(bytes.length).toBe(32 + 24 + 6 + 5);
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x45, 0x44, 0x43, 0x31]);
    expect([4, 8, 12, 16, 20, 24, 28].map((o) => view.getUint32(o, true))).toEqual([1, 1, 1, 1, 1, 11, 0]);
    expect(view.getFloat64(32, true)).toBe(10);
    expect(view.getFloat64(40, true)).toBe(2.5);
    expect(view.getInt32(48, true)).toBe(0);
    expect(view.getInt32(52, true)).toBe(0);
    expect(view.getUint32(56, true)).toBe(2);
    expect(Array.from(bytes.subarray(60, 62))).toEqual([0xc3, 0xa9]);
    expect(view.getUint32(62, true)).toBe(1);
    expect(bytes[66]).toBe(0x78);
  });

  it('round-trips per-row key strings without types', () => {
    const decoded = decodeOk(encodeColumns(sample));
    expect(decoded.rows).toBe(4);
    expect(Array.from(decoded.ts)).toEqual(sample.ts);
    expect(Array.from(decoded.value)).toEqual(sample.value);
    expect(decoded.keys).toEqual(['web-1', 'web-2', 'db']);
    expect(Array.from(decoded.key)).toEqual([0, 1, 0, 2]);
    expect(decoded.type).toBeUndefined();
    expect(decoded.types).toBeUndefined();
    expect('type' in decoded).toBe(false);
  });

  it('round-trips per-row types, null and undefined meaning no type', () => {
    const bytes = encodeColumns({ ...sample, type: ['cpu', null, 'mem', undefined] });
    const decoded = decodeOk(bytes);
    expect(decoded.types).toEqual(['cpu', 'mem']);
    expect(Array.from(decoded.type ?? [])).toEqual([0, -1, 1, -1]);
    expect(encodeColumns(decoded)).toEqual(bytes);
  });

  it('gives the same bytes for indexes + dictionary as for the equivalent per-row strings', () => {
    const perRow = encodeColumns({ ...sample, type: ['cpu', null, 'mem', 'cpu'] });
    const indexed = encodeColumns({
      ts: new Float64Array(sample.ts),
      value: Float64Array.from(sample.value),
      key: new Int32Array([0, 1, 0, 2]),
      keys: ['web-1', 'web-2', 'db'],
      type: [0, -1, 1, 0],
      types: ['cpu', 'mem'],
    });
    expect(indexed).toEqual(perRow);
  });

  it('keeps dictionaries as given: unused and repeated entries, a type column with an empty dictionary', () => {
    const input = { ts: [1, 2], value: [3, 4], key: [2, 2], keys: ['a', 'a', 'b'], type: [-1, -1], types: [] };
    const bytes = encodeColumns(input);
    const decoded = decodeOk(bytes);
    expect(decoded.keys).toEqual(['a', 'a', 'b']);
    expect(Array.from(decoded.key)).toEqual([2, 2]);
    expect(decoded.types).toEqual([]);
    expect(Array.from(decoded.type ?? [])).toEqual([-1, -1]);
    expect(encodeColumns(decoded)).toEqual(bytes);
  });

  it('round-trips unicode keys exactly, including a leading BOM, the empty string and joined composite keys', () => {
    const keys = ['', 'Zürich', '東京', '🦀 crab', '\uFEFFbom', ['eu', 'web-1'].join('\u001f'), 'a\u0000b'];
    const decoded = decodeOk(encodeColumns({ ts: keys.map((_, i) => i), value: keys.map(() => 0), key: keys }));
    expect(decoded.keys).toEqual(keys);
    expect(Array.from(decoded.key)).toEqual(keys.map((_, i) => i));
  });

  it('round-trips zero rows, with and without types', () => {
    for (const input of [
      { ts: [], value: [], key: [] },
      { ts: [], value: [], key: [], type: [] },
    ] as ColumnsInput[]) {
      const bytes = encodeColumns(input);
      expect(bytes.length).toBe(32);
      const decoded = decodeOk(bytes);
      expect(decoded.rows).toBe(0);
      expect(decoded.ts.length).toBe(0);
      expect(decoded.keys).toEqual([]);
      expect(encodeColumns(decoded)).toEqual(bytes);
    }
  });

  it('passes non-finite numbers, −0 and NaN payloads through bit for bit', () => {
    const odd = new Float64Array(5);
    odd.set([NaN, -0, Infinity, -Infinity]);
    new DataView(odd.buffer).setUint32(4 * 8 + 4, 0x7ff8dead, true); // a NaN with a payload
    new DataView(odd.buffer).setUint32(4 * 8, 0xbeef, true);
    const decoded = decodeOk(encodeColumns({ ts: odd, value: odd, key: ['k', 'k', 'k', 'k', 'k'] }));
    expect(bitsOf(decoded.ts)).toEqual(bitsOf(odd));
    expect(bitsOf(decoded.value)).toEqual(bitsOf(odd));
  });

  it('encodes and decodes 1 M rows quickly, decoding without a per-number loop', () => {
    const n = 1_000_000;
    const ts = new Float64Array(n);
    const value = new Float64Array(n);
    const key = new Int32Array(n);
    const type = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      ts[i] = 1_700_000_000_000 + i;
      value[i] = i * 0.5;
      key[i] = i % 1000;
      type[i] = (i % 3) - 1;
    }
    const keys = Array.from({ length: 1000 }, (_, i) => `host-${i}`);
    const t0 = performance.now();
    const bytes = encodeColumns({ ts, value, key, keys, type, types: ['a', 'b'] });
    const t1 = performance.now();
    const decoded = decodeOk(bytes);
    const t2 = performance.now();
    expect(bytes.length).toBe(32 + 24 * n + decoded.keys.reduce((s, k) => s + 4 + k.length, 0) + 10);
    expect(decoded.rows).toBe(n);
    expect(decoded.ts[n - 1]).toBe(1_700_000_000_000 + n - 1);
    expect(decoded.value[12345]).toBe(12345 * 0.5);
    expect(decoded.key[999_999]).toBe(999_999 % 1000);
    expect(decoded.type?.[5]).toBe(1);
    // Generous bounds: typical figures are a few milliseconds each.
    expect(t1 - t0).toBeLessThan(1000);
    expect(t2 - t1).toBeLessThan(250);
  });
});

describe('decodeColumns zero-copy', () => {
  const bytes = encodeColumns({ ...sample, type: ['a', 'b', null, 'a'] });

  it('returns views of an 8-byte aligned input, for a Uint8Array and an ArrayBuffer alike', () => {
    for (const input of [at(bytes, 8), bytes.buffer as ArrayBuffer]) {
      const buffer = input instanceof Uint8Array ? input.buffer : input;
      const decoded = decodeOk(input);
      for (const column of [decoded.ts, decoded.value, decoded.key, decoded.type]) expect(column?.buffer).toBe(buffer);
      expect(decoded.ts.byteOffset).toBe((input instanceof Uint8Array ? input.byteOffset : 0) + 32);
    }
  });

  it('views only the i32 columns at a 4-byte offset and copies everything at an odd offset, with equal results', () => {
    const reference = decodeOk(bytes);
    const four = at(bytes, 4);
    const decodedFour = decodeOk(four);
    expect(decodedFour.ts.buffer).not.toBe(four.buffer);
    expect(decodedFour.key.buffer).toBe(four.buffer);
    const odd = at(bytes, 3);
    const decodedOdd = decodeOk(odd);
    for (const column of [decodedOdd.ts, decodedOdd.value, decodedOdd.key, decodedOdd.type]) {
      expect(column?.buffer).not.toBe(odd.buffer);
    }
    for (const decoded of [decodedFour, decodedOdd]) {
      expect(decoded).toEqual(reference);
      expect(encodeColumns(decoded)).toEqual(bytes);
    }
  });

  it('reads a SharedArrayBuffer and other views as their bytes', () => {
    const shared = new SharedArrayBuffer(bytes.length);
    new Uint8Array(shared).set(bytes);
    expect(decodeOk(shared).ts.buffer).toBe(shared);
    const asDataView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(encodeColumns(decodeOk(asDataView as never))).toEqual(bytes);
  });

  it('columns share memory with the input when viewed (documented aliasing)', () => {
    const copy = bytes.slice();
    const decoded = decodeOk(copy);
    new DataView(copy.buffer).setFloat64(32, 42, true);
    expect(decoded.ts[0]).toBe(42);
  });
});

describe('decodeColumns on hostile frames', () => {
  const valid = () => encodeColumns({ ts: [1, 2, 3], value: [4, 5, 6], key: ['a', 'b', 'c'], type: ['x', null, 'y'] });
  // Offsets in `valid()`: key column at 32 + 16·3 = 80, type column at 92, dictionaries at 104.
  const KEY_COLUMN = 80;
  const TYPE_COLUMN = 92;
  const DICT = 104;

  it('rejects what is not bytes', () => {
    expect(decodeError('EDC1' as never)).toBe('columnar frame: expected a Uint8Array or ArrayBuffer');
    expect(decodeError(null as never)).toMatch(/expected a Uint8Array/);
  });

  it('rejects a truncated header', () => {
    expect(decodeError(new Uint8Array(0))).toBe('columnar frame: length 0 bytes is shorter than the 32-byte header');
    expect(decodeError(valid().subarray(0, 31))).toMatch(/length 31 bytes is shorter than the 32-byte header/);
  });

  it('rejects a wrong magic, version, reserved field or unknown flags', () => {
    expect(decodeError(rawFrame({ magic: 0x32434445 }))).toBe('columnar frame: magic is 45 44 43 32, expected "EDC1" (45 44 43 31)');
    expect(decodeError(new TextEncoder().encode('{"ts":[1,2,3],"value":[1,2,3],"key":[]}'))).toMatch(/magic is 7b 22 74 73/);
    expect(decodeError(rawFrame({ version: 2 }))).toBe('columnar frame: version 2 is not supported (expected 1)');
    expect(decodeError(rawFrame({ version: 0 }))).toMatch(/version 0/);
    expect(decodeError(rawFrame({ reserved: 7 }))).toBe('columnar frame: reserved = 7, must be 0');
    expect(decodeError(rawFrame({ flags: 0x80000001 }))).toBe('columnar frame: flags = 0x80000001 has unknown bits 0x80000000');
    expect(decodeError(rawFrame({ flags: 2 }))).toMatch(/unknown bits 0x00000002/);
  });

  it('rejects type dictionary entries without a type column', () => {
    expect(decodeError(rawFrame({ t: 1, d: 4 }, new Uint8Array(4)))).toBe('columnar frame: type dictionary has 1 entry but flags say there is no type column');
  });

  it('rejects lengths inconsistent with the header, both ways, and trailing bytes', () => {
    const bytes = valid();
    const n = bytes.length;
    expect(decodeError(bytes.subarray(0, n - 1))).toBe(`columnar frame: length ${n - 1} bytes, header says ${n}`);
    const longer = new Uint8Array(n + 3);
    longer.set(bytes);
    expect(decodeError(longer)).toBe(`columnar frame: length ${n + 3} bytes, header says ${n}`);
    expect(decodeError(u32(valid(), 8, 2))).toBe(`columnar frame: length ${n} bytes, header says ${n - 24}`);
    expect(decodeError(u32(valid(), 24, 1000))).toMatch(/header says \d+/);
    // The brief's example shape: 1000 bytes where the header implies 1032.
    expect(decodeError(rawFrame({ rows: 50 }, new Uint8Array(968)))).toBe('columnar frame: length 1000 bytes, header says 1032');
  });

  it('rejects n so large that 20n wraps round 32 bits to a plausible length', () => {
    // 20 × 0x0CCCCCCD = 0x1_0000_0004: a u32 computation would expect 32 + 4 bytes.
    const frame = rawFrame({ rows: 0x0ccccccd }, new Uint8Array(4));
    expect(decodeError(frame, 0xffffffff)).toBe('columnar frame: length 36 bytes, header says 4294967332');
    expect(decodeError(frame)).toBe(`columnar frame: rows = ${0x0ccccccd} exceeds the maximum of 16777216`);
    // Same with a type column: 24 × 0x0AAAAAAB = 0x1_0000_0008.
    expect(decodeError(rawFrame({ rows: 0x0aaaaaab, flags: 1 }, new Uint8Array(8)), 0xffffffff)).toBe(
      'columnar frame: length 40 bytes, header says 4294967336',
    );
    expect(decodeError(rawFrame({ rows: 0xffffffff }), 0xffffffff)).toMatch(/header says 85899345932/);
  });

  it('enforces the maximum rows argument', () => {
    const bytes = valid();
    expect(decodeError(bytes, 2)).toBe('columnar frame: rows = 3 exceeds the maximum of 2');
    expect(decodeOk(bytes, 3).rows).toBe(3);
    expect(() => decodeColumns(bytes, -1)).toThrow(RangeError);
    expect(() => decodeColumns(bytes, 1.5)).toThrow(/maxRows/);
  });

  it('rejects key indexes outside the dictionary, including negative ones', () => {
    const nine = valid();
    new DataView(nine.buffer).setInt32(KEY_COLUMN + 4, 9, true);
    expect(decodeError(nine)).toBe('columnar frame: key[1] = 9 is outside the key dictionary (3 entries)');
    const three = valid();
    new DataView(three.buffer).setInt32(KEY_COLUMN + 8, 3, true);
    expect(decodeError(three)).toMatch(/key\[2\] = 3 is outside/);
    const negative = valid();
    new DataView(negative.buffer).setInt32(KEY_COLUMN, -1, true);
    expect(decodeError(negative)).toBe('columnar frame: key[0] = -1 is outside the key dictionary (3 entries)');
    const noKeys = rawFrame({ rows: 1 }, new Uint8Array(20));
    expect(decodeError(noKeys)).toBe('columnar frame: key[0] = 0 is outside the key dictionary (0 entries)');
  });

  it('rejects type indexes below −1 or past the type dictionary', () => {
    const below = valid();
    new DataView(below.buffer).setInt32(TYPE_COLUMN + 4, -2, true);
    expect(decodeError(below)).toBe('columnar frame: type[1] = -2 is outside the type dictionary (2 entries; −1 means no type)');
    const past = valid();
    new DataView(past.buffer).setInt32(TYPE_COLUMN + 8, 2, true);
    expect(decodeError(past)).toMatch(/type\[2\] = 2 is outside the type dictionary/);
  });

  it('rejects invalid UTF-8 in either dictionary', () => {
    for (const bad of [
      [0xc3, 0x28], // truncated two-byte sequence
      [0xc0, 0x80], // overlong NUL
      [0xed, 0xa0], // start of an encoded surrogate
      [0xff, 0x61],
    ]) {
      const bytes = encodeColumns({ ts: [1], value: [1], key: ['ab'], type: ['xy'] });
      bytes.set(bad, 32 + 24 + 4);
      expect(decodeError(bytes)).toBe('columnar frame: key dictionary entry 0 at byte 56 is not valid UTF-8');
      const typed = encodeColumns({ ts: [1], value: [1], key: ['ab'], type: ['xy'] });
      typed.set(bad, 32 + 24 + 6 + 4);
      expect(decodeError(typed)).toBe('columnar frame: type dictionary entry 0 at byte 62 is not valid UTF-8');
    }
  });

  it('rejects a dictionary entry whose length runs past the end', () => {
    const bytes = valid();
    u32(bytes, DICT, 1000);
    expect(decodeError(bytes)).toMatch(/^columnar frame: key dictionary entry 0 at byte 104: length 1000 runs past the end/);
    const last = valid();
    u32(last, last.length - 5, 2); // the final entry, "y", claims 2 bytes
    expect(decodeError(last)).toMatch(/type dictionary entry 1 at byte \d+: length 2 runs past the end of the dictionary \(1 byte left\)/);
  });

  it('rejects more entries than the dictionary bytes can hold, and an entry header cut off', () => {
    expect(decodeError(rawFrame({ k: 1000, d: 8 }, new Uint8Array(8)))).toBe(
      'columnar frame: 1000 key + 0 type dictionary entries cannot fit in 8 dictionary bytes',
    );
    expect(decodeError(rawFrame({ k: 0xffffffff, d: 0 }))).toMatch(/cannot fit in 0 dictionary bytes/);
    // Two entries: the first takes 3 bytes of 8, leaving 1 byte for the second's length field.
    const cut = rawFrame({ k: 2, d: 8 }, new Uint8Array([3, 0, 0, 0, 0x61, 0x62, 0x63, 0]));
    expect(decodeError(cut)).toBe('columnar frame: key dictionary entry 1 at byte 39: length field runs past the end');
  });

  it('rejects bytes left in the dictionary after its last entry', () => {
    const bytes = encodeColumns({ ts: [1], value: [1], key: ['abc'] });
    u32(bytes, 52, 1); // the entry now claims "a" only
    expect(decodeError(bytes)).toBe('columnar frame: dictionary has 2 bytes after its last entry');
  });
});

describe('encodeColumns input validation', () => {
  it('rejects columns of different lengths', () => {
    expect(() => encodeColumns({ ts: [1, 2], value: [1], key: ['a', 'b'] })).toThrow(new RangeError('encodeColumns: `value` has 1 rows, `ts` has 2'));
    expect(() => encodeColumns({ ts: [1], value: [1], key: ['a'], type: [] })).toThrow(/`type` has 0 rows/);
  });

  it('rejects indexes outside the dictionary or not integers', () => {
    expect(() => encodeColumns({ ts: [1], value: [1], key: [1], keys: ['a'] })).toThrow(
      new RangeError('encodeColumns: key[0] = 1 is outside the key dictionary (1 entry; expected 0 … 0)'),
    );
    expect(() => encodeColumns({ ts: [1], value: [1], key: [-1], keys: ['a'] })).toThrow(RangeError);
    expect(() => encodeColumns({ ts: [1], value: [1], key: [0.5], keys: ['a'] })).toThrow(/key\[0\] = 0.5/);
    expect(() => encodeColumns({ ts: [1], value: [1], key: [0], keys: ['a'], type: [-2], types: ['t'] })).toThrow(
      /type\[0\] = -2 is outside the type dictionary \(1 entry; expected −1 \(no type\) or 0 … 0\)/,
    );
  });

  it('rejects mixing per-row strings and dictionaries', () => {
    expect(() => encodeColumns({ ts: [1], value: [1], key: [0] })).toThrow(
      new TypeError('encodeColumns: key[0] is the number 0; key indexes need the `keys` dictionary'),
    );
    expect(() => encodeColumns({ ts: [1], value: [1], key: ['a'], keys: ['a'] })).toThrow(
      /key\[0\] is the string "a"; with a `keys` dictionary, `key` holds indexes/,
    );
    expect(() => encodeColumns({ ts: [1], value: [1], key: ['a'], types: ['x'] })).toThrow(/`types` dictionary given without a `type` column/);
    expect(() => encodeColumns({ ts: [1], value: [1], key: [null] as never })).toThrow(/key\[0\] is null, expected a string/);
  });

  it('rejects non-numbers in the number columns (typed arrays need no check)', () => {
    expect(() => encodeColumns({ ts: ['1'] as never, value: [1], key: ['a'] })).toThrow(
      new TypeError('encodeColumns: ts[0] is the string "1", expected a number'),
    );
    expect(() => encodeColumns({ ts: [1], value: new BigInt64Array(1) as never, key: ['a'] })).toThrow(/BigInt/);
    expect(() => encodeColumns({ ts: 5 as never, value: [1], key: ['a'] })).toThrow(/`ts` must be an array/);
    expect(() => encodeColumns(null as never)).toThrow(TypeError);
  });

  it('rejects dictionary text UTF-8 cannot carry', () => {
    expect(() => encodeColumns({ ts: [1], value: [1], key: ['\ud800'] })).toThrow(/key\[0\] holds a lone UTF-16 surrogate/);
    expect(() => encodeColumns({ ts: [1], value: [1], key: [0], keys: ['ok\udc00'] })).toThrow(/keys\[0\] holds a lone/);
    expect(() => encodeColumns({ ts: [1], value: [1], key: [0], keys: [7] as never })).toThrow(/keys\[0\] is number 7/);
  });

  it('accepts non-finite numbers and other numeric typed arrays', () => {
    const decoded = decodeOk(encodeColumns({ ts: new Int32Array([5]), value: new Float32Array([NaN]), key: ['a'] }));
    expect(decoded.ts[0]).toBe(5);
    expect(decoded.value[0]).toBeNaN();
  });
});

describe('columnar format properties', () => {
  /** Any f64 bit pattern, so NaN payloads and −0 are covered. */
  const anyDouble = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff })).map(([lo, hi]) => {
    const view = new DataView(new ArrayBuffer(8));
    view.setUint32(0, lo, true);
    view.setUint32(4, hi, true);
    return view.getFloat64(0, true);
  });
  const number = fc.oneof(fc.double(), anyDouble, fc.integer({ min: -1e15, max: 1e15 }));
  const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), fc.constantFrom('', 'a', '\uFEFF', 'eu\u001fweb'));

  /** A frame description: dictionaries plus per-row indexes, with or without types. */
  const frameInput = fc
    .record({
      keys: fc.array(text, { minLength: 1, maxLength: 5 }),
      types: fc.option(fc.array(text, { maxLength: 4 }), { nil: undefined }),
      rows: fc.nat({ max: 12 }),
    })
    .chain(({ keys, types, rows }) =>
      fc.record({
        ts: fc.array(number, { minLength: rows, maxLength: rows }),
        value: fc.array(number, { minLength: rows, maxLength: rows }),
        key: fc.array(fc.nat({ max: keys.length - 1 }), { minLength: rows, maxLength: rows }),
        keys: fc.constant(keys),
        type: types === undefined ? fc.constant(undefined) : fc.array(fc.integer({ min: -1, max: types.length - 1 }), { minLength: rows, maxLength: rows }),
        types: fc.constant(types),
        perRow: fc.boolean(),
      }),
    )
    .map(({ perRow, ...input }): ColumnsInput => {
      if (!perRow) return input;
      // The same frame as per-row strings (dictionaries then rebuilt in first-appearance order).
      return {
        ts: input.ts,
        value: input.value,
        key: input.key.map((i) => input.keys[i]!),
        ...(input.type && input.types ? { type: input.type.map((i) => (i < 0 ? null : input.types![i]!)) } : {}),
      };
    });

  it('random frames round-trip exactly', () => {
    fc.assert(
      fc.property(frameInput, fc.nat({ max: 7 }), (input, offset) => {
        const bytes = encodeColumns(input);
        const decoded = decodeOk(at(bytes, offset));
        expect(decoded.rows).toBe(input.ts.length);
        expect(bitsOf(decoded.ts)).toEqual(bitsOf(input.ts));
        expect(bitsOf(decoded.value)).toEqual(bitsOf(input.value));
        const rowKeys = Array.from(decoded.key, (i) => decoded.keys[i]);
        const inputKeys = input.keys ? Array.from(input.key as ArrayLike<number>, (i) => input.keys![i]) : Array.from(input.key as ArrayLike<unknown>);
        expect(rowKeys).toEqual(inputKeys);
        if (input.type === undefined) {
          expect(decoded.type).toBeUndefined();
        } else {
          const rowTypes = Array.from(decoded.type!, (i) => (i < 0 ? null : decoded.types![i]));
          const inputTypes = Array.from(input.type as ArrayLike<unknown>, (t) => (typeof t === 'number' ? (t < 0 ? null : input.types![t]) : (t ?? null)));
          expect(rowTypes).toEqual(inputTypes);
        }
        expect(encodeColumns(decoded)).toEqual(bytes);
      }),
      { seed: 23, numRuns: 300 },
    );
  });

  it('a mutated frame either decodes to one that re-encodes identically or returns { error }, never throws', () => {
    const mutation = fc.oneof(
      // Header bytes are where structure lives: hit them as often as the rest.
      fc.record({ kind: fc.constant('set' as const), where: fc.nat({ max: 31 }), byte: fc.nat({ max: 255 }), header: fc.constant(true) }),
      fc.record({ kind: fc.constant('set' as const), where: fc.nat(), byte: fc.nat({ max: 255 }), header: fc.constant(false) }),
      fc.record({ kind: fc.constant('truncate' as const), where: fc.nat(), byte: fc.constant(0), header: fc.constant(false) }),
      fc.record({ kind: fc.constant('append' as const), where: fc.nat({ max: 8 }), byte: fc.nat({ max: 255 }), header: fc.constant(false) }),
    );
    let decodedCount = 0;
    let errorCount = 0;
    fc.assert(
      fc.property(frameInput, fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.nat({ max: 7 }), (input, mutations, offset) => {
        let bytes = encodeColumns(input);
        for (const m of mutations) {
          if (m.kind === 'set' && bytes.length > 0) {
            bytes[m.header ? m.where % Math.min(32, bytes.length) : m.where % bytes.length] = m.byte;
          } else if (m.kind === 'truncate') {
            bytes = bytes.slice(0, m.where % (bytes.length + 1));
          } else if (m.kind === 'append') {
            const longer = new Uint8Array(bytes.length + m.where);
            longer.set(bytes);
            longer.fill(m.byte, bytes.length);
            bytes = longer;
          }
        }
        const placed = at(bytes, offset);
        const result = decodeColumns(placed, 1 << 20);
        if (isColumnarError(result)) {
          errorCount++;
          expect(result.error).toMatch(/^columnar frame: /);
        } else {
          decodedCount++;
          expect(encodeColumns(result)).toEqual(bytes);
        }
      }),
      { seed: 42, numRuns: 2000 },
    );
    // Both outcomes must actually be exercised for the property to mean anything.
    expect(decodedCount).toBeGreaterThan(50);
    expect(errorCount).toBeGreaterThan(50);
  });
});
