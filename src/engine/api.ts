/**
 * The fluent API, in Spark Structured Streaming's vocabulary.
 *
 * A windows query (the seed's AnalyticsPipeline: windows → anomalies on
 * avg_value → threshold patterns):
 *
 *   eddy.stream(source)
 *     .withWatermark('timestamp', '10 minutes')
 *     .groupBy(window('timestamp', '5 minutes', '1 minute'), 'metric')
 *     .agg(avg('value'), stddev('value'), min('value'), max('value'), count())
 *     .detectAnomalies({ rows: 11, threshold: 2 })          // on avg_value per metric
 *     .patterns({ threshold: { critical: { upper: 100 } } })
 *     .writeStream(sink)
 *     .start()            // → StreamingQuery
 *
 * An events query scores every event instead of aggregating:
 *
 *   eddy.stream(source).keyBy('metric')
 *     .detectAnomalies().forecast({ season: '1 day' })
 *     .patterns({ sequence: ['A -> B -> C within 5m'] })
 *     .writeStream(sink).patternMatches(matchSink).start()
 *
 * Every step returns a new immutable object, like Spark's DataFrames, and
 * validates what it can as early as it can, with messages that name the
 * offending argument.
 */
import type { Source } from './source.js';
import type { Sink } from './sink.js';
import { parseDuration, type Duration } from './duration.js';
import { isWindowColumn, type WindowColumn } from './windowColumn.js';
import type { Aggregate, AggregateFunction } from './aggregates.js';
import { DEFAULT_BATCH_SIZE, type OutputMode, type QueryPlan, type SequencePlan } from './plan.js';
import { StreamingQuery, type QueryEnvironment } from './query.js';
import type { QueryProgress } from './progress.js';
import type { CheckpointPolicy, StateStore } from './stateStore.js';
import { DEFAULT_CHECKPOINT_POLICY } from './queryRuntime.js';
import {
  emptyAnalytics,
  withAnomalies,
  withForecast,
  withThresholds,
  type AnalyticsPlan,
  type AnomalyOptions,
  type ForecastOptions,
  type PatternOptions,
} from './analytics.js';
import { compileSequence } from './patterns/sequence.js';

interface Watermark {
  column: string;
  delayMs: number;
  latenessMs: number;
}

/** Options of withWatermark beyond Spark's two arguments. */
export interface WatermarkOptions {
  /** Extra time after the watermark passes a window's end during which the window still accepts events (default 0, as Spark). */
  allowedLateness?: Duration;
}

/** What analytics methods accumulate, for either kind of query. */
interface AnalyticsState {
  analytics: AnalyticsPlan;
  sequences: SequencePlan[];
  typeColumn: string | undefined;
}

const noAnalytics = (): AnalyticsState => ({ analytics: emptyAnalytics(), sequences: [], typeColumn: undefined });

/** Applies patterns() options: thresholds to the per-row analytics, sequences to the raw events. */
function withPatterns(state: AnalyticsState, o: PatternOptions): AnalyticsState {
  if (typeof o !== 'object' || o === null) throw new TypeError('patterns(): expected { threshold?, sequence?, typeColumn? }');
  const next = { ...state };
  if (o.threshold !== undefined) next.analytics = withThresholds(state.analytics, o.threshold);
  if (o.sequence !== undefined) {
    if (!Array.isArray(o.sequence)) throw new TypeError("patterns(): sequence must be a list like ['A -> B -> C within 5m']");
    next.sequences = [...state.sequences, ...o.sequence.map((p) => compileSequence(p))];
  }
  if (o.typeColumn !== undefined) next.typeColumn = o.typeColumn;
  return next;
}

/** A stream of events from a source (Spark's streaming DataFrame before aggregation). */
export class DataStream {
  /** @internal */
  constructor(
    readonly env: QueryEnvironment,
    readonly source: Source,
    readonly watermark: Watermark | undefined,
    readonly keys: string[] = [],
    readonly valueColumn = 'value',
    readonly state: AnalyticsState = noAnalytics(),
  ) {}

