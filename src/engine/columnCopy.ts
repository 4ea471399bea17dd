/**
 * Copies a ColumnBatch into the core's input columns: the batch's key and
 * type dictionaries are mapped to the engine's ids once, then the columns
 * are copied with typed-array `set` (or one tight loop when some rows must be
 * rejected) — no per-event parsing.
 */
import type { InputColumns } from '../core/wasmCore.js';
import type { ColumnBatch, GrowingKeyTable } from './columnBatch.js';
import { KEY_SEPARATOR } from './columnBatch.js';
import type { KeyInterner } from './interner.js';
import type { InputError } from './inputError.js';
import type { TypeIds } from './encoder.js';
import { isEventTime, MAX_EVENT_TIME_MS, MIN_EVENT_TIME_MS } from './timestamp.js';

type KeyPart = string | number | boolean;

/** Why a ts column value is not an event time. */
export function badTimeReason(t: number): string {
  return t - t === 0 ? `column 'ts': ${t} is outside the years 0000 to 9999` : `column 'ts': ${t} is not a finite epoch-ms time`;
}

function isKeyPart(v: unknown): v is KeyPart {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** Per engine key table, the engine ids of each shared table's entries mapped so far. */
const sharedMaps = new WeakMap<KeyInterner, WeakMap<GrowingKeyTable, { ids: Int32Array; mapped: number; generation: number }>>();

/** Engine key ids of a shared table's entries: only entries added since the last batch are interned. */
function mapSharedKeys(table: GrowingKeyTable, keys: KeyInterner, keyColumns: number): Int32Array {
  let perEngine = sharedMaps.get(keys);
  if (!perEngine) sharedMaps.set(keys, (perEngine = new WeakMap()));
  let m = perEngine.get(table);
  // ids mapped before the engine's keys were replaced (a restore) mean nothing now
  if (!m || m.generation !== keys.generation) perEngine.set(table, (m = { ids: new Int32Array(1024), mapped: 0, generation: keys.generation }));
  const size = table.size;
  if (size > m.ids.length) {
    const grown = new Int32Array(Math.max(size, m.ids.length * 2));
    grown.set(m.ids.subarray(0, m.mapped));
    m.ids = grown;
  }
  for (let e = m.mapped; e < size; e++) m.ids[e] = internParts(table.valuesOf(e), keys, keyColumns);
  m.mapped = size;
  return m.ids;
}

/** Engine id of a key given its grouping values (−1: the wrong number of them, or a value that cannot be a key). */
function internParts(parts: readonly unknown[], keys: KeyInterner, keyColumns: number): number {
  if (keyColumns === 0) return keys.internOne('');
  if (parts.length !== keyColumns || !parts.every(isKeyPart)) return -1;
  return keyColumns === 1 ? keys.internOne(parts[0] as KeyPart) : keys.internMany(parts as KeyPart[]);
}

/** Engine key id of each dictionary entry (−1: an entry with the wrong number of grouping values). */
function mapKeys(b: ColumnBatch, keys: KeyInterner, keyColumns: number): Int32Array {
  if (b.keyTable) return mapSharedKeys(b.keyTable, keys, keyColumns);
  const size = b.keyValues ? b.keyValues.length : b.keys ? b.keys.length : 0;
  const ids = new Int32Array(size);
  for (let e = 0; e < size; e++) {
    let parts: readonly unknown[];
    if (b.keyValues) parts = b.keyValues[e]!;
    else parts = keyColumns <= 1 ? [b.keys![e]!] : b.keys![e]!.split(KEY_SEPARATOR);
    ids[e] = internParts(parts, keys, keyColumns);
  }
  return ids;
}

// The two loops of the common case live in small functions of their own: V8 optimises a small
// function with typed-array parameters at once, while these loops inside copyColumns ran several
// times slower (~20 ns per row against ~4).

// local copies: V8 folds a module's own constants into optimised code, not imported bindings
const MIN_TIME = MIN_EVENT_TIME_MS;
const MAX_TIME = MAX_EVENT_TIME_MS;

/** True when every row has an event time, a finite value and a key of the right shape. */
function allValid(ts: Float64Array, value: Float64Array, key: Int32Array, keyIds: Int32Array, rows: number): boolean {
  for (let i = 0; i < rows; i++) {
    const t = ts[i]!;
    const v = value[i]!;
    if (!(t >= MIN_TIME && t < MAX_TIME) || !(v - v === 0) || keyIds[key[i]!]! < 0) return false;
  }
  return true;
}

/** Writes the engine key id of each row's dictionary entry. */
function copyKeyIds(out: Int32Array, at: number, key: Int32Array, keyIds: Int32Array, rows: number): void {
  for (let i = 0; i < rows; i++) out[at + i] = keyIds[key[i]!]!;
}

/**
 * Appends batch `b` to `cols` from row `at`; returns the rows written.
 * Rows with a non-finite time or value, or a key of the wrong shape, are
 * reported in `errors` (with their row index as offset) and skipped.
 * `written`, when given, receives the batch row index of each row written.
 */
export function copyColumns(
  b: ColumnBatch,
  cols: InputColumns,
  at: number,
  keys: KeyInterner,
  keyColumns: number,
  types: TypeIds | undefined,
  errors: InputError[],
  sourceName: string,
  written?: number[],
): number {
  const keyIds = mapKeys(b, keys, keyColumns);
  const typeIds = types && b.types ? Int32Array.from(b.types, (name) => types.idOf(name)) : undefined;
  const { ts, value, key, type } = b;
  if (allValid(ts, value, key, keyIds, b.rows)) {
    cols.ts.set(ts.subarray(0, b.rows), at);
    cols.value.set(value.subarray(0, b.rows), at);
    copyKeyIds(cols.key, at, key, keyIds, b.rows);
    if (types) for (let i = 0; i < b.rows; i++) cols.type[at + i] = type && typeIds && type[i]! >= 0 ? typeIds[type[i]!]! : -1;
    if (written) for (let i = 0; i < b.rows; i++) written.push(i);
    return b.rows;
  }
  const source = b.source ?? sourceName;
  let n = at;
  for (let i = 0; i < b.rows; i++) {
    const t = ts[i]!;
    const v = value[i]!;
    const id = keyIds[key[i]!]!;
    if (!isEventTime(t)) {
      errors.push({ source, offset: i, kind: 'bad_timestamp', reason: badTimeReason(t) });
    } else if (!(v - v === 0)) {
      errors.push({ source, offset: i, kind: 'non_finite', reason: `column 'value': ${v} is not finite` });
    } else if (id < 0) {
      errors.push({
        source,
        offset: i,
        kind: 'bad_key',
        reason: `key '${String(b.keys?.[key[i]!] ?? JSON.stringify(b.keyValues?.[key[i]!]))}' does not have ${keyColumns} grouping value(s)`,
      });
    } else {
      cols.ts[n] = t;
      cols.value[n] = v;
      cols.key[n] = id;
      if (types) cols.type[n] = type && typeIds && type[i]! >= 0 ? typeIds[type[i]!]! : -1;
      written?.push(i);
      n++;
    }
  }
  return n - at;
}
