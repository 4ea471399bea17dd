/**
 * The binary columnar ingest format (`application/vnd.eddy.columns`): a frame
 * of events sent as columns, for clients that need more speed than NDJSON. A
 * decoder takes the f64 columns as typed-array views of the received bytes,
 * so a million-row frame is checked and handed to the engine without one
 * JavaScript step per number.
 *
 * Version 1, all numbers little-endian:
 *
 * ┌───────┬─────────┬────────┬───────┬──────────┬──────────┬───────────┬──────────┐
 * │ "EDC1"│ version │ rows n │ flags │ key dict │ type dict│ dict bytes│ reserved │  header, 8 × u32
 * │       │   = 1   │        │       │ entries k│ entries t│     d     │   = 0    │
 * └───────┴─────────┴────────┴───────┴──────────┴──────────┴───────────┴──────────┘
 *   0       4         8        12      16         20         24          28
 *
 * ┌──────────────┬──────────────┬──────────────┬──────────────┬─────────────────────────────┐
 * │ ts f64[n]    │ value f64[n] │ key i32[n]   │ type i32[n]  │ dictionaries (d bytes)      │
 * │ epoch ms     │              │ 0 … k−1      │ −1 … t−1     │ k key entries, t type       │
 * │              │              │              │ (flag bit 0) │ entries: u32 length + UTF-8 │
 * └──────────────┴──────────────┴──────────────┴──────────────┴─────────────────────────────┘
 *   32             32 + 8n        32 + 16n       32 + 20n       32 + 20n (+ 4n with types)
 *
 * - flags: bit 0 = the type column is present; every other bit must be 0. Without the
 *   type column t must be 0.
 * - Type index −1 means "no type" for that row.
 * - The frame is exactly 32 + 20n (+ 4n) + d bytes, and the k + t entries fill the d
 *   dictionary bytes exactly: nothing before, between or after is allowed, so every
 *   valid frame has exactly one encoding.
 * - The header is 32 bytes so the f64 columns start 8-byte aligned: when the frame
 *   itself sits at an 8-byte aligned offset (any freshly received buffer does), the
 *   decoder returns views of it without copying.
 * - A key dictionary entry is the group key as text. With several grouping columns
 *   the entry is their values joined by U+001F (unit separator,
 *   `COLUMNAR_KEY_SEPARATOR`), the same join the engine's key interner uses, so a key
 *   sent this way and the same key sent as JSON land in the same group.
 * - Dictionary entries may repeat and may go unused; the server interns keys by their
 *   text, so neither changes the result, and rejecting them would cost a hash per
 *   entry for nothing.
 *
 * Browser-safe: no Node imports, only DataView, typed arrays and TextEncoder /
 * TextDecoder, so clients can encode with the same module the server decodes with.
 */

/** HTTP `Content-Type` of a columnar frame. */
export const COLUMNAR_CONTENT_TYPE = 'application/vnd.eddy.columns';

/** The magic bytes "EDC1" (0x45 0x44 0x43 0x31) read as a little-endian u32. */
export const COLUMNAR_MAGIC = 0x31434445;

/** The format version this module writes and reads. */
export const COLUMNAR_VERSION = 1;

/** Size of the fixed header; also the offset of the ts column. */
export const COLUMNAR_HEADER_BYTES = 32;

/** Flag bit: the frame carries a type column and a type dictionary. */
export const COLUMNAR_FLAG_TYPES = 1;

/** Default limit on rows per frame for `decodeColumns` (2²⁴). */
export const COLUMNAR_DEFAULT_MAX_ROWS = 16_777_216;

/** Joins the values of several grouping columns into one key dictionary entry. */
export const COLUMNAR_KEY_SEPARATOR = '\u001f';