  private with(patch: { watermark?: Watermark; keys?: string[]; valueColumn?: string; state?: AnalyticsState }): DataStream {
    return new DataStream(
      this.env,
      this.source,
      patch.watermark ?? this.watermark,
      patch.keys ?? this.keys,
      patch.valueColumn ?? this.valueColumn,
      patch.state ?? this.state,
    );
  }

  /** Declares the event-time column and how long to wait for out-of-order events (watermark = max event time − delay). */
  withWatermark(column: string, delay: Duration, options: WatermarkOptions = {}): DataStream {
    if (typeof column !== 'string' || column === '') throw new TypeError('withWatermark(): expected the event-time column name');
    const delayMs = parseDuration(delay, 'watermark delay');
    const latenessMs = options.allowedLateness === undefined ? 0 : parseDuration(options.allowedLateness, 'allowed lateness');
    return this.with({ watermark: { column, delayMs, latenessMs } });
  }

  /** Events query: the key columns each series is tracked by (none = one series). */
  keyBy(...keyColumns: string[]): DataStream {
    checkKeyColumns(keyColumns, 'keyBy');
    return this.with({ keys: keyColumns });
  }

  /** Events query: the numeric field the analytics read (default 'value'). */
  value(column: string): DataStream {
    if (typeof column !== 'string' || column === '') throw new TypeError('value(): expected a column name');
    return this.with({ valueColumn: column });
  }

  /** Events query: scores every event with the rolling z-score (the seed's rule) and, by default, eddy's anomaly score. */
  detectAnomalies(options: AnomalyOptions = {}): DataStream {
    return this.with({ state: { ...this.state, analytics: withAnomalies(this.state.analytics, options) } });
  }

  /** Events query: Holt (or Holt-Winters) forecasts per key. */
  forecast(options: ForecastOptions = {}): DataStream {
    return this.with({ state: { ...this.state, analytics: withForecast(this.state.analytics, options) } });
  }

  /** Events query: threshold patterns per event, sequence patterns per key. */
  patterns(options: PatternOptions): DataStream {
    return this.with({ state: withPatterns(this.state, options) });
  }

  /** Groups by an event-time window and any number of key columns. */
  groupBy(window: WindowColumn, ...keyColumns: string[]): GroupedStream {
    if (!isWindowColumn(window)) {
      throw new TypeError("groupBy(): the first column must be window('timestamp', size, slide?) — eddy aggregates over event-time windows");
    }
    checkKeyColumns(keyColumns, 'groupBy');
    if (keyColumns.includes(window.timeColumn)) throw new TypeError(`groupBy(): '${window.timeColumn}' is the window's time column, not a key`);
    if (this.watermark && this.watermark.column !== window.timeColumn) {
      throw new TypeError(
        `groupBy(): the watermark is on '${this.watermark.column}' but the window is on '${window.timeColumn}'; they must be the same column`,
      );
    }
    if (this.state.analytics.zscore || this.state.analytics.forecast || this.state.analytics.thresholds.length > 0) {
      throw new TypeError('groupBy(): call detectAnomalies/forecast/patterns after agg() to score window results (or write the events without groupBy)');
    }
    return new GroupedStream(this, window, keyColumns);
  }

  /** Events query: writes every event with its scores. */
  writeStream(sink: Sink): DataStreamWriter {
    checkSink(sink);
    return new DataStreamWriter({ kind: 'events', stream: this }, sink, {});
  }
}

function checkKeyColumns(keyColumns: string[], where: string): void {
  for (const k of keyColumns) {
    if (typeof k !== 'string' || k === '') throw new TypeError(`${where}(): key columns must be names, got ${JSON.stringify(k)}`);
  }
  if (new Set(keyColumns).size !== keyColumns.length) throw new TypeError(`${where}(): duplicate key columns in ${keyColumns.join(', ')}`);
}

function checkSink(sink: Sink): void {
  if (!sink || typeof sink.write !== 'function') throw new TypeError('writeStream(): expected a sink (console, file, memory, callback …)');
}

/** A stream grouped by window and keys, waiting for its aggregates. */
export class GroupedStream {
  /** @internal */
  constructor(
    readonly stream: DataStream,
    readonly window: WindowColumn,
    readonly keyColumns: string[],
  ) {}

