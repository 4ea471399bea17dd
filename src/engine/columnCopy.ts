/**
 * Copies a ColumnBatch into the core's input columns: the batch's key and
 * type dictionaries are mapped to the engine's ids once, then the columns
 * are copied with typed-array `set` (or one tight loop when some rows must be
 * rejected) — no per-event parsing.
 */
import type { InputColumns } from '../core/wasmCore.js';
import type { ColumnBatch } from './columnBatch.js';
import { KEY_SEPARATOR } from './columnBatch.js';
import type { KeyInterner } from './interner.js';
import type { InputError } from './inputError.js';
import type { TypeIds } from './encoder.js';
import { isEventTime } from './timestamp.js';

type KeyPart = string | number | boolean;

/** Why a ts column value is not an event time. */
export function badTimeReason(t: number): string {
  return t - t === 0 ? `column 'ts': ${t} is outside the years 0000 to 9999` : `column 'ts': ${t} is not a finite epoch-ms time`;
}

function isKeyPart(v: unknown): v is KeyPart {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** Engine key id of each dictionary entry (−1: an entry with the wrong number of grouping values). */
function mapKeys(b: ColumnBatch, keys: KeyInterner, keyColumns: number): Int32Array {
  const size = b.keyValues ? b.keyValues.length : b.keys ? b.keys.length : 0;
  const ids = new Int32Array(size);
  for (let e = 0; e < size; e++) {
    let parts: readonly unknown[];
    if (b.keyValues) parts = b.keyValues[e]!;
    else parts = keyColumns <= 1 ? [b.keys![e]!] : b.keys![e]!.split(KEY_SEPARATOR);
    if (keyColumns === 0) ids[e] = keys.internOne('');
    else if (parts.length !== keyColumns || !parts.every(isKeyPart)) ids[e] = -1;
    else ids[e] = keyColumns === 1 ? keys.internOne(parts[0] as KeyPart) : keys.internMany(parts as KeyPart[]);
  }
  return ids;
}

/**
 * Appends batch `b` to `cols` from row `at`; returns the rows written.
 * Rows with a non-finite time or value, or a key of the wrong shape, are
 * reported in `errors` (with their row index as offset) and skipped.
 * `written`, when given, receives the batch row index of each row written.
 */
export function copyColumns(
  b: ColumnBatch, cols: InputColumns, at: number, keys: KeyInterner, keyColumns: number, types: TypeIds | undefined,
  errors: InputError[], sourceName: string, written?: number[],
): number {
  const keyIds = mapKeys(b, keys, keyColumns);
  const typeIds = types && b.types ? Int32Array.from(b.types, (name) => types.idOf(name)) : undefined;
  const { ts, value, key, type } = b;
  let valid = true;
  for (let i = 0; i < b.rows; i++) {
    const t = ts[i]!;
    const v = value[i]!;
    if (!isEventTime(t) || !(v - v === 0) || keyIds[key[i]!]! < 0) {
      valid = false;
      break;
    }
  }
  if (valid) {
    cols.ts.set(ts.subarray(0, b.rows), at);
    cols.value.set(value.subarray(0, b.rows), at);
    for (let i = 0; i < b.rows; i++) cols.key[at + i] = keyIds[key[i]!]!;
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
      errors.push({ source, offset: i, kind: 'bad_key', reason: `key '${String(b.keys?.[key[i]!] ?? JSON.stringify(b.keyValues?.[key[i]!]))}' does not have ${keyColumns} grouping value(s)` });
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
