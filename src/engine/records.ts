/**
 * Output records, named as Spark would write them:
 *  - window results `{ window: { start, end }, <group columns>, <aggregates>, <analytics> }`;
 *  - scored events (events queries) `{ timestamp, <group columns>, <value column>, <type column>, <analytics> }`;
 *  - late events `{ timestamp, <group columns>, <value column> }` (no value
 *    column when the query only counts);
 *  - sequence matches `{ pattern, <group columns>, start, end, timestamps }`.
 * Analytics use the seed's names: `rolling_avg`, `rolling_stddev`, `zscore`,
 * `is_anomaly`, `anomaly_score`, `level`, `trend`, `forecast`, `forecast_h`,
 * `detected_patterns`. Timestamps are ISO-8601 UTC with milliseconds;
 * undefined numbers (stddev of one event, z of a constant series) are null.
 */
import {
  W_AVG,
  W_COUNT,
  W_END,
  W_KEY,
  W_MAX,
  W_MIN,
  W_START,
  W_STDDEV,
  W_SUM,
  L_KEY,
  L_TS,
  L_VALUE,
  S_ZSCORE,
  S_IS_ANOMALY,
  S_LEVEL,
  S_TREND,
  S_FORECAST,
  S_FORECAST_H,
  S_SCORE,
  S_PATTERNS,
  S_ROLLING_AVG,
  S_ROLLING_STDDEV,
} from '../core/exports.js';
import type { AggregateFunction } from './aggregates.js';
import type { KeyInterner } from './interner.js';
import type { QueryPlan } from './plan.js';
import type { OutputSchema, ResultRecord } from './sink.js';
import { analyticsColumns, hasAnalytics } from './analytics.js';
import { formatTimestamp } from './timestamp.js';

/** Window-record field of each aggregate function. */
export const FIELD_OF: Record<AggregateFunction, number> = {
  count: W_COUNT,
  sum: W_SUM,
  avg: W_AVG,
  stddev: W_STDDEV,
  min: W_MIN,
  max: W_MAX,
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
    columns: ['window_start', 'window_end', ...plan.keyColumns, ...plan.aggregates.map((a) => a.name), ...analyticsColumns(plan.analytics)],
    keyColumns: ['window_start', 'window_end', ...plan.keyColumns],
  };
}