  /** The aggregates to compute per window and key (all over one value column). */
  agg(...aggregates: Aggregate[]): AggregatedStream {
    if (aggregates.length === 0) throw new TypeError("agg(): give at least one aggregate, e.g. avg('value')");
    const columns = new Set(aggregates.map((a) => a.column).filter((c): c is string => c !== undefined));
    if (columns.size > 1) {
      throw new TypeError(`agg(): eddy aggregates one value column per query, got ${[...columns].join(' and ')}; start one query per column`);
    }
    const names = aggregates.map((a) => a.name);
    const clash = names.find((n, i) => names.indexOf(n) !== i || n === 'window' || this.keyColumns.includes(n));
    if (clash) throw new TypeError(`agg(): output column '${clash}' appears twice; use .alias() to rename`);
    return new AggregatedStream(this, aggregates, [...columns][0], this.stream.state, undefined);
  }
}

/** Options of the analytics methods on window results. */
interface WindowAnalyticsOn {
  /** Which aggregate to score: an output name ('avg_value') or a function ('avg'); default avg, as the seed. */
  on?: string;
}

/** An aggregated stream, ready to be written (or scored first). */
export class AggregatedStream {
  /** @internal */
  constructor(
    readonly grouped: GroupedStream,
    readonly aggregates: Aggregate[],
    readonly valueColumn: string | undefined,
    readonly state: AnalyticsState,
    readonly analyticsOn: AggregateFunction | undefined,
  ) {}

  private with(state: AnalyticsState, on: string | undefined): AggregatedStream {
    return new AggregatedStream(this.grouped, this.aggregates, this.valueColumn, state, on === undefined ? this.analyticsOn : this.resolveOn(on));
  }

  private resolveOn(on: string): AggregateFunction {
    const byName = this.aggregates.find((a) => a.name === on);
    const fn = byName ? byName.fn : (['count', 'sum', 'avg', 'stddev', 'min', 'max'] as const).find((f) => f === on);
    if (!fn) throw new TypeError(`on: '${on}' is not an aggregate of this query (${this.aggregates.map((a) => a.name).join(', ')})`);
    if (this.analyticsOn !== undefined && this.analyticsOn !== fn)
      throw new TypeError(`on: analytics already read '${this.analyticsOn}'; one aggregate per query`);
    return fn;
  }

  /** Rolling z-score (the seed's rule) and the anomaly score on an aggregate of each key's windows (avg by default). */
  detectAnomalies(options: AnomalyOptions & WindowAnalyticsOn = {}): AggregatedStream {
    return this.with({ ...this.state, analytics: withAnomalies(this.state.analytics, options) }, options.on);
  }

  /** Holt (or Holt-Winters) forecasts of an aggregate per key; a duration season is split by the window slide. */
  forecast(options: ForecastOptions & WindowAnalyticsOn = {}): AggregatedStream {
    const slide = this.grouped.window.slideMs;
    return this.with({ ...this.state, analytics: withForecast(this.state.analytics, options, slide) }, options.on);
  }

  /** Threshold patterns on an aggregate of each window; sequence patterns on the raw events (matches go to patternMatches()). */
  patterns(options: PatternOptions & WindowAnalyticsOn): AggregatedStream {
    return this.with(withPatterns(this.state, options), options.on);
  }

  /** Starts describing where results go. */
  writeStream(sink: Sink): DataStreamWriter {
    checkSink(sink);
    return new DataStreamWriter({ kind: 'windows', stream: this }, sink, {});
  }
}

/** Writer options (Spark's writeStream settings). */
interface WriterOptions {
  outputMode?: OutputMode;
  queryName?: string;
  batchSize?: number;
  flushOnStop?: boolean;
  flushAtEnd?: boolean;
  lateSink?: Sink;
  deadLetter?: Sink;
  matchSink?: Sink;
  log?: (line: string) => void;
  onProgress?: (p: QueryProgress) => void;
  stateStore?: StateStore;
  checkpointPolicy?: CheckpointPolicy;
}

type Described = { kind: 'windows'; stream: AggregatedStream } | { kind: 'events'; stream: DataStream };

/** Describes how results are written; `start()` runs the query. */
export class DataStreamWriter {
  /** @internal */
  constructor(
    readonly described: Described,
    readonly sink: Sink,
    readonly options: WriterOptions,
  ) {}

