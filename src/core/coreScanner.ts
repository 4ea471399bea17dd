/**
 * The host side of the core's byte scanners and key table: names the fields
 * once, copies a chunk of raw input into the core (one copy), makes one scan
 * call, and exposes the rejects and the keys the call added. No parsing
 * happens here; see assembly/ndjsonScan.ts for the formats' rules.
 */
import type { CoreExports } from './exports.js';
import { checkStatus, checkValue, statusError } from './status.js';
import {
  E_BATCH_TOO_LARGE,
  E_DOCUMENT_INVALID,
  FIELD_ABSENT,
  FIELD_CSV,
  FIELD_CSV_QUOTED,
  SLOT_KEY0,
  SLOT_TIME,
  SLOT_TYPE,
  SLOT_VALUE,
  SPAN_TYPE,
} from './exports.js';

const textDecoder = new TextDecoder();
import { decodeWtf8, encodeWtf8, wellFormedUtf8 } from './keyTextBytes.js';

/**
 * A view of `length` bytes of the core's byte buffer after making it hold
 * `reserve` bytes. Reserving may grow memory, which detaches every earlier
 * view, so the view is made after it.
 */
export function bytesAt(ex: CoreExports, reserve: number, length: number): Uint8Array {
  const at = ex.scan_bytes_reserve(reserve);
  return new Uint8Array(ex.memory.buffer, at, length);
}

/** The fields a scan looks for. */
export interface ScanFields {
  time: string;
  value?: string;
  /** The event-type field, when sequence patterns read it. */
  type?: string;
  keys: readonly string[];
}

/** A key as the core stores it: its text (values joined by U+001F) and one kind byte per value. */
export interface CoreKey {
  text: string;
  kinds: Uint8Array;
}

/** One message for the message scanner: its value, and its key when the key option is on. */
export interface ScanMessage {
  readonly value: Uint8Array | null;
  readonly key?: Uint8Array | null;
}

/**
 * Where messages [from, to)'s values lie when they are slices of one buffer
 * in increasing order taking at least half of the span between the first
 * and the last (so copying the span wastes at most as much as it copies);
 * undefined otherwise.
 */
function sharedRegion(messages: readonly ScanMessage[], from: number, to: number): { buffer: ArrayBufferLike; start: number; end: number } | undefined {
  let buffer: ArrayBufferLike | undefined;
  let start = 0;
  let end = 0;
  let sum = 0;
  for (let i = from; i < to; i++) {
    const v = messages[i]!.value;
    if (v === null) continue;
    if (buffer === undefined) {
      buffer = v.buffer;
      start = v.byteOffset;
    } else if (v.buffer !== buffer || v.byteOffset < end) {
      return undefined;
    }
    end = v.byteOffset + v.length;
    sum += v.length;
  }
  return buffer !== undefined && sum * 2 >= end - start ? { buffer, start, end } : undefined;
}

/** A byte format a scanner reads. */
export type ScanFormat = 'ndjson' | 'csv' | 'json';

export class CoreScanner {
  private readonly keyColumns: number;
  private readonly fields: ScanFields;

  /** Configures the core's scanners for `fields` and the pattern event types (ids in order). */
  constructor(
    private readonly ex: CoreExports,
    fields: ScanFields,
    types: readonly string[] = [],
  ) {
    const max = ex.scan_max_key_columns();
    if (fields.keys.length > max) throw new RangeError(`at most ${max} grouping columns, got ${fields.keys.length}`);
    ex.scan_config_reset();
    this.fields = fields;
    this.keyColumns = fields.keys.length;
    this.name(SLOT_TIME, fields.time);
    if (fields.value !== undefined) this.name(SLOT_VALUE, fields.value);
    if (fields.type !== undefined) this.name(SLOT_TYPE, fields.type);
    fields.keys.forEach((k, i) => {
      this.name(SLOT_KEY0 + i, k);
    });
    for (const t of types) {
      const bytes = encodeWtf8(t);
      bytesAt(ex, bytes.length, bytes.length).set(bytes);
      checkValue(ex.scan_add_type(bytes.length));
    }
  }