/** Column order of scored-event records (events queries). */
export function eventSchema(plan: QueryPlan): OutputSchema {
  return {
    kind: 'events',
    mode: 'append',
    columns: ['timestamp', ...plan.keyColumns, plan.valueColumn ?? 'value', ...(plan.typeColumn ? [plan.typeColumn] : []), ...analyticsColumns(plan.analytics)],
    keyColumns: [],
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

/** Column order of sequence-match records. */
export function matchSchema(plan: QueryPlan): OutputSchema {
  return { kind: 'matches', mode: 'append', columns: ['pattern', ...plan.keyColumns, 'start', 'end', 'timestamps'], keyColumns: [] };
}

const nullable = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** Builds output records from core records; caches ISO strings of window bounds (many records share them). */
export class RecordBuilder {
  private readonly isoCache = new Map<number, string>();
  private readonly fields: { name: string; index: number }[];
  private readonly patternNames: string[];

  constructor(
    private readonly plan: QueryPlan,
    private readonly keys: KeyInterner,
  ) {
    this.fields = plan.aggregates.map((a) => ({ name: a.name, index: FIELD_OF[a.fn] }));
    // bit 2i → '<name>_exceeded', bit 2i+1 → '<name>_below' (the seed's names)
    this.patternNames = (plan.analytics?.thresholds ?? []).flatMap((t) => [`${t.name}_exceeded`, `${t.name}_below`]);
  }

  /** Window results of the last core call, with the windows stage's analytics when the plan has some. */
  windows(view: RecordView, stage?: RecordView): ResultRecord[] {
    const out: ResultRecord[] = new Array(view.count);
    const { data, width } = view;
    const keyColumns = this.plan.keyColumns;
    const scored = hasAnalytics(this.plan.analytics) && stage !== undefined && stage.count === view.count;
    for (let r = 0; r < view.count; r++) {
      const at = view.offset + r * width;
      const record: ResultRecord = { window: { start: this.iso(data[at + W_START]!), end: this.iso(data[at + W_END]!) } };
      const values = this.keys.valuesOf(data[at + W_KEY]!);
      for (let c = 0; c < keyColumns.length; c++) record[keyColumns[c]!] = values[c];
      for (const f of this.fields) record[f.name] = nullable(data[at + f.index]!);
      if (scored) this.addAnalytics(record, stage, r);
      out[r] = record;
    }
    return out;
  }

  /**
   * Scored events (events queries): one record per encoded row, from the
   * input columns (ts, key, value), the source rows (type) and the events stage.
   */
  events(count: number, ts: Float64Array, key: Int32Array, value: Float64Array, typeOf: (row: number) => unknown, stage: RecordView): ResultRecord[] {
    const out: ResultRecord[] = new Array(count);
    const keyColumns = this.plan.keyColumns;
    const valueName = this.plan.valueColumn ?? 'value';
    const typeName = this.plan.typeColumn;
    for (let r = 0; r < count; r++) {
      const record: ResultRecord = { timestamp: formatTimestamp(ts[r]!) };
      const values = this.keys.valuesOf(key[r]!);
      for (let c = 0; c < keyColumns.length; c++) record[keyColumns[c]!] = values[c];
      record[valueName] = value[r]!;
      if (typeName) record[typeName] = typeOf(r) ?? null;
      this.addAnalytics(record, stage, r);
      out[r] = record;
    }
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

  /** A sequence match: pattern name, key, first and last event time, every matched event's time. */
  match(pattern: string, key: number, timestamps: number[]): ResultRecord {
    const record: ResultRecord = { pattern };
    const values = this.keys.valuesOf(key);
    this.plan.keyColumns.forEach((c, i) => {
      record[c] = values[i];
    });
    record.start = formatTimestamp(timestamps[0]!);
    record.end = formatTimestamp(timestamps[timestamps.length - 1]!);
    record.timestamps = timestamps.map(formatTimestamp);
    return record;
  }

  private addAnalytics(record: ResultRecord, stage: RecordView, r: number): void {
    const plan = this.plan.analytics;
    if (!plan) return;
    const at = stage.offset + r * stage.width;
    const d = stage.data;
    if (plan.zscore) {
      record.rolling_avg = nullable(d[at + S_ROLLING_AVG]!);
      record.rolling_stddev = nullable(d[at + S_ROLLING_STDDEV]!);
      record.zscore = nullable(d[at + S_ZSCORE]!);
      record.is_anomaly = d[at + S_IS_ANOMALY] === 1;
    }
    if (plan.score) record.anomaly_score = nullable(d[at + S_SCORE]!);
    if (plan.forecast) {
      record.level = nullable(d[at + S_LEVEL]!);
      record.trend = nullable(d[at + S_TREND]!);
      record.forecast = nullable(d[at + S_FORECAST]!);
      record.forecast_h = nullable(d[at + S_FORECAST_H]!);
    }
    if (this.hasThresholdPatterns) record.detected_patterns = this.detectedPatterns(d[at + S_PATTERNS]!);
  }

  /** True when the plan names threshold patterns (records carry `detected_patterns`). */
  get hasThresholdPatterns(): boolean {
    return this.patternNames.length > 0;
  }

  /** The names of the threshold patterns set in a stage record's pattern mask. */
  detectedPatterns(mask: number): string[] {
    const names: string[] = [];
    for (let b = 0; b < this.patternNames.length; b++) if (Math.floor(mask / 2 ** b) % 2 === 1) names.push(this.patternNames[b]!);
    return names;
  }

  /** A window bound's ISO text, cached (many records share a bound; the cache is emptied past 4,096 entries). */
  iso(ms: number): string {
    let text = this.isoCache.get(ms);
    if (text === undefined) {
      if (this.isoCache.size > 4096) this.isoCache.clear();
      text = formatTimestamp(ms);
      this.isoCache.set(ms, text);
    }
    return text;
  }
}