  private with(patch: WriterOptions): DataStreamWriter {
    return new DataStreamWriter(this.described, this.sink, { ...this.options, ...patch });
  }

  /** 'append' (default): each window once, when the watermark closes it. 'update': changed windows after every batch. */
  outputMode(mode: OutputMode): DataStreamWriter {
    if (mode !== 'append' && mode !== 'update') throw new TypeError(`outputMode(): expected 'append' or 'update', got ${JSON.stringify(mode)}`);
    return this.with({ outputMode: mode });
  }

  /** Names the query (progress, and the default memory table name). */
  queryName(name: string): DataStreamWriter {
    return this.with({ queryName: name });
  }

  /** Routes late events (all of whose windows had closed) to a sink. */
  lateEvents(sink: Sink): DataStreamWriter {
    return this.with({ lateSink: sink });
  }

  /** Routes rejected input rows, with their errors, to a sink. */
  deadLetter(sink: Sink): DataStreamWriter {
    return this.with({ deadLetter: sink });
  }

  /** Routes sequence-pattern matches to a sink (required when the query has sequence patterns). */
  patternMatches(sink: Sink): DataStreamWriter {
    return this.with({ matchSink: sink });
  }

  /**
   * Keeps the query's state in `store` (Spark's `checkpointLocation`; in
   * Node, `new CheckpointStore(dir)`): the query starts from the newest saved
   * state and the source position it covers, and saves both every
   * `policy.intervalMs` (default 10 s), every `policy.everyBatches` batches
   * if set, and when it ends or stops. The source must be resumable (arrays,
   * files, Kafka); a query over any other source fails at start with a message.
   */
  checkpoint(store: StateStore, policy: Partial<CheckpointPolicy> = {}): DataStreamWriter {
    if (!store || typeof store.latest !== 'function' || typeof store.write !== 'function' || typeof store.count !== 'function') {
      throw new TypeError('checkpoint(): expected a state store (latest, count, write), e.g. new CheckpointStore(dir)');
    }
    const merged: CheckpointPolicy = { ...DEFAULT_CHECKPOINT_POLICY, ...policy };
    if (!(merged.intervalMs >= 0) || !Number.isFinite(merged.intervalMs))
      throw new RangeError(`checkpoint(): intervalMs must be a finite number ≥ 0, got ${String(policy.intervalMs)}`);
    if (!Number.isInteger(merged.everyBatches) || merged.everyBatches < 0)
      throw new RangeError(`checkpoint(): everyBatches must be a whole number ≥ 0, got ${String(policy.everyBatches)}`);
    return this.with({ stateStore: store, checkpointPolicy: merged });
  }