/** Input of `encodeColumns`; a `DecodedColumns` is one too, so decoded frames re-encode. */
export interface ColumnsInput {
  /** Event time, epoch milliseconds, one per row. */
  ts: ArrayLike<number>;
  /** Event value, one per row. */
  value: ArrayLike<number>;
  /**
   * Either one group key string per row (the encoder builds the dictionary in
   * order of first appearance) or one index per row into `keys`.
   */
  key: ArrayLike<number> | readonly string[];
  /** The key dictionary, when `key` holds indexes. */
  keys?: readonly string[];
  /**
   * Optional event types: one string per row (null / undefined = no type), or
   * one index per row into `types` (−1 = no type). Omitted: no type column.
   */
  type?: ArrayLike<number> | readonly (string | null | undefined)[];
  /** The type dictionary, when `type` holds indexes. */
  types?: readonly string[];
}

/** A decoded frame. Columns may be views of the input bytes (see `decodeColumns`). */
export interface DecodedColumns {
  /** Number of rows. */
  rows: number;
  /** Event time, epoch milliseconds. */
  ts: Float64Array;
  /** Event value. */
  value: Float64Array;
  /** Index into `keys` per row. */
  key: Int32Array;
  /** The key dictionary. */
  keys: string[];
  /** Index into `types` per row, −1 = no type; present only when the frame has a type column. */
  type?: Int32Array;
  /** The type dictionary; present exactly when `type` is. */
  types?: string[];
}

/** Why a frame was rejected; the message names the offending field. */
export interface ColumnarError {
  /** Human-readable reason, starting with `columnar frame: `. */
  error: string;
}

/** Narrows a `decodeColumns` result to the error case. */
export function isColumnarError(result: DecodedColumns | ColumnarError): result is ColumnarError {
  return 'error' in result;
}

const HEADER = COLUMNAR_HEADER_BYTES;
const KNOWN_FLAGS = COLUMNAR_FLAG_TYPES;
const U32_MAX = 0xffff_ffff;
/** i32 indexes reach 2³¹ − 1, so a dictionary may hold at most 2³¹ entries. */
const MAX_DICTIONARY_ENTRIES = 0x8000_0000;

/**
 * Typed arrays use the host's byte order. Every browser and Node platform in
 * use is little-endian, so the fast paths (views, bulk `set`) are the real
 * ones; the DataView loops keep big-endian hosts correct rather than fast.
 */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// fatal: malformed UTF-8 is an error, not U+FFFD. ignoreBOM: a leading U+FEFF
// stays in the text, so decode → encode gives back the same bytes.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** A lone surrogate: TextEncoder would silently turn it into U+FFFD. */
const LONE_SURROGATE = /\p{Cs}/u;

// ─── decoding ────────────────────────────────────────────────────────────────

/**
 * Decodes and fully validates a frame. Never throws on the frame's contents:
 * anything malformed returns `{ error }` naming the field.
 *
 * Zero-copy: when the input's offset is 8-byte aligned (4-byte for the i32
 * columns), `ts`, `value`, `key` and `type` are views of the input's buffer, so
 * they change if the caller reuses that buffer. A caller whose buffer is only
 * lent (uWebSockets.js message buffers, pooled sockets) must copy the bytes
 * first or copy the columns out before the buffer is recycled.
 *
 * @param maxRows frames with more rows are rejected before anything is read
 *   (default `COLUMNAR_DEFAULT_MAX_ROWS`).
 * @throws RangeError only when `maxRows` itself is not a non-negative integer.
 */