  private name(slot: number, name: string): void {
    const bytes = encodeWtf8(name);
    bytesAt(this.ex, bytes.length, bytes.length).set(bytes);
    checkStatus(this.ex.scan_set_field(slot, bytes.length));
  }

  /** Copies `parts` (`length` bytes in all) one after the other into the core's input buffer: the one copy of the input. */
  load(parts: readonly Uint8Array[], length: number): void {
    const view = bytesAt(this.ex, length, length);
    let at = 0;
    for (const p of parts) {
      view.set(p, at);
      at += p.length;
    }
  }

  /**
   * Copies the values of messages [from, to) (and their keys, with `keys`)
   * into the core's byte buffer and fills its message table, with `timeOf(i)`
   * as message i's timestamp when given. Returns the bytes loaded.
   */
  loadMessages(messages: readonly ScanMessage[], from: number, to: number, keys: boolean, timeOf?: (i: number) => number): number {
    const region = keys ? undefined : sharedRegion(messages, from, to);
    if (region) return this.loadRegion(messages, from, to, region, timeOf);
    const ex = this.ex;
    const count = to - from;
    const keyBytes: (Uint8Array | null)[] = keys ? new Array(count) : [];
    let length = 0;
    for (let i = from; i < to; i++) {
      const m = messages[i]!;
      length += m.value === null ? 0 : m.value.length;
      if (keys) {
        // key text is UTF-8 in the core; a key that is not is read as Buffer#toString reads it
        const k = m.key == null ? null : wellFormedUtf8(m.key);
        keyBytes[i - from] = k;
        if (k) length += k.length;
      }
    }
    ex.scan_bytes_reserve(length);
    const tableAt = ex.scan_messages_reserve(count);
    // both reserves done: views made now stay attached
    const bytes = new Uint8Array(ex.memory.buffer, ex.scan_bytes_reserve(0), length);
    const width = ex.scan_message_width();
    const table = new Int32Array(ex.memory.buffer, tableAt, count * width);
    const times = timeOf ? new Float64Array(ex.memory.buffer, ex.scan_message_times_ptr(), count) : undefined;
    let at = 0;
    for (let i = 0; i < count; i++) {
      const value = messages[from + i]!.value;
      const t = i * width;
      table[t] = at;
      if (value !== null) {
        bytes.set(value, at);
        at += value.length;
      }
      table[t + 1] = at;
      const k = keys ? keyBytes[i] : null;
      if (k) {
        table[t + 2] = at;
        table[t + 3] = k.length;
        bytes.set(k, at);
        at += k.length;
      } else {
        table[t + 2] = 0;
        table[t + 3] = -1;
      }
      if (times) times[i] = timeOf!(from + i);
    }
    return length;
  }

  /**
   * The values lie in order in one buffer (kafkajs slices them out of the
   * fetch response): the region that holds them all is copied at once and
   * the table points into it — one copy per fetch instead of one per message.
   */
  private loadRegion(
    messages: readonly ScanMessage[],
    from: number,
    to: number,
    region: { buffer: ArrayBufferLike; start: number; end: number },
    timeOf?: (i: number) => number,
  ): number {
    const ex = this.ex;
    const count = to - from;
    const length = region.end - region.start;
    ex.scan_bytes_reserve(length);
    const tableAt = ex.scan_messages_reserve(count);
    new Uint8Array(ex.memory.buffer, ex.scan_bytes_reserve(0), length).set(new Uint8Array(region.buffer, region.start, length));
    const width = ex.scan_message_width();
    const table = new Int32Array(ex.memory.buffer, tableAt, count * width);
    const times = timeOf ? new Float64Array(ex.memory.buffer, ex.scan_message_times_ptr(), count) : undefined;
    for (let i = 0; i < count; i++) {
      const value = messages[from + i]!.value;
      const t = i * width;
      const at = value === null ? 0 : value.byteOffset - region.start;
      table[t] = at;
      table[t + 1] = value === null ? 0 : at + value.length;
      table[t + 2] = 0;
      table[t + 3] = -1;
      if (times) times[i] = timeOf!(from + i);
    }
    return length;
  }