  /**
   * Sets an option: `batchSize` (rows per engine batch, default 65536),
   * `flushOnStop` (emit open windows on stop(), default false), `flushAtEnd`
   * (emit open windows when a bounded source ends, default true).
   */
  option(key: 'batchSize', value: number): DataStreamWriter;
  option(key: 'flushOnStop' | 'flushAtEnd', value: boolean): DataStreamWriter;
  option(key: string, value: unknown): DataStreamWriter {
    switch (key) {
      case 'batchSize':
        if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 1 << 24)
          throw new RangeError(`option batchSize: expected a whole number from 1 to 16777216, got ${String(value)}`);
        return this.with({ batchSize: value as number });
      case 'flushOnStop':
      case 'flushAtEnd':
        if (typeof value !== 'boolean') throw new TypeError(`option ${key}: expected true or false`);
        return this.with({ [key]: value });
      default:
        throw new TypeError(`option(): unknown option '${key}' (batchSize, flushOnStop, flushAtEnd)`);
    }
  }

  /** Receives progress after every batch (as Spark's StreamingQueryListener.onQueryProgress). */
  onProgress(listener: (p: QueryProgress) => void): DataStreamWriter {
    return this.with({ onProgress: listener });
  }

  /** Receives notices about bad input instead of console.error. */
  log(listener: (line: string) => void): DataStreamWriter {
    return this.with({ log: listener });
  }

  /** The validated plan this writer would run. */
  plan(): QueryPlan {
    const o = this.options;
    const common = {
      name: o.queryName ?? 'eddy',
      outputMode: o.outputMode ?? 'append',
      batchSize: o.batchSize ?? DEFAULT_BATCH_SIZE,
      flushAtEnd: o.flushAtEnd ?? true,
      flushOnStop: o.flushOnStop ?? false,
    };
    if (this.described.kind === 'events') {
      const s = this.described.stream;
      return {
        ...common,
        kind: 'events',
        timeColumn: s.watermark?.column ?? 'timestamp',
        valueColumn: s.valueColumn,
        keyColumns: s.keys,
        aggregates: [],
        // an events query has no windows; the core's window kernel is off
        sizeMs: 60_000,
        slideMs: 60_000,
        delayMs: s.watermark?.delayMs ?? 0,
        latenessMs: s.watermark?.latenessMs ?? 0,
        analytics: s.state.analytics,
        sequences: s.state.sequences,
        ...(s.state.typeColumn || s.state.sequences.length > 0 ? { typeColumn: s.state.typeColumn ?? 'type' } : {}),
      };
    }
    const a = this.described.stream;
    const { stream, window, keyColumns } = a.grouped;
    return {
      ...common,
      kind: 'windows',
      timeColumn: window.timeColumn,
      valueColumn: a.valueColumn,
      keyColumns,
      aggregates: a.aggregates,
      sizeMs: window.sizeMs,
      slideMs: window.slideMs,
      delayMs: stream.watermark?.delayMs ?? 0,
      latenessMs: stream.watermark?.latenessMs ?? 0,
      analytics: a.state.analytics,
      analyticsOn: a.analyticsOn ?? 'avg',
      sequences: a.state.sequences,
      ...(a.state.sequences.length > 0 ? { typeColumn: a.state.typeColumn ?? 'type' } : {}),
    };
  }

  /** Starts the query; it runs in the background until stopped or its source ends. */
  start(): StreamingQuery {
    const plan = this.plan();
    const o = this.options;
    if ((plan.sequences?.length ?? 0) > 0 && !o.matchSink) {
      throw new TypeError('sequence patterns need a sink for their matches: add .patternMatches(sink)');
    }
    if (
      plan.kind === 'windows' &&
      plan.outputMode === 'update' &&
      plan.analytics &&
      (plan.analytics.zscore || plan.analytics.forecast || plan.analytics.score || plan.analytics.thresholds.length > 0)
    ) {
      throw new TypeError('analytics on window results need append output mode (in update mode a window is emitted many times)');
    }
    const env = this.described.stream instanceof DataStream ? this.described.stream.env : this.described.stream.grouped.stream.env;
    const listeners = [env.onProgress, o.onProgress].filter((l): l is (p: QueryProgress) => void => l !== undefined);
    const log = o.log ?? env.log;
    return new StreamingQuery(
      plan,
      this.described.stream instanceof DataStream ? this.described.stream.source : this.described.stream.grouped.stream.source,
      {
        results: this.sink,
        ...(o.lateSink ? { late: o.lateSink } : {}),
        ...(o.deadLetter ? { deadLetter: o.deadLetter } : {}),
        ...(o.matchSink ? { matches: o.matchSink } : {}),
      },
      {
        createCore: env.createCore,
        ...(log ? { log } : {}),
        ...(o.stateStore ? { stateStore: o.stateStore, checkpointPolicy: o.checkpointPolicy ?? DEFAULT_CHECKPOINT_POLICY } : {}),
        ...(listeners.length > 0
          ? {
              onProgress: (p: QueryProgress) => {
                for (const l of listeners) l(p);
              },
            }
          : {}),
      },
    );
  }
}

/** The entry object: `eddy.stream(source)`. */
export interface Eddy {
  /** Starts a query description from a source. */
  stream(source: Source): DataStream;
}

/** Creates the entry object for an environment (Node loads the core from disk, browsers from a URL). */
export function createEddy(env: QueryEnvironment): Eddy {
  return {
    stream(source: Source): DataStream {
      if (!source || typeof source.batches !== 'function') throw new TypeError('stream(): expected a source (file, stdin, generator, array …)');
      return new DataStream(env, source, undefined);
    },
  };
}
