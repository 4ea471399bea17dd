/**
 * A batch of events already in columns: what the server's ingest endpoints
 * (NDJSON, JSON arrays, the binary columnar format) hand the engine. The
 * engine maps the batch's small key and type dictionaries to its own ids and
 * copies the columns into the core with no per-event parsing.
 *
 * Keys: `key[i]` indexes the batch's key dictionary. An entry is either the
 * grouping columns' values (`keyValues`, from parsed rows, keeping numbers as
 * numbers) or the key as text (`keys`, from the columnar format: the values
 * joined with U+001F when there are several grouping columns).
 * Event time is epoch milliseconds.
 */
export interface ColumnBatch {
  /** Rows in the batch. */
  rows: number;
  ts: Float64Array;
  value: Float64Array;
  /** Index into the key dictionary per row. */
  key: Int32Array;
  /** The key dictionary as text (columnar frames). */
  keys?: readonly string[];
  /** The key dictionary as grouping values (parsed rows). */
  keyValues?: readonly (readonly unknown[])[];
  /**
   * A key dictionary shared by many batches that only grows (the server's
   * scanner): the engine maps only the entries it has not seen before.
   */
  keyTable?: GrowingKeyTable;
  /** Index into the type dictionary per row, −1 = no type. */
  type?: Int32Array;
  /** The type dictionary. */
  types?: readonly string[];
  /** Where the batch came from, for error reports (`http:127.0.0.1`, `ws:…`). */
  source?: string;
  /** When the server received it (performance.now()), for event→result latency. */
  receivedAt?: number;
}

/** Keys by id, appended to and never changed: entry `id` is that key's grouping values. */
export interface GrowingKeyTable {
  readonly size: number;
  valuesOf(id: number): readonly unknown[];
}

/** Separator of grouping values in a text key of a columnar frame. */
export const KEY_SEPARATOR = '\u001f';

/**
 * Collects event types of parsed rows into a batch-local dictionary, for the
 * row encoder (the engine maps names to its own ids later).
 */
export class TypeDictionary {
  private readonly ids = new Map<string, number>();
  /** Type names by id. */
  readonly names: string[] = [];

  /** Id of a row's type field; missing/null/'' → −1. */
  idOf(value: unknown): number {
    if (value === undefined || value === null || value === '') return -1;
    const name = typeof value === 'string' ? value : String(value);
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(name, id);
      this.names.push(name);
    }
    return id;
  }
}