  /**
   * Scans the `count` messages loadMessages put in the core (`length`
   * bytes; flags MESSAGE_KEY | MESSAGE_TIME); returns the rows written.
   */
  scanMessages(count: number, length: number, flags: number): number {
    const rows = this.ex.scan_messages(count, length, flags);
    if (this.ex.scan_lines() !== count) throw statusError(E_BATCH_TOO_LARGE, { detail: ' (one call of messages)' });
    return rows;
  }

  /** Makes the NDJSON line limit count UTF-16 code units (JavaScript string length) rather than bytes. */
  lineLimitInUnits(on: boolean): void {
    this.ex.scan_line_limit_units(on ? 1 : 0);
  }

  /** Makes the scans record where each row's time, value and type fields are (see fieldValue, fieldText). */
  keepFieldSpans(on: boolean): void {
    this.ex.scan_keep_field_spans(on ? 1 : 0);
  }

  /** The span (kind, start, end) of field `field` (SPAN_TIME, SPAN_VALUE, SPAN_TYPE) of row `row` of the last scan. */
  private span(row: number, field: number): Int32Array {
    return new Int32Array(this.ex.memory.buffer, this.ex.scan_field_spans_ptr() + row * this.ex.scan_field_spans_width() + field * 12, 3);
  }

  /**
   * Field `field` of row `row` of the last scan as JSON.parse (or the CSV
   * reader) gives it: a string, another JSON value, or undefined when the
   * row had none. Needs keepFieldSpans(true) before the scan.
   */
  fieldValue(row: number, field: number): unknown {
    const span = this.span(row, field);
    const kind = span[0]!;
    if (kind === FIELD_ABSENT) return undefined;
    const text = textDecoder.decode(this.loaded(span[1]!, span[2]!));
    if (kind === FIELD_CSV) return text;
    if (kind === FIELD_CSV_QUOTED) return text.slice(1, -1).replaceAll('""', '"');
    return JSON.parse(text) as unknown;
  }

  /** The type field of row `row` of the last scan (fieldValue of SPAN_TYPE). */
  typeValue(row: number): unknown {
    return this.fieldValue(row, SPAN_TYPE);
  }

  /**
   * Moves scanned rows [from, from + n) to the front of the input columns
   * (with their row numbers and spans), so a chunk scanned once can be
   * processed in slices.
   */
  shiftRows(from: number, n: number): void {
    checkStatus(this.ex.input_shift(from, n), { detail: ` (rows ${from}..${from + n})` });
  }

  /**
   * The core writes rows [from, to) of the last processed slice as lines
   * `time,value,score` (cells copied from the scanned bytes, the events
   * stage's score); returns how many rows it wrote from `from` on (it stops
   * before a row whose cells the host must write) and a view of the bytes,
   * valid until the next core call.
   */
  scoredLines(from: number, to: number): { rows: number; bytes: Uint8Array } {
    const rows = this.ex.scored_csv(from, to);
    return { rows, bytes: new Uint8Array(this.ex.memory.buffer, this.ex.scored_csv_ptr(), this.ex.scored_csv_length()) };
  }

  /** The bytes last loaded, [start, end) (for error reports). */
  loaded(start: number, end: number): Uint8Array {
    return new Uint8Array(this.ex.memory.buffer, this.ex.scan_bytes_reserve(0) + start, end - start);
  }

  /**
   * Scans the loaded `length` bytes of NDJSON starting at line `firstLine`;
   * returns the rows written into the input columns.
   */
  scanNdjson(length: number, firstLine: number, maxLineBytes: number): number {
    const rows = checkValue(this.ex.scan_ndjson(length, firstLine, maxLineBytes), { detail: ' (one chunk of NDJSON)' });
    return rows;
  }

