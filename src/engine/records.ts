/**
 * Output records, named as Spark would write them: window results
 * `{ window: { start, end }, <group columns>, <aggregates> }` and late events
 * `{ timestamp, <group columns>, <value column> }` (no value column when
 * the query only counts). Timestamps are ISO-8601
 * UTC with milliseconds; numbers that are undefined (stddev of one event) are null.
 */
import { W_AVG, W_COUNT, W_END, W_KEY, W_MAX, W_MIN, W_START, W_STDDEV, W_SUM, L_KEY, L_TS, L_VALUE } from '../core/exports.js';
import type { AggregateFunction } from './aggregates.js';
import type { KeyInterner } from './interner.js';
import type { QueryPlan } from './plan.js';
import type { OutputSchema, ResultRecord } from '../sinks/sink.js';
import { formatTimestamp } from './timestamp.js';

const FIELD_OF: Record<AggregateFunction, number> = {
  count: W_COUNT, sum: W_SUM, avg: W_AVG, stddev: W_STDDEV, min: W_MIN, max: W_MAX,
};

/** A view of output records in wasm memory. */
export interface RecordView {
  data: Float64Array;
  offset: number;
  count: number;
  width: number;
}

/** Column order of window records. */
export function windowSchema(plan: QueryPlan): OutputSchema {
  return {
    kind: 'windows',
    mode: plan.outputMode,
    columns: ['window_start', 'window_end', ...plan.keyColumns, ...plan.aggregates.map((a) => a.name)],
    keyColumns: ['window_start', 'window_end', ...plan.keyColumns],
  };
}

/** Column order of late-event records. */
export function lateSchema(plan: QueryPlan): OutputSchema {
  return {
    kind: 'late',
    mode: 'append',
    columns: ['timestamp', ...plan.keyColumns, ...(plan.valueColumn === undefined ? [] : [plan.valueColumn])],
    keyColumns: [],
  };
}

/** Builds output records from core records; caches ISO strings of window bounds (many records share them). */
export class RecordBuilder {
  private readonly isoCache = new Map<number, string>();
  private readonly fields: { name: string; index: number; isCount: boolean }[];

  constructor(private readonly plan: QueryPlan, private readonly keys: KeyInterner) {
    this.fields = plan.aggregates.map((a) => ({ name: a.name, index: FIELD_OF[a.fn], isCount: a.fn === 'count' }));
  }

  /** Window results of the last core call. */
  windows(view: RecordView): ResultRecord[] {
    const out: ResultRecord[] = new Array(view.count);
    const { data, width } = view;
    const keyColumns = this.plan.keyColumns;
    for (let r = 0; r < view.count; r++) {
      const at = view.offset + r * width;
      const record: ResultRecord = { window: { start: this.iso(data[at + W_START]!), end: this.iso(data[at + W_END]!) } };
      const values = this.keys.valuesOf(data[at + W_KEY]!);
      for (let c = 0; c < keyColumns.length; c++) record[keyColumns[c]!] = values[c];
      for (const f of this.fields) {
        const v = data[at + f.index]!;
        record[f.name] = Number.isFinite(v) ? v : null;
      }
      out[r] = record;
    }
    if (this.isoCache.size > 4096) this.isoCache.clear();
    return out;
  }

  /** Late events of the last core call. */
  late(view: RecordView): ResultRecord[] {
    const out: ResultRecord[] = new Array(view.count);
    const { data, width } = view;
    const keyColumns = this.plan.keyColumns;
    const valueName = this.plan.valueColumn; // undefined for count()-only queries: the value was never read
    for (let r = 0; r < view.count; r++) {
      const at = view.offset + r * width;
      const record: ResultRecord = { timestamp: formatTimestamp(data[at + L_TS]!) };
      const values = this.keys.valuesOf(data[at + L_KEY]!);
      for (let c = 0; c < keyColumns.length; c++) record[keyColumns[c]!] = values[c];
      if (valueName !== undefined) record[valueName] = data[at + L_VALUE]!;
      out[r] = record;
    }
    return out;
  }

  private iso(ms: number): string {
    let text = this.isoCache.get(ms);
    if (text === undefined) {
      text = formatTimestamp(ms);
      this.isoCache.set(ms, text);
    }
    return text;
  }
}
