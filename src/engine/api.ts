/**
 * The fluent API, in Spark Structured Streaming's vocabulary:
 *
 *   eddy.stream(source)
 *     .withWatermark('timestamp', '10 minutes')
 *     .groupBy(window('timestamp', '5 minutes', '1 minute'), 'metric')
 *     .agg(avg('value'), stddev('value'), min('value'), max('value'), count())
 *     .writeStream(sink)
 *     .outputMode('append')
 *     .start()            // → StreamingQuery
 *
 * Every step returns a new immutable object, like Spark's DataFrames, and
 * validates what it can as early as it can, with messages that name the
 * offending argument.
 */
import type { Source } from '../sources/source.js';
import type { Sink } from '../sinks/sink.js';
import { parseDuration, type Duration } from './duration.js';
import { isWindowColumn, type WindowColumn } from './windowColumn.js';
import type { Aggregate } from './aggregates.js';
import { DEFAULT_BATCH_SIZE, type OutputMode, type QueryPlan } from './plan.js';
import { StreamingQuery, type QueryEnvironment } from './query.js';
import type { QueryProgress } from './progress.js';

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

/** A stream of events from a source (Spark's streaming DataFrame before aggregation). */
export class DataStream {
  /** @internal */
  constructor(readonly env: QueryEnvironment, readonly source: Source, readonly watermark: Watermark | undefined) {}

  /** Declares the event-time column and how long to wait for out-of-order events (watermark = max event time − delay). */
  withWatermark(column: string, delay: Duration, options: WatermarkOptions = {}): DataStream {
    if (typeof column !== 'string' || column === '') throw new TypeError('withWatermark(): expected the event-time column name');
    const delayMs = parseDuration(delay, 'watermark delay');
    const latenessMs = options.allowedLateness === undefined ? 0 : parseDuration(options.allowedLateness, 'allowed lateness');
    return new DataStream(this.env, this.source, { column, delayMs, latenessMs });
  }

  /** Groups by an event-time window and any number of key columns. */
  groupBy(window: WindowColumn, ...keyColumns: string[]): GroupedStream {
    if (!isWindowColumn(window)) {
      throw new TypeError("groupBy(): the first column must be window('timestamp', size, slide?) — eddy aggregates over event-time windows");
    }
    for (const k of keyColumns) {
      if (typeof k !== 'string' || k === '') throw new TypeError(`groupBy(): key columns must be names, got ${JSON.stringify(k)}`);
      if (k === window.timeColumn) throw new TypeError(`groupBy(): '${k}' is the window's time column, not a key`);
    }
    if (new Set(keyColumns).size !== keyColumns.length) throw new TypeError(`groupBy(): duplicate key columns in ${keyColumns.join(', ')}`);
    if (this.watermark && this.watermark.column !== window.timeColumn) {
      throw new TypeError(`groupBy(): the watermark is on '${this.watermark.column}' but the window is on '${window.timeColumn}'; they must be the same column`);
    }
    return new GroupedStream(this, window, keyColumns);
  }
}

/** A stream grouped by window and keys, waiting for its aggregates. */
export class GroupedStream {
  /** @internal */
  constructor(readonly stream: DataStream, readonly window: WindowColumn, readonly keyColumns: string[]) {}

  /** The aggregates to compute per window and key (all over one value column). */
  agg(...aggregates: Aggregate[]): AggregatedStream {
    if (aggregates.length === 0) throw new TypeError('agg(): give at least one aggregate, e.g. avg(\'value\')');
    const columns = new Set(aggregates.map((a) => a.column).filter((c): c is string => c !== undefined));
    if (columns.size > 1) {
      throw new TypeError(`agg(): eddy aggregates one value column per query, got ${[...columns].join(' and ')}; start one query per column`);
    }
    const names = aggregates.map((a) => a.name);
    const clash = names.find((n, i) => names.indexOf(n) !== i || n === 'window' || this.keyColumns.includes(n));
    if (clash) throw new TypeError(`agg(): output column '${clash}' appears twice; use .alias() to rename`);
    return new AggregatedStream(this, aggregates, [...columns][0]);
  }
}

/** An aggregated stream, ready to be written. */
export class AggregatedStream {
  /** @internal */
  constructor(readonly grouped: GroupedStream, readonly aggregates: Aggregate[], readonly valueColumn: string | undefined) {}

  /** Starts describing where results go. */
  writeStream(sink: Sink): DataStreamWriter {
    if (!sink || typeof sink.write !== 'function') throw new TypeError('writeStream(): expected a sink (console, file, memory, callback …)');
    return new DataStreamWriter(this, sink, {});
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
  log?: (line: string) => void;
  onProgress?: (p: QueryProgress) => void;
}

/** Describes how results are written; `start()` runs the query. */
export class DataStreamWriter {
  /** @internal */
  constructor(readonly aggregated: AggregatedStream, readonly sink: Sink, readonly options: WriterOptions) {}

  private with(patch: WriterOptions): DataStreamWriter {
    return new DataStreamWriter(this.aggregated, this.sink, { ...this.options, ...patch });
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
        if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 1 << 24) throw new RangeError(`option batchSize: expected a whole number from 1 to 16777216, got ${String(value)}`);
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
    const { grouped, aggregates, valueColumn } = this.aggregated;
    const { stream, window, keyColumns } = grouped;
    const o = this.options;
    return {
      name: o.queryName ?? 'eddy',
      timeColumn: window.timeColumn,
      valueColumn,
      keyColumns,
      aggregates,
      sizeMs: window.sizeMs,
      slideMs: window.slideMs,
      delayMs: stream.watermark?.delayMs ?? 0,
      latenessMs: stream.watermark?.latenessMs ?? 0,
      outputMode: o.outputMode ?? 'append',
      batchSize: o.batchSize ?? DEFAULT_BATCH_SIZE,
      flushAtEnd: o.flushAtEnd ?? true,
      flushOnStop: o.flushOnStop ?? false,
    };
  }

  /** Starts the query; it runs in the background until stopped or its source ends. */
  start(): StreamingQuery {
    const env = this.aggregated.grouped.stream.env;
    const o = this.options;
    const listeners = [env.onProgress, o.onProgress].filter((l): l is (p: QueryProgress) => void => l !== undefined);
    const log = o.log ?? env.log;
    return new StreamingQuery(this.plan(), this.aggregated.grouped.stream.source,
      { windows: this.sink, ...(o.lateSink ? { late: o.lateSink } : {}), ...(o.deadLetter ? { deadLetter: o.deadLetter } : {}) },
      {
        createCore: env.createCore,
        ...(log ? { log } : {}),
        ...(listeners.length > 0 ? { onProgress: (p: QueryProgress) => { for (const l of listeners) l(p); } } : {}),
      });
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