  /** Maps the columns of a CSV header (its field names, in order) to the fields the scans look for. */
  csvHeader(names: readonly string[]): void {
    const ex = this.ex;
    checkStatus(ex.scan_csv_columns(names.length));
    const slots: [string | undefined, number][] = [
      [this.fields.time, SLOT_TIME],
      [this.fields.value, SLOT_VALUE],
      [this.fields.type, SLOT_TYPE],
    ];
    this.fields.keys.forEach((k, i) => {
      slots.push([k, SLOT_KEY0 + i]);
    });
    for (const [name, slot] of slots) {
      const column = name === undefined ? -1 : names.indexOf(name);
      if (column >= 0) checkStatus(ex.scan_csv_map(column, slot));
    }
  }

  /** Scans the loaded `length` bytes of CSV rows (after csvHeader) starting at line `firstLine`; returns the rows written. */
  scanCsv(length: number, firstLine: number, maxLineBytes: number): number {
    const rows = checkValue(this.ex.scan_csv(length, firstLine, maxLineBytes), { detail: ' (one chunk of CSV)' });
    return rows;
  }

  /**
   * Scans the loaded `length` bytes as one JSON document (an array of events
   * or one event); returns the rows written, or -1 when it is not valid JSON
   * (then nothing was kept and the one reject says where).
   */
  scanJson(length: number): number {
    const rows = this.ex.scan_json(length);
    if (rows === -E_DOCUMENT_INVALID) return -1;
    return checkValue(rows, { detail: ' (one JSON document)' });
  }

  /** Lines the last scan went through. */
  get lines(): number {
    return this.ex.scan_lines();
  }

  /** The rejects of the last scan: `count` records of `width` i32 from `offset` in `data`. */
  rejects(): { data: Int32Array; offset: number; count: number; width: number } {
    return {
      data: new Int32Array(this.ex.memory.buffer),
      offset: this.ex.scan_rejects_ptr() >>> 2,
      count: this.ex.scan_rejects_count(),
      width: this.ex.scan_rejects_width(),
    };
  }

  /** The source row (line) of each of the first `n` rows the last scan wrote. */
  rowNumbers(n: number): Int32Array {
    return new Int32Array(this.ex.memory.buffer, this.ex.input_row_ptr(), n);
  }

  /** Number of keys in the core's table. */
  get keyCount(): number {
    return this.ex.keys_count();
  }

  /** Key `id` as the core stores it. */
  key(id: number): CoreKey {
    const entries = new Int32Array(this.ex.memory.buffer, this.ex.keys_entries_ptr() + id * 12, 2);
    const text = new Uint8Array(this.ex.memory.buffer, this.ex.keys_text_ptr() + entries[0]!, entries[1]! + this.keyColumns);
    return { text: decodeWtf8(text.subarray(0, entries[1]!)), kinds: text.slice(entries[1]!) };
  }

  /** Interns a key given its text and kinds; returns its id. */
  intern(text: string, kinds: Uint8Array): number {
    const n = text.length;
    let ascii = true;
    for (let i = 0; i < n; i++)
      if (text.charCodeAt(i) > 0x7f) {
        ascii = false;
        break;
      }
    // ASCII, the common key, is written as it stands: a TextEncoder call per key costs more than the rest of interning
    const bytes = ascii ? undefined : encodeWtf8(text);
    const length = bytes ? bytes.length : n;
    const view = bytesAt(this.ex, length + kinds.length, length + kinds.length);
    if (bytes) view.set(bytes);
    else for (let i = 0; i < n; i++) view[i] = text.charCodeAt(i);
    view.set(kinds, length);
    return this.ex.keys_intern(length, kinds.length);
  }

  /** Removes the keys with ids ≥ `count` (a refused payload's). */
  truncateKeys(count: number): void {
    this.ex.keys_truncate(count);
  }

  /** Forgets every key. */
  resetKeys(): void {
    this.ex.keys_reset();
  }
}