export function decodeColumns(input: Uint8Array | ArrayBufferLike, maxRows: number = COLUMNAR_DEFAULT_MAX_ROWS): DecodedColumns | ColumnarError {
  if (!Number.isInteger(maxRows) || maxRows < 0) {
    throw new RangeError(`decodeColumns: maxRows must be a non-negative integer, got ${String(maxRows)}`);
  }
  const bytes = asBytes(input);
  if (bytes === undefined) return fail('expected a Uint8Array or ArrayBuffer');
  const length = bytes.byteLength;
  if (length < HEADER) return fail(`length ${length} bytes is shorter than the ${HEADER}-byte header`);

  const header = new DataView(bytes.buffer, bytes.byteOffset, HEADER);
  if (header.getUint32(0, true) !== COLUMNAR_MAGIC) {
    return fail(`magic is ${hexBytes(bytes.subarray(0, 4))}, expected "EDC1" (45 44 43 31)`);
  }
  const version = header.getUint32(4, true);
  if (version !== COLUMNAR_VERSION) return fail(`version ${version} is not supported (expected ${COLUMNAR_VERSION})`);
  const rows = header.getUint32(8, true);
  const flags = header.getUint32(12, true);
  const keyCount = header.getUint32(16, true);
  const typeCount = header.getUint32(20, true);
  const dictBytes = header.getUint32(24, true);
  const reserved = header.getUint32(28, true);
  if (reserved !== 0) return fail(`reserved = ${reserved}, must be 0`);
  if ((flags & ~KNOWN_FLAGS) !== 0) {
    return fail(`flags = 0x${hex32(flags)} has unknown bits 0x${hex32((flags & ~KNOWN_FLAGS) >>> 0)}`);
  }
  const hasTypes = (flags & COLUMNAR_FLAG_TYPES) !== 0;
  if (!hasTypes && typeCount !== 0) {
    return fail(`type dictionary has ${entries(typeCount)} but flags say there is no type column`);
  }
  if (rows > maxRows) return fail(`rows = ${rows} exceeds the maximum of ${maxRows}`);

  // Computed in doubles: 32 + 24·(2³²−1) + (2³²−1) < 2⁵³ is exact, whereas u32
  // arithmetic would wrap a huge n round to a small, plausible length.
  const columnBytes = rows * (hasTypes ? 24 : 20);
  const expected = HEADER + columnBytes + dictBytes;
  if (expected !== length) return fail(`length ${length} bytes, header says ${expected}`);
  // Each entry starts with a 4-byte length, so this bounds k + t by the real
  // frame size before any array is built for them.
  if ((keyCount + typeCount) * 4 > dictBytes) {
    return fail(`${keyCount} key + ${typeCount} type dictionary entries cannot fit in ${dictBytes} dictionary bytes`);
  }

  const dict: DictionaryCursor = { offset: HEADER + columnBytes, end: length };
  const keys = readDictionary(bytes, dict, keyCount, 'key');
  if (typeof keys === 'string') return fail(keys);
  const types = readDictionary(bytes, dict, typeCount, 'type');
  if (typeof types === 'string') return fail(types);
  if (dict.offset !== dict.end) {
    return fail(`dictionary has ${byteCount(dict.end - dict.offset)} after its last entry`);
  }

  const key = i32Column(bytes, HEADER + 16 * rows, rows);
  const badKey = firstOutside(key, 0, keyCount);
  if (badKey >= 0) {
    return fail(`key[${badKey}] = ${key[badKey]} is outside the key dictionary (${entries(keyCount)})`);
  }
  const decoded: DecodedColumns = {
    rows,
    ts: f64Column(bytes, HEADER, rows),
    value: f64Column(bytes, HEADER + 8 * rows, rows),
    key,
    keys,
  };
  if (hasTypes) {
    const type = i32Column(bytes, HEADER + 20 * rows, rows);
    const badType = firstOutside(type, -1, typeCount);
    if (badType >= 0) {
      return fail(`type[${badType}] = ${type[badType]} is outside the type dictionary (${entries(typeCount)}; −1 means no type)`);
    }
    decoded.type = type;
    decoded.types = types;
  }
  return decoded;
}

/** Where the next dictionary entry starts and where the dictionaries end. */
interface DictionaryCursor {
  offset: number;
  end: number;
}

