/**
 * Output batches held as columns: a copy of the core's output records (one
 * memcpy per batch) from which byte sinks get their text in one tight loop
 * per batch — no record object per result — and record objects are built
 * only when something asks for them (callbacks, the memory table, the
 * object API).
 *
 * The text is exactly that of the records (records.ts) serialised by the
 * sinks: NDJSON as `safeJsonStringify(record)`, CSV as
 * `csvLine(flatRow(record, columns))`. Fields are written in the records'
 * order; a key's JSON and CSV text is made once per key and reused. When
 * the output names would make a record object order or merge fields in its
 * own way (a name used twice, an array-index name such as "1", or
 * "__proto__"), the text is made from the records instead.
 */
import { ANOMALY_SCORE_ALERT, RECORD_ANOMALY, RECORD_FORECAST, RECORD_PATTERNS, type OutputBatch, type ResultRecord } from './sink.js';
import { KEY_SEPARATOR } from './columnBatch.js';
import { safeJsonStringify } from './safeJson.js';
import { csvField, csvLine } from './csvFormat.js';
import { flatRow } from './flatten.js';
import type { KeyInterner } from './interner.js';
import type { QueryPlan } from './plan.js';
import type { RecordBuilder, RecordView } from './records.js';
import { FIELD_OF } from './records.js';
import { analyticsColumns, hasAnalytics } from './analytics.js';
import { formatTimestamp } from './timestamp.js';
import {
  L_KEY,
  L_TS,
  L_VALUE,
  W_END,
  W_KEY,
  W_START,
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

/** JSON text of one field value of record r. */
type Text = (r: number) => string;
/** One JSON member: its `"name":` prefix (empty for a run of members) and its value text. */
interface Member {
  prefix: string;
  text: Text;
}

/** JSON of a result number: finite as String(), else null (as the records' nullable()). */
const jsonNumber = (v: number): string => (Number.isFinite(v) ? String(v) : 'null');
/** CSV of a result number: finite as String(), else an empty cell. */
const csvNumber = (v: number): string => (Number.isFinite(v) ? String(v) : '');
const EMPTY: Text = () => '';

/** True when a record object with these field names serialises in the order written, one field per name. */
function plainNames(names: readonly string[]): boolean {
  if (new Set(names).size !== names.length) return false;
  // array-index names come first in an object's key order; __proto__ is not a plain assignment
  return !names.some((n) => n === '__proto__' || /^(0|[1-9]\d*)$/.test(n));
}

/** The text of `count` records' values of one field. */
function columnTexts(text: Text, count: number): string[] {
  const out: string[] = new Array(count);
  for (let r = 0; r < count; r++) out[r] = text(r);
  return out;
}

/** A batch of records held as columns. */
class ColumnBatchOutput implements OutputBatch {
  private built: ResultRecord[] | undefined;

  constructor(
    readonly count: number,
    private readonly build: (n: number) => ResultRecord[],
    /** JSON members in record order, or undefined when the text must come from records. */
    private readonly members: Member[] | undefined,
    /** CSV cell text by flat column name. */
    private readonly cells: ReadonlyMap<string, Text>,
    readonly windowAt?: (r: number) => { start: string; end: string; values: readonly unknown[] },
    /** RECORD_* flags of record r, from the stage columns. */
    readonly flagsAt?: (r: number) => number,
    /** Key text of record r. */
    readonly keyAt?: (r: number) => string,
  ) {}

  records(): ResultRecord[] {
    return (this.built ??= this.build(this.count));
  }

  head(n: number): ResultRecord[] {
    return this.built ? this.built.slice(0, n) : this.build(Math.min(n, this.count));
  }

  jsonLines(): string[] {
    if (!this.members) return this.records().map(safeJsonStringify);
    // a column at a time: each loop calls one text function, which V8 then inlines (a loop over the
    // members of each record calls many, and ran twice as slow)
    const m = this.members;
    const texts = m.map((member) => columnTexts(member.text, this.count));
    const out: string[] = new Array(this.count);
    for (let r = 0; r < this.count; r++) {
      let line = '{';
      for (let i = 0; i < m.length; i++) line += (i === 0 ? '' : ',') + m[i]!.prefix + texts[i]![r];
      out[r] = line + '}';
    }
    return out;
  }

  ndjson(): string {
    let text = '';
    for (const line of this.jsonLines()) text += line + '\n';
    return text;
  }

  csv(columns: readonly string[]): string {
    let text = '';
    if (!this.members) {
      for (const record of this.records()) text += csvLine(flatRow(record, columns));
      return text;
    }
    const cells = columns.map((c) => this.cells.get(c) ?? EMPTY);
    for (let r = 0; r < this.count; r++) {
      let line = '';
      for (let i = 0; i < cells.length; i++) line += (i === 0 ? '' : ',') + cells[i]!(r);
      text += line + '\n';
    }
    return text;
  }
}

/** Makes the column batches of one query's outputs; keeps each key's text for the next batches. */
export class ColumnOutputs {
  /** `"col":value,…` of each key id. */
  private readonly keyJson: string[] = [];
  /** Key text of each key id, for the live hub's key filters. */
  private readonly keyRoutes: string[] = [];
  /** CSV cell of each key id, per grouping column. */
  private readonly keyCsv: string[][];
  private readonly keyColumns: string[];
  private readonly analytics: string[];

  constructor(
    private readonly plan: QueryPlan,
    private readonly keys: KeyInterner,
    private readonly builder: RecordBuilder,
  ) {
    this.keyColumns = plan.keyColumns;
    this.keyCsv = plan.keyColumns.map(() => []);
    this.analytics = hasAnalytics(plan.analytics) ? analyticsColumns(plan.analytics) : [];
  }

  private keyText(id: number): string {
    let text = this.keyJson[id];
    if (text === undefined) {
      const values = this.keys.valuesOf(id);
      text = this.keyColumns.map((c, i) => `${JSON.stringify(c)}:${safeJsonStringify(values[i])}`).join(',');
      this.keyJson[id] = text;
    }
    return text;
  }

  /** Key text of a key id as the live hub's filters name keys: the values as strings, joined by U+001F. */
  private keyRoute(id: number): string {
    let text = this.keyRoutes[id];
    if (text === undefined) {
      text = this.keys.valuesOf(id).map(String).join(KEY_SEPARATOR);
      this.keyRoutes[id] = text;
    }
    return text;
  }

  /** RECORD_* flags of a stage copy's rows. */
  private flagsOf(stage: Float64Array | undefined, width: number): (r: number) => number {
    const a = this.plan.analytics;
    if (stage === undefined || a === undefined) return () => 0;
    const forecast = a.forecast ? RECORD_FORECAST : 0;
    const patterns = this.builder.hasThresholdPatterns;
    return (r) => {
      let flags = forecast;
      const at = r * width;
      if ((a.zscore && stage[at + S_IS_ANOMALY] === 1) || (a.score && stage[at + S_SCORE]! >= ANOMALY_SCORE_ALERT)) flags |= RECORD_ANOMALY;
      if (patterns && this.builder.detectedPatterns(stage[at + S_PATTERNS]!).length > 0) flags |= RECORD_PATTERNS;
      return flags;
    };
  }

  private keyCell(column: number, id: number): string {
    const cells = this.keyCsv[column]!;
    let text = cells[id];
    if (text === undefined) {
      text = csvField(this.keys.valuesOf(id)[column]);
      cells[id] = text;
    }
    return text;
  }

  /** The members and cells of the grouping columns, given where a record's key id is. */
  private keyParts(keyOf: (r: number) => number, members: Member[], cells: Map<string, Text>): void {
    if (this.keyColumns.length > 0) members.push({ prefix: '', text: (r) => this.keyText(keyOf(r)) });
    this.keyColumns.forEach((c, i) => {
      cells.set(c, (r) => this.keyCell(i, keyOf(r)));
    });
  }

  /** The members and cells of the analytics columns from a stage copy. */
  private analyticsParts(stage: Float64Array, width: number, members: Member[], cells: Map<string, Text>): void {
    const num = (name: string, field: number): void => {
      members.push({ prefix: `${JSON.stringify(name)}:`, text: (r) => jsonNumber(stage[r * width + field]!) });
      cells.set(name, (r) => csvNumber(stage[r * width + field]!));
    };
    const a = this.plan.analytics!;
    if (a.zscore) {
      num('rolling_avg', S_ROLLING_AVG);
      num('rolling_stddev', S_ROLLING_STDDEV);
      num('zscore', S_ZSCORE);
      const flag = (r: number): string => (stage[r * width + S_IS_ANOMALY] === 1 ? 'true' : 'false');
      members.push({ prefix: '"is_anomaly":', text: flag });
      cells.set('is_anomaly', flag);
    }
    if (a.score) num('anomaly_score', S_SCORE);
    if (a.forecast) {
      num('level', S_LEVEL);
      num('trend', S_TREND);
      num('forecast', S_FORECAST);
      num('forecast_h', S_FORECAST_H);
    }
    if (this.builder.hasThresholdPatterns) {
      const names = (r: number): string[] => this.builder.detectedPatterns(stage[r * width + S_PATTERNS]!);
      members.push({ prefix: '"detected_patterns":', text: (r) => JSON.stringify(names(r)) });
      cells.set('detected_patterns', (r) => csvField(names(r)));
    }
  }

  /** Window results of the last core call (with the window stage's analytics when the plan has some). */
  windows(view: RecordView, stageView: RecordView | undefined): OutputBatch {
    const { count, width } = view;
    const data = view.data.slice(view.offset, view.offset + count * width);
    const scored = hasAnalytics(this.plan.analytics) && stageView !== undefined && stageView.count === count;
    const stage = scored ? stageView.data.slice(stageView.offset, stageView.offset + count * stageView.width) : undefined;
    const stageWidth = stageView?.width ?? 0;
    const build = (n: number): ResultRecord[] =>
      this.builder.windows({ data, offset: 0, count: n, width }, stage ? { data: stage, offset: 0, count: n, width: stageWidth } : undefined);
    const aggregates = this.plan.aggregates.map((a) => ({ name: a.name, index: FIELD_OF[a.fn] }));
    const names = ['window', 'window_start', 'window_end', ...this.keyColumns, ...aggregates.map((a) => a.name), ...(scored ? this.analytics : [])];
    const members: Member[] = [];
    const cells = new Map<string, Text>();
    const start = (r: number): string => this.builder.iso(data[r * width + W_START]!);
    const end = (r: number): string => this.builder.iso(data[r * width + W_END]!);
    members.push({ prefix: '"window":', text: (r) => `{"start":"${start(r)}","end":"${end(r)}"}` });
    cells.set('window_start', start);
    cells.set('window_end', end);
    const keyOf = (r: number): number => data[r * width + W_KEY]!;
    this.keyParts(keyOf, members, cells);
    for (const a of aggregates) {
      members.push({ prefix: `${JSON.stringify(a.name)}:`, text: (r) => jsonNumber(data[r * width + a.index]!) });
      cells.set(a.name, (r) => csvNumber(data[r * width + a.index]!));
    }
    if (stage) this.analyticsParts(stage, stageWidth, members, cells);
    const windowAt = (r: number) => ({ start: start(r), end: end(r), values: this.keys.valuesOf(keyOf(r)) });
    return new ColumnBatchOutput(count, build, plainNames(names) ? members : undefined, cells, windowAt, this.flagsOf(stage, stageWidth), (r) =>
      this.keyRoute(keyOf(r)),
    );
  }

  /** Late events of the last core call. */
  late(view: RecordView): OutputBatch {
    const { count, width } = view;
    const data = view.data.slice(view.offset, view.offset + count * width);
    const build = (n: number): ResultRecord[] => this.builder.late({ data, offset: 0, count: n, width });
    const valueName = this.plan.valueColumn;
    const names = ['timestamp', ...this.keyColumns, ...(valueName === undefined ? [] : [valueName])];
    const members: Member[] = [];
    const cells = new Map<string, Text>();
    const ts = (r: number): string => formatTimestamp(data[r * width + L_TS]!);
    members.push({ prefix: '"timestamp":', text: (r) => `"${ts(r)}"` });
    cells.set('timestamp', ts);
    this.keyParts((r) => data[r * width + L_KEY]!, members, cells);
    if (valueName !== undefined) {
      members.push({ prefix: `${JSON.stringify(valueName)}:`, text: (r) => jsonNumber(data[r * width + L_VALUE]!) });
      cells.set(valueName, (r) => csvNumber(data[r * width + L_VALUE]!));
    }
    return new ColumnBatchOutput(
      count,
      build,
      plainNames(names) ? members : undefined,
      cells,
      undefined,
      () => 0,
      (r) => this.keyRoute(data[r * width + L_KEY]!),
    );
  }

  /**
   * Scored events of the last core call: the input columns of its `count`
   * rows, each row's type value (when the plan has a type column) and the
   * events stage.
   */
  events(
    input: { ts: Float64Array; key: Int32Array; value: Float64Array },
    count: number,
    typeOf: (row: number) => unknown,
    stageView: RecordView,
  ): OutputBatch {
    const ts = input.ts.slice(0, count);
    const key = input.key.slice(0, count);
    const value = input.value.slice(0, count);
    const typeName = this.plan.typeColumn;
    // the type values live in the scanned bytes, which the next scan overwrites: read them now
    const types: unknown[] | undefined = typeName ? Array.from({ length: count }, (_, r) => typeOf(r)) : undefined;
    const stage = stageView.data.slice(stageView.offset, stageView.offset + count * stageView.width);
    const stageWidth = stageView.width;
    const build = (n: number): ResultRecord[] =>
      this.builder.events(n, ts, key, value, (r) => types?.[r], { data: stage, offset: 0, count: n, width: stageWidth });
    const valueName = this.plan.valueColumn ?? 'value';
    const names = ['timestamp', ...this.keyColumns, valueName, ...(typeName ? [typeName] : []), ...this.analytics];
    const members: Member[] = [];
    const cells = new Map<string, Text>();
    const time = (r: number): string => formatTimestamp(ts[r]!);
    members.push({ prefix: '"timestamp":', text: (r) => `"${time(r)}"` });
    cells.set('timestamp', time);
    this.keyParts((r) => key[r]!, members, cells);
    members.push({ prefix: `${JSON.stringify(valueName)}:`, text: (r) => jsonNumber(value[r]!) });
    cells.set(valueName, (r) => csvNumber(value[r]!));
    if (typeName && types) {
      members.push({ prefix: `${JSON.stringify(typeName)}:`, text: (r) => safeJsonStringify(types[r] ?? null) });
      cells.set(typeName, (r) => csvField(types[r] ?? null));
    }
    if (this.analytics.length > 0) this.analyticsParts(stage, stageWidth, members, cells);
    return new ColumnBatchOutput(
      count,
      build,
      plainNames(names) ? members : undefined,
      cells,
      undefined,
      this.flagsOf(this.analytics.length > 0 ? stage : undefined, stageWidth),
      (r) => this.keyRoute(key[r]!),
    );
  }
}
