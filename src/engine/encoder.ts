/**
 * Turns a batch of parsed rows into the wasm core's input columns, validating
 * every field the query reads. Each rejected row becomes an InputError naming
 * the field and the reason; the valid rows of the batch are kept in order.
 */
import type { Row, SourceBatch } from './source.js';
import type { InputColumns } from '../core/wasmCore.js';
import { clipRaw, type InputError } from './inputError.js';
import { keyError, timeError, valueError, type FieldError } from './fieldErrors.js';
import { epochToMs, isEventTime, parseTimestamp } from './timestamp.js';
import type { KeyInterner } from './interner.js';

/** Maps a row's type field to an id (EventTypeIds in the engine, a TypeDictionary at ingest). */
export interface TypeIds {
  idOf(value: unknown): number;
}
import type { QueryPlan } from './plan.js';

/** Result of encoding one batch. */
export interface EncodedBatch {
  /** Rows written to the columns. */
  count: number;
  /** For each written row, its index in the source batch (to find its line for late-event reports). */
  rowIndex: Int32Array;
  errors: InputError[];
}

const NUMBER_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** Orders errors by line; errors without a line keep their place at the end. */
function byLine(a: InputError, b: InputError): number {
  return (a.line ?? Infinity) - (b.line ?? Infinity);
}

/** Encodes rows for one query plan; keeps its own scratch space between batches. */
export class RowEncoder {
  private rowIndex = new Int32Array(0);
  private firstLine: number | undefined;
  private readonly keyParts: (string | number | boolean)[];

  /**
   * @param types ids of event types (the type column), when the plan has sequence patterns
   */
  constructor(
    private readonly plan: QueryPlan,
    private readonly keys: KeyInterner,
    private readonly sourceName: string,
    private readonly types?: TypeIds,
  ) {
    this.keyParts = new Array(plan.keyColumns.length);
    this.typeColumn = types ? (plan.typeColumn ?? 'type') : undefined;
  }

  private readonly typeColumn: string | undefined;

  /** Writes the valid rows of `batch` into `cols` (sized for batch.rows.length) and reports the rest. */
  encode(batch: SourceBatch, cols: Omit<InputColumns, 'type'> & { type?: Int32Array }): EncodedBatch {
    const { rows, lines } = batch;
    this.firstLine = batch.firstLine;
    if (this.rowIndex.length < rows.length) this.rowIndex = new Int32Array(Math.max(rows.length, 1024));
    const { timeColumn, valueColumn, keyColumns } = this.plan;
    const single = keyColumns.length === 1 ? keyColumns[0]! : undefined;
    const errors: InputError[] = batch.errors.slice();
    let n = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      if (row === null || typeof row !== 'object' || Array.isArray(row)) {
        errors.push(
          this.error({ row }, i, lines, {
            kind: 'malformed',
            reason: `expected an object, got ${row === null ? 'null' : Array.isArray(row) ? 'an array' : typeof row}`,
          }),
        );
        continue;
      }
      const rawTs = row[timeColumn];
      // Fast path for the common shape: epoch ms numbers and numeric values.
      const ts = typeof rawTs === 'number' ? epochToMs(rawTs) : parseTimestamp(rawTs);
      if (!isEventTime(ts)) {
        errors.push(this.error(row, i, lines, timeError(timeColumn, rawTs, ts)));
        continue;
      }
      let value = 0;
      if (valueColumn !== undefined) {
        const raw = row[valueColumn];
        value = typeof raw === 'number' ? raw : this.toNumber(raw);
        if (!Number.isFinite(value)) {
          errors.push(this.error(row, i, lines, valueError(valueColumn, raw)));
          continue;
        }
      }
      let key: number;
      if (single !== undefined) {
        const part = row[single];
        if (typeof part === 'string' || typeof part === 'number' || typeof part === 'boolean') {
          key = this.keys.internOne(part);
        } else {
          errors.push(this.error(row, i, lines, keyError(single, part)));
          continue;
        }
      } else if (keyColumns.length === 0) {
        key = this.keys.internOne('');
      } else {
        let bad: string | undefined;
        for (let c = 0; c < keyColumns.length; c++) {
          const part = row[keyColumns[c]!];
          if (typeof part === 'string' || typeof part === 'number' || typeof part === 'boolean') this.keyParts[c] = part;
          else {
            bad = keyColumns[c];
            break;
          }
        }
        if (bad !== undefined) {
          errors.push(this.error(row, i, lines, keyError(bad, row[bad])));
          continue;
        }
        key = this.keys.internMany(this.keyParts);
      }
      cols.ts[n] = ts;
      cols.key[n] = key;
      cols.value[n] = value;
      // A missing type is not an error: the row still counts for windows, it is just invisible to sequences.
      if (this.typeColumn !== undefined) cols.type![n] = this.types!.idOf(row[this.typeColumn]);
      this.rowIndex[n] = i;
      n++;
    }
    // Source errors (unparseable lines) came first; report all in line order.
    if (batch.errors.length > 0 && errors.length > batch.errors.length) errors.sort(byLine);
    return { count: n, rowIndex: this.rowIndex, errors };
  }

  private toNumber(raw: unknown): number {
    if (typeof raw === 'string' && NUMBER_TEXT.test(raw)) return Number(raw);
    return NaN;
  }

  private error(row: Row, i: number, lines: number[] | undefined, { kind, reason }: FieldError): InputError {
    const line = lines ? lines[i] : this.firstLine === undefined ? undefined : this.firstLine + i;
    let raw: string;
    try {
      raw = clipRaw(JSON.stringify(row));
    } catch {
      raw = '[unserialisable row]';
    }
    return line === undefined ? { source: this.sourceName, kind, reason, raw } : { source: this.sourceName, line, kind, reason, raw };
  }
}