/** Reads `count` entries at the cursor, advancing it; an error message on failure. */
function readDictionary(bytes: Uint8Array, cursor: DictionaryCursor, count: number, name: string): string[] | string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = cursor.offset;
    if (at + 4 > cursor.end) return `${name} dictionary entry ${i} at byte ${at}: length field runs past the end`;
    const size = view.getUint32(at, true);
    const start = at + 4;
    if (size > cursor.end - start) {
      return `${name} dictionary entry ${i} at byte ${at}: length ${size} runs past the end of the dictionary (${byteCount(cursor.end - start)} left)`;
    }
    try {
      out.push(utf8Decoder.decode(bytes.subarray(start, start + size)));
    } catch {
      return `${name} dictionary entry ${i} at byte ${at} is not valid UTF-8`;
    }
    cursor.offset = start + size;
  }
  return out;
}

/** Index of the first element outside [min, limit), or −1. */
function firstOutside(column: Int32Array, min: number, limit: number): number {
  for (let i = 0; i < column.length; i++) {
    const v = column[i]!;
    if (v < min || v >= limit) return i;
  }
  return -1;
}

/** An f64 column: a view when aligned, otherwise one bulk copy into an aligned array. */
function f64Column(bytes: Uint8Array, offset: number, rows: number): Float64Array {
  const start = bytes.byteOffset + offset;
  if (HOST_LITTLE_ENDIAN && start % 8 === 0) return new Float64Array(bytes.buffer, start, rows);
  const column = new Float64Array(rows);
  if (HOST_LITTLE_ENDIAN) {
    new Uint8Array(column.buffer).set(bytes.subarray(offset, offset + 8 * rows));
    return column;
  }
  const view = new DataView(bytes.buffer, start, 8 * rows);
  for (let i = 0; i < rows; i++) column[i] = view.getFloat64(8 * i, true);
  return column;
}

/** An i32 column: a view when aligned, otherwise one bulk copy into an aligned array. */
function i32Column(bytes: Uint8Array, offset: number, rows: number): Int32Array {
  const start = bytes.byteOffset + offset;
  if (HOST_LITTLE_ENDIAN && start % 4 === 0) return new Int32Array(bytes.buffer, start, rows);
  const column = new Int32Array(rows);
  if (HOST_LITTLE_ENDIAN) {
    new Uint8Array(column.buffer).set(bytes.subarray(offset, offset + 4 * rows));
    return column;
  }
  const view = new DataView(bytes.buffer, start, 4 * rows);
  for (let i = 0; i < rows; i++) column[i] = view.getInt32(4 * i, true);
  return column;
}

/** The input as bytes, or undefined when it is neither bytes nor a buffer. */
function asBytes(input: unknown): Uint8Array | undefined {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  // SharedArrayBuffer is absent from browsers that are not cross-origin isolated.
  if (typeof SharedArrayBuffer !== 'undefined' && input instanceof SharedArrayBuffer) return new Uint8Array(input);
  // Other views (Node Buffer is a Uint8Array already; DataView, typed arrays
  // of other widths) are read as their bytes.
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  return undefined;
}

function fail(message: string): ColumnarError {
  return { error: `columnar frame: ${message}` };
}

function entries(count: number): string {
  return count === 1 ? '1 entry' : `${count} entries`;
}

function byteCount(count: number): string {
  return count === 1 ? '1 byte' : `${count} bytes`;
}

function hex32(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

// ─── encoding ────────────────────────────────────────────────────────────────

/**
 * Encodes events as a version-1 frame. Numbers need not be finite: the server
 * reports non-finite rows as rejected, so the encoder passes them through bit
 * for bit.
 *
 * @throws TypeError when a column is not array-like, holds the wrong kind of
 *   element, or mixes per-row strings with a dictionary.
 * @throws RangeError when column lengths differ, an index is outside its
 *   dictionary, or the frame would not fit the format's u32 fields.
 */
export function encodeColumns(input: ColumnsInput): Uint8Array {
  if (input === null || typeof input !== 'object') throw new TypeError('encodeColumns: expected an object of columns');
  const rows = columnLength(input.ts, 'ts');
  if (rows > U32_MAX) throw new RangeError(`encodeColumns: ${rows} rows exceed the format's limit of ${U32_MAX}`);
  expectLength(input.value, 'value', rows);
  expectLength(input.key, 'key', rows);
  checkNumbers(input.ts, 'ts');
  checkNumbers(input.value, 'value');

  const key = resolveIndexes(input.key, input.keys, rows, 'key', 'keys', false);
  let type: ResolvedIndexes | undefined;
  if (input.type !== undefined) {
    expectLength(input.type, 'type', rows);
    type = resolveIndexes(input.type, input.types, rows, 'type', 'types', true);
  } else if (input.types !== undefined) {
    throw new TypeError('encodeColumns: `types` dictionary given without a `type` column');
  }

  const encodedKeys = key.dictionary.map((text) => utf8Encoder.encode(text));
  const encodedTypes = type === undefined ? [] : type.dictionary.map((text) => utf8Encoder.encode(text));
  let dictBytes = 0;
  for (const entry of encodedKeys) dictBytes += 4 + entry.length;
  for (const entry of encodedTypes) dictBytes += 4 + entry.length;
  if (dictBytes > U32_MAX) {
    throw new RangeError(`encodeColumns: dictionaries take ${dictBytes} bytes, more than the u32 size field allows`);
  }

  const columnBytes = rows * (type === undefined ? 20 : 24);
  const out = new Uint8Array(HEADER + columnBytes + dictBytes);
  const view = new DataView(out.buffer);
  view.setUint32(0, COLUMNAR_MAGIC, true);
  view.setUint32(4, COLUMNAR_VERSION, true);
  view.setUint32(8, rows, true);
  view.setUint32(12, type === undefined ? 0 : COLUMNAR_FLAG_TYPES, true);
  view.setUint32(16, encodedKeys.length, true);
  view.setUint32(20, encodedTypes.length, true);
  view.setUint32(24, dictBytes, true);
  view.setUint32(28, 0, true);

  writeF64(out, view, HEADER, input.ts);
  writeF64(out, view, HEADER + 8 * rows, input.value);
  writeI32(out, view, HEADER + 16 * rows, key.indexes);
  if (type !== undefined) writeI32(out, view, HEADER + 20 * rows, type.indexes);

  let at = HEADER + columnBytes;
  for (const entry of encodedKeys.concat(encodedTypes)) {
    view.setUint32(at, entry.length, true);
    out.set(entry, at + 4);
    at += 4 + entry.length;
  }
  return out;
}

/** Row indexes into a dictionary, validated. */
interface ResolvedIndexes {
  indexes: ArrayLike<number>;
  dictionary: readonly string[];
}

/**
 * Turns a key or type column into indexes + dictionary: per-row strings are
 * interned in order of first appearance; given indexes are checked against
 * the given dictionary and used as they are.
 */
function resolveIndexes(
  column: ArrayLike<unknown>,
  dictionary: readonly unknown[] | undefined,
  rows: number,
  name: string,
  dictionaryName: string,
  nullable: boolean,
): ResolvedIndexes {
  const min = nullable ? -1 : 0;
  if (dictionary !== undefined) {
    if (!Array.isArray(dictionary)) throw new TypeError(`encodeColumns: \`${dictionaryName}\` must be an array of strings`);
    if (dictionary.length > MAX_DICTIONARY_ENTRIES) {
      throw new RangeError(`encodeColumns: \`${dictionaryName}\` has ${dictionary.length} entries, more than i32 indexes reach`);
    }
    for (let i = 0; i < dictionary.length; i++) checkText(dictionary[i], `${dictionaryName}[${i}]`);
    const limit = dictionary.length;
    for (let i = 0; i < rows; i++) {
      const v = column[i];
      if (typeof v !== 'number') {
        throw new TypeError(`encodeColumns: ${name}[${i}] is ${describe(v)}; with a \`${dictionaryName}\` dictionary, \`${name}\` holds indexes`);
      }
      if (!Number.isInteger(v) || v < min || v >= limit) {
        const range = nullable ? `−1 (no ${name}) or 0 … ${limit - 1}` : `0 … ${limit - 1}`;
        throw new RangeError(`encodeColumns: ${name}[${i}] = ${v} is outside the ${name} dictionary (${entries(limit)}; expected ${range})`);
      }
    }
    return { indexes: column as ArrayLike<number>, dictionary: dictionary as readonly string[] };
  }

  const ids = new Map<string, number>();
  const texts: string[] = [];
  const indexes = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = column[i];
    if (typeof v === 'string') {
      let id = ids.get(v);
      if (id === undefined) {
        checkText(v, `${name}[${i}]`);
        id = texts.length;
        ids.set(v, id);
        texts.push(v);
      }
      indexes[i] = id;
    } else if (nullable && (v === null || v === undefined)) {
      indexes[i] = -1;
    } else if (typeof v === 'number') {
      throw new TypeError(`encodeColumns: ${name}[${i}] is the number ${v}; ${name} indexes need the \`${dictionaryName}\` dictionary`);
    } else {
      const expected = nullable ? 'a string, null or undefined' : 'a string';
      throw new TypeError(`encodeColumns: ${name}[${i}] is ${describe(v)}, expected ${expected}`);
    }
  }
  return { indexes, dictionary: texts };
}

/** Rejects non-strings and text TextEncoder could not encode faithfully. */
function checkText(text: unknown, where: string): void {
  if (typeof text !== 'string') throw new TypeError(`encodeColumns: ${where} is ${describe(text)}, expected a string`);
  if (LONE_SURROGATE.test(text)) {
    throw new TypeError(`encodeColumns: ${where} holds a lone UTF-16 surrogate, which UTF-8 cannot represent`);
  }
}

function columnLength(column: unknown, name: string): number {
  const length = (column as { length?: unknown } | null | undefined)?.length;
  if (typeof column !== 'object' || column === null || typeof length !== 'number' || !Number.isInteger(length) || length < 0) {
    throw new TypeError(`encodeColumns: \`${name}\` must be an array or typed array`);
  }
  return length;
}

function expectLength(column: unknown, name: string, rows: number): void {
  const length = columnLength(column, name);
  if (length !== rows) throw new RangeError(`encodeColumns: \`${name}\` has ${length} rows, \`ts\` has ${rows}`);
}

/**
 * Plain arrays are checked element by element, because `Float64Array.set`
 * would silently turn a stray string into NaN; number typed arrays need no
 * check.
 */
function checkNumbers(column: ArrayLike<unknown>, name: string): void {
  if (ArrayBuffer.isView(column) && !(column instanceof DataView)) {
    if (column instanceof BigInt64Array || column instanceof BigUint64Array) {
      throw new TypeError(`encodeColumns: \`${name}\` is a BigInt array, expected numbers`);
    }
    return;
  }
  for (let i = 0; i < column.length; i++) {
    const v = column[i];
    if (typeof v !== 'number') throw new TypeError(`encodeColumns: ${name}[${i}] is ${describe(v)}, expected a number`);
  }
}

function writeF64(out: Uint8Array, view: DataView, offset: number, column: ArrayLike<number>): void {
  if (HOST_LITTLE_ENDIAN) {
    // `out` is a fresh buffer and offsets 32 + 8n are 8-aligned, so a view works.
    new Float64Array(out.buffer, offset, column.length).set(column);
    return;
  }
  for (let i = 0; i < column.length; i++) view.setFloat64(offset + 8 * i, column[i]!, true);
}

function writeI32(out: Uint8Array, view: DataView, offset: number, column: ArrayLike<number>): void {
  if (HOST_LITTLE_ENDIAN) {
    new Int32Array(out.buffer, offset, column.length).set(column);
    return;
  }
  for (let i = 0; i < column.length; i++) view.setInt32(offset + 4 * i, column[i]!, true);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${String(value)}`;
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
