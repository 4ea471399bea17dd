/**
 * The pipeline config file, in the seed's shape (source / processing / sink):
 *
 * {
 *   "source": { "type": "file", "path": "events.csv" },
 *   "timestamp_column": "timestamp", "value_column": "value", "grouping_columns": ["metric"],
 *   "processing": { "window_size": "5 minutes", "slide_duration": "1 minute", "watermark_delay": "10 minutes" },
 *   "sink": { "type": "memory", "queryName": "analytics_results" }
 * }
 *
 * parsePipelineConfig validates the whole document and returns a typed
 * config plus warnings for fields the seed has that this version accepts but
 * does not act on yet. The first problem found throws one ConfigError naming
 * the field.
 */
import { PASSWORD_ENV, SASL_MECHANISMS, SECURITY_PROTOCOLS, type KafkaSecurity } from '../kafka/kafkaSecurity.js';
import { parseDuration } from '../engine/duration.js';
import { aggregateByName, type AggregateFunction } from '../engine/aggregates.js';
import {
  emptyAnalytics, hasAnalytics, withAnomalies, withForecast, withThresholds,
  type AnalyticsPlan, type AnomalyOptions, type ForecastOptions, type ThresholdBounds,
} from '../engine/analytics.js';
import { compileSequence, PatternSyntaxError } from '../engine/patterns/sequence.js';
import type { SequencePlan } from '../engine/plan.js';
import { DEFAULT_BATCH_SIZE, type OutputMode, type QueryPlan } from '../engine/plan.js';
import {
  ConfigError, asBoolean, asChoice, asNumber, asObject, asString, asStringList, describe, rejectUnknownKeys,
} from './configError.js';

/** Where events come from. */
export type SourceConfig =
  | { type: 'file'; path: string; format?: 'csv' | 'ndjson'; speed?: number }
  | { type: 'stdin' }
  | { type: 'generator'; options: GeneratorConfig }
  | { type: 'http' | 'ws'; server: ServerSourceConfig }
  | { type: 'kafka'; kafka: KafkaSourceConfig };

/** A Kafka source (the seed's keys: `bootstrap.servers`/`servers`, `topics`, `group.id`, `auto.offset.reset`, `enable.auto.commit: false`). */
export interface KafkaSourceConfig {
  brokers: string[];
  topics: string[];
  groupId: string;
  fromBeginning: boolean;
  /** Where a row's key comes from: 'field' (the grouping column in the value, default) or 'message' (the message key fills the first grouping column). */
  key: 'field' | 'message';
  /** Where event time comes from: 'field' (the timestamp column, default) or 'message' (the message timestamp). */
  time: 'field' | 'message';
  clientId: string;
  /** TLS / SASL (none: PLAINTEXT). */
  security?: KafkaSecurity;
}

/** Settings of the server's ingest endpoints (`eddy serve`); every field optional. */
export interface ServerSourceConfig {
  host?: string;
  port?: number;
  token?: string;
  maxBodyBytes?: number;
  maxLineChars?: number;
  maxQueuedEvents?: number;
  corsOrigin?: string;
}

/** Options of the synthetic generator (see src/sources/generator.ts for meanings and defaults). */
export interface GeneratorConfig {
  keys?: number;
  seed?: number;
  start?: string | number;
  step?: string | number;
  rate?: number | 'max';
  limit?: number;
  season?: string | number;
  noise?: number;
  anomalyRate?: number;
  anomalyMagnitude?: number;
  jitter?: string | number;
  lateRate?: number;
  lateBy?: string | number;
}

/** Where results go. */
export type SinkConfig =
  | { type: 'console'; format?: 'table' | 'ndjson' | 'auto'; wide?: boolean }
  | { type: 'file'; path: string; format?: 'csv' | 'ndjson'; append?: boolean }
  | { type: 'memory'; queryName: string; maxRows?: number }
  | { type: 'kafka'; brokers: string[]; topic: string; clientId: string; security?: KafkaSecurity };

/** A validated pipeline config: the query plan, plus where events come from and results go. */
export interface PipelineConfig extends QueryPlan {
  source: SourceConfig;
  sink: SinkConfig;
  lateSink?: SinkConfig;
  /** Where sequence matches go; defaults to a sibling of the sink (see matchesSinkFor). */
  matchesSink?: SinkConfig;
  deadLetter?: SinkConfig;
  /** Fields accepted but not acted on by this version, with why. */
  warnings: string[];
  /** Checkpoints (Kafka pipelines): where, and how often. */
  checkpoint?: CheckpointConfig;
}

/** Checkpoint settings: a directory, written every `intervalMs` and/or every `everyBatches` batches (0 = not by count), keeping the newest `keep`. */
export interface CheckpointConfig {
  location: string;
  intervalMs: number;
  everyBatches: number;
  keep: number;
}

const TOP_KEYS = ['name', 'source', 'timestamp_column', 'value_column', 'grouping_columns', 'type_column', 'processing', 'sink', 'late_sink', 'matches_sink', 'dead_letter', 'window_size', 'slide_duration'] as const;
const PROCESSING_KEYS = [
  'window_size', 'slide_duration', 'watermark_delay', 'allowed_lateness', 'output_mode', 'aggregations',
  'batch_size', 'max_offsets_per_trigger', 'flush_on_stop', 'flush_at_end',
  'anomaly_threshold', 'anomalies', 'forecast', 'patterns', 'checkpoint_location', 'checkpoint_interval', 'checkpoint_every_batches', 'checkpoint_keep',
] as const;
/** Seed fields accepted now, acted on by a later version (named so users are not surprised). */
const NOT_YET: Record<string, string> = {
  'processing.checkpoint_location': 'checkpoints are written for Kafka sources only; other sources ignore the field',
  'sink.batch_size': 'sinks write each engine batch at once; the field is ignored',
  'sink.retry_attempts': 'sink retries are not implemented yet; the field is ignored',
};

function duration(value: unknown, path: string): number {
  try {
    return parseDuration(value as string | number, path);
  } catch {
    throw new ConfigError(path, `expected a duration like '5 minutes', '10 s', '1h' or milliseconds, got ${describe(value)}`);
  }
}

function durationOrNumber(value: unknown, path: string): string | number {
  duration(value, path);
  return value as string | number;
}

function parseSource(value: unknown, env: ConfigEnvironment): { source: SourceConfig; schema?: Record<string, string> } {
  const o = asObject(value, 'source');
  const type = asChoice(o.type, ['file', 'stdin', 'generator', 'http', 'ws', 'kafka'] as const, 'source.type');
  const schema = o.schema === undefined ? undefined : parseSchema(o.schema);
  switch (type) {
    case 'file': {
      rejectUnknownKeys(o, ['type', 'path', 'format', 'speed', 'schema'], 'source');
      const source: SourceConfig = { type, path: asString(o.path, 'source.path') };
      if (o.format !== undefined) source.format = asChoice(o.format, ['csv', 'ndjson'] as const, 'source.format');
      if (o.speed !== undefined) source.speed = asNumber(o.speed, 'source.speed', { min: Number.MIN_VALUE });
      return { source, ...(schema ? { schema } : {}) };
    }
    case 'stdin':
      rejectUnknownKeys(o, ['type', 'format', 'schema'], 'source');
      if (o.format !== undefined) asChoice(o.format, ['ndjson'] as const, 'source.format');
      return { source: { type }, ...(schema ? { schema } : {}) };
    case 'generator': {
      rejectUnknownKeys(o, ['type', 'keys', 'seed', 'start', 'step', 'rate', 'limit', 'season', 'noise', 'anomaly_rate',
        'anomaly_magnitude', 'jitter', 'late_rate', 'late_by', 'schema'], 'source');
      const g: GeneratorConfig = {};
      if (o.keys !== undefined) g.keys = asNumber(o.keys, 'source.keys', { min: 1, max: 10_000_000, integer: true });
      if (o.seed !== undefined) g.seed = asNumber(o.seed, 'source.seed', { integer: true });
      if (o.start !== undefined) {
        if (typeof o.start !== 'string' && typeof o.start !== 'number') throw new ConfigError('source.start', `expected a timestamp, got ${describe(o.start)}`);
        g.start = o.start;
      }
      if (o.step !== undefined) g.step = durationOrNumber(o.step, 'source.step');
      if (o.rate !== undefined) g.rate = o.rate === 'max' ? 'max' : asNumber(o.rate, 'source.rate', { min: 0 });
      if (o.limit !== undefined) g.limit = asNumber(o.limit, 'source.limit', { min: 0, integer: true });
      if (o.season !== undefined) g.season = durationOrNumber(o.season, 'source.season');
      if (o.noise !== undefined) g.noise = asNumber(o.noise, 'source.noise', { min: 0 });
      if (o.anomaly_rate !== undefined) g.anomalyRate = asNumber(o.anomaly_rate, 'source.anomaly_rate', { min: 0, max: 1 });
      if (o.anomaly_magnitude !== undefined) g.anomalyMagnitude = asNumber(o.anomaly_magnitude, 'source.anomaly_magnitude', { min: 0 });
      if (o.jitter !== undefined) g.jitter = durationOrNumber(o.jitter, 'source.jitter');
      if (o.late_rate !== undefined) g.lateRate = asNumber(o.late_rate, 'source.late_rate', { min: 0, max: 1 });
      if (o.late_by !== undefined) g.lateBy = durationOrNumber(o.late_by, 'source.late_by');
      return { source: { type, options: g }, ...(schema ? { schema } : {}) };
    }
    case 'http':
    case 'ws': {
      // both name the server's ingest endpoints: POST /ingest and WebSocket /ingest
      rejectUnknownKeys(o, ['type', 'host', 'port', 'token', 'max_body_bytes', 'max_line_chars', 'max_queued_events', 'cors_origin', 'schema'], 'source');
      const server: ServerSourceConfig = {};
      if (o.host !== undefined) server.host = asString(o.host, 'source.host');
      if (o.port !== undefined) server.port = asNumber(o.port, 'source.port', { min: 0, max: 65535, integer: true });
      if (o.token !== undefined) server.token = asString(o.token, 'source.token');
      if (o.max_body_bytes !== undefined) server.maxBodyBytes = asNumber(o.max_body_bytes, 'source.max_body_bytes', { min: 1024, max: 1 << 30, integer: true });
      if (o.max_line_chars !== undefined) server.maxLineChars = asNumber(o.max_line_chars, 'source.max_line_chars', { min: 16, max: 1 << 30, integer: true });
      if (o.max_queued_events !== undefined) server.maxQueuedEvents = asNumber(o.max_queued_events, 'source.max_queued_events', { min: 1, max: 1 << 30, integer: true });
      if (o.cors_origin !== undefined) server.corsOrigin = asString(o.cors_origin, 'source.cors_origin');
      return { source: { type, server }, ...(schema ? { schema } : {}) };
    }
    case 'kafka': {
      rejectUnknownKeys(o, ['type', 'bootstrap.servers', 'servers', 'topics', 'topic', 'group.id', 'auto.offset.reset', 'enable.auto.commit', 'key', 'time', 'client.id', 'schema', ...SECURITY_KEYS], 'source');
      if (o['enable.auto.commit'] !== undefined && asBoolean(o['enable.auto.commit'], 'source.enable.auto.commit')) {
        throw new ConfigError('source.enable.auto.commit', 'must be false: eddy commits offsets itself, only after the events are processed and checkpointed');
      }
      const topics = o.topics !== undefined ? asStringList(o.topics, 'source.topics') : [asString(o.topic, 'source.topics')];
      const kafka: KafkaSourceConfig = {
        brokers: parseBrokers(o['bootstrap.servers'] ?? o.servers, o['bootstrap.servers'] !== undefined ? 'source.bootstrap.servers' : 'source.servers'),
        topics,
        groupId: o['group.id'] === undefined ? 'analytics-consumer' : asString(o['group.id'], 'source.group.id'),
        fromBeginning: (o['auto.offset.reset'] === undefined ? 'latest' : asChoice(o['auto.offset.reset'], ['latest', 'earliest'] as const, 'source.auto.offset.reset')) === 'earliest',
        key: o.key === undefined ? 'field' : asChoice(o.key, ['field', 'message'] as const, 'source.key'),
        time: o.time === undefined ? 'field' : asChoice(o.time, ['field', 'message'] as const, 'source.time'),
        clientId: o['client.id'] === undefined ? 'eddy' : asString(o['client.id'], 'source.client.id'),
      };
      const security = parseKafkaSecurity(o, 'source', env);
      if (security) kafka.security = security;
      return { source: { type, kafka }, ...(schema ? { schema } : {}) };
    }
  }
}

function parseSchema(value: unknown): Record<string, string> {
  const o = asObject(value, 'source.schema');
  const out: Record<string, string> = {};
  for (const [field, type] of Object.entries(o)) {
    out[field] = asChoice(type, ['timestamp', 'string', 'double', 'float', 'int', 'long', 'integer', 'boolean'] as const, `source.schema.${field}`);
  }
  return out;
}

function parseSink(value: unknown, path: string, warnings: string[], env: ConfigEnvironment): { sink: SinkConfig; writeMode?: OutputMode } {
  if (typeof value === 'string' && path === 'dead_letter') return { sink: { type: 'file', path: value } };
  const o = asObject(value, path);
  const type = asChoice(o.type, ['console', 'file', 'memory', 'kafka'] as const, `${path}.type`);
  const common = ['type', 'write_mode', 'batch_size', 'retry_attempts'];
  let writeMode: OutputMode | undefined;
  if (o.write_mode !== undefined) writeMode = asChoice(o.write_mode, ['append', 'update'] as const, `${path}.write_mode`);
  for (const field of ['batch_size', 'retry_attempts']) {
    if (o[field] !== undefined) {
      asNumber(o[field], `${path}.${field}`, { min: 0, integer: true });
      warnings.push(`${path}.${field}: ${NOT_YET[`sink.${field}`]}`);
    }
  }
  switch (type) {
    case 'console': {
      rejectUnknownKeys(o, [...common, 'format', 'wide'], path);
      const sink: SinkConfig = { type };
      if (o.format !== undefined) sink.format = asChoice(o.format, ['table', 'ndjson', 'auto'] as const, `${path}.format`);
      if (o.wide !== undefined) sink.wide = asBoolean(o.wide, `${path}.wide`);
      return { sink, ...(writeMode ? { writeMode } : {}) };
    }
    case 'file': {
      rejectUnknownKeys(o, [...common, 'path', 'format', 'append'], path);
      const sink: SinkConfig = { type, path: asString(o.path, `${path}.path`) };
      if (o.format !== undefined) sink.format = asChoice(o.format, ['csv', 'ndjson'] as const, `${path}.format`);
      if (o.append !== undefined) sink.append = asBoolean(o.append, `${path}.append`);
      return { sink, ...(writeMode ? { writeMode } : {}) };
    }
    case 'kafka': {
      rejectUnknownKeys(o, [...common, 'bootstrap.servers', 'servers', 'topic', 'client.id', 'acks', ...SECURITY_KEYS], path);
      if (o.acks !== undefined && o.acks !== -1 && o.acks !== 'all') throw new ConfigError(`${path}.acks`, "expected -1 or 'all': eddy's Kafka sink always waits for all in-sync replicas");
      const sink: SinkConfig = {
        type,
        brokers: parseBrokers(o['bootstrap.servers'] ?? o.servers, `${path}.bootstrap.servers`),
        topic: asString(o.topic, `${path}.topic`),
        clientId: o['client.id'] === undefined ? 'eddy-sink' : asString(o['client.id'], `${path}.client.id`),
      };
      const security = parseKafkaSecurity(o, path, env);
      if (security) sink.security = security;
      return { sink, ...(writeMode ? { writeMode } : {}) };
    }
    case 'memory': {
      rejectUnknownKeys(o, [...common, 'queryName', 'query_name', 'max_rows'], path);
      const name = o.queryName ?? o.query_name ?? 'analytics_results';
      const sink: SinkConfig = { type, queryName: asString(name, `${path}.queryName`) };
      if (o.max_rows !== undefined) sink.maxRows = asNumber(o.max_rows, `${path}.max_rows`, { min: 1, integer: true });
      return { sink, ...(writeMode ? { writeMode } : {}) };
    }
  }
}

/**
 * `processing.flush_on_stop`. Refused for a Kafka source: a topic has no end,
 * so stopping is not the end of the stream — open windows stay in the
 * checkpoint and close after a restart. Flushing them would emit partial
 * windows under the very ids their complete versions get later, and a
 * consumer deduplicating by id would keep the partial one.
 */
function parseFlushOnStop(value: unknown, sourceType: string): boolean {
  if (value === undefined) return false;
  const flush = asBoolean(value, 'processing.flush_on_stop');
  if (flush && sourceType === 'kafka') {
    throw new ConfigError('processing.flush_on_stop', 'must be false with a kafka source: open windows stay in the checkpoint and close after a restart');
  }
  return flush;
}

/** Environment variables a config may take values from (EDDY_KAFKA_SASL_PASSWORD). */
export type ConfigEnvironment = Readonly<Record<string, string | undefined>>;

/**
 * Validates a parsed JSON document as a pipeline config. The parser reads
 * nothing but its arguments: values a config may take from the environment
 * come from `env` (the CLI passes process.env; none by default).
 */
export function parsePipelineConfig(doc: unknown, env: ConfigEnvironment = {}): PipelineConfig {
  const warnings: string[] = [];
  const top = asObject(doc, 'config');
  rejectUnknownKeys(top, TOP_KEYS, '');
  const { source, schema } = parseSource(top.source, env);
  const processing = top.processing === undefined ? {} : asObject(top.processing, 'processing');
  rejectUnknownKeys(processing, PROCESSING_KEYS, 'processing');
  let checkpoint: CheckpointConfig | undefined;
  if (processing.checkpoint_location !== undefined && source.type !== 'kafka') warnings.push(`processing.checkpoint_location: ${NOT_YET['processing.checkpoint_location']}`);
  if (processing.checkpoint_location !== undefined) {
    checkpoint = {
      location: asString(processing.checkpoint_location, 'processing.checkpoint_location'),
      intervalMs: processing.checkpoint_interval === undefined ? 10_000 : duration(processing.checkpoint_interval, 'processing.checkpoint_interval'),
      everyBatches: processing.checkpoint_every_batches === undefined ? 0 : asNumber(processing.checkpoint_every_batches, 'processing.checkpoint_every_batches', { min: 0, integer: true }),
      keep: processing.checkpoint_keep === undefined ? 3 : asNumber(processing.checkpoint_keep, 'processing.checkpoint_keep', { min: 1, max: 1000, integer: true }),
    };
  }

  // Columns: explicit fields first, then the seed's source.schema, then the defaults.
  const fromSchema = (types: string[]) => Object.entries(schema ?? {}).filter(([, t]) => types.includes(t)).map(([f]) => f);
  const timeColumn = top.timestamp_column !== undefined ? asString(top.timestamp_column, 'timestamp_column') : fromSchema(['timestamp'])[0] ?? 'timestamp';
  const valueColumn = top.value_column !== undefined ? asString(top.value_column, 'value_column') : fromSchema(['double', 'float', 'int', 'long', 'integer'])[0] ?? 'value';
  const keyColumns = top.grouping_columns !== undefined ? asStringList(top.grouping_columns, 'grouping_columns', true) : schema ? fromSchema(['string']) : ['metric'];
  if (keyColumns.includes(timeColumn)) throw new ConfigError('grouping_columns', `'${timeColumn}' is the timestamp column, not a key`);

  // The seed reads window_size/slide_duration from processing (its exercise) or the top level (its pipeline class).
  const sizeRaw = processing.window_size ?? top.window_size ?? '5 minutes';
  const sizePath = processing.window_size !== undefined ? 'processing.window_size' : 'window_size';
  const sizeMs = duration(sizeRaw, sizePath);
  if (sizeMs < 1 || !Number.isInteger(sizeMs)) throw new ConfigError(sizePath, `expected a window of at least 1 ms in whole milliseconds, got ${describe(sizeRaw)}`);
  const slideGiven = processing.slide_duration ?? top.slide_duration;
  const slidePath = processing.slide_duration !== undefined ? 'processing.slide_duration' : 'slide_duration';
  // The seed's default slide is 1 minute; a window shorter than that tumbles instead.
  const slideMs = slideGiven === undefined ? Math.min(60_000, sizeMs) : duration(slideGiven, slidePath);
  if (slideMs < 1 || !Number.isInteger(slideMs) || slideMs > sizeMs) {
    throw new ConfigError(slidePath, `expected a slide between 1 ms and the window size (${describe(sizeRaw)}), got ${describe(slideGiven)}`);
  }
  const delayMs = processing.watermark_delay === undefined ? 600_000 : duration(processing.watermark_delay, 'processing.watermark_delay');
  const latenessMs = processing.allowed_lateness === undefined ? 0 : duration(processing.allowed_lateness, 'processing.allowed_lateness');

  const aggNames = processing.aggregations === undefined ? ['avg', 'stddev', 'min', 'max', 'count'] : asStringList(processing.aggregations, 'processing.aggregations');
  const aggregates = aggNames.map((name, i) => {
    const agg = aggregateByName(name, valueColumn);
    if (!agg) throw new ConfigError(`processing.aggregations[${i}]`, `expected one of 'avg', 'stddev', 'min', 'max', 'sum', 'count', got ${describe(name)}`);
    return agg;
  });

  let batchSize = DEFAULT_BATCH_SIZE;
  if (processing.batch_size !== undefined) batchSize = asNumber(processing.batch_size, 'processing.batch_size', { min: 1, max: 1 << 24, integer: true });
  else if (processing.max_offsets_per_trigger !== undefined) batchSize = asNumber(processing.max_offsets_per_trigger, 'processing.max_offsets_per_trigger', { min: 1, max: 1 << 24, integer: true });

  if (top.sink === undefined) throw new ConfigError('sink', "expected an object like { \"type\": \"console\" }, got nothing");
  const { sink, writeMode } = parseSink(top.sink, 'sink', warnings, env);
  const outputMode = processing.output_mode !== undefined ? asChoice(processing.output_mode, ['append', 'update'] as const, 'processing.output_mode') : writeMode ?? 'append';

  const analytics = parseAnalytics(processing, slideMs);
  const typeColumn = top.type_column !== undefined ? asString(top.type_column, 'type_column') : 'type';

  const config: PipelineConfig = {
    name: top.name === undefined ? (sink.type === 'memory' ? sink.queryName : 'eddy') : asString(top.name, 'name'),
    source, timeColumn, keyColumns, aggregates, sizeMs, slideMs, delayMs, latenessMs, outputMode, batchSize,
    // As in the API: a query that only counts does not read (or validate) the value column.
    valueColumn: aggregates.some((a) => a.column !== undefined) ? valueColumn : undefined,
    flushOnStop: parseFlushOnStop(processing.flush_on_stop, source.type),
    flushAtEnd: processing.flush_at_end === undefined ? true : asBoolean(processing.flush_at_end, 'processing.flush_at_end'),
    sink,
    warnings,
    ...(checkpoint ? { checkpoint } : {}),
    analytics: analytics.plan,
    analyticsOn: analytics.on,
    sequences: analytics.sequences,
    ...(analytics.sequences.length > 0 ? { typeColumn } : {}),
  };
  if (outputMode === 'update' && hasAnalytics(analytics.plan)) {
    throw new ConfigError('processing.output_mode', "anomalies, forecasts and threshold patterns on window results need 'append' (in update mode a window is emitted many times)");
  }
  if (top.late_sink !== undefined) config.lateSink = parseSink(top.late_sink, 'late_sink', warnings, env).sink;
  if (top.matches_sink !== undefined) config.matchesSink = parseSink(top.matches_sink, 'matches_sink', warnings, env).sink;
  else if (analytics.sequences.length > 0) config.matchesSink = matchesSinkFor(sink);
  if (top.dead_letter !== undefined) config.deadLetter = parseSink(top.dead_letter, 'dead_letter', warnings, env).sink;
  return config;
}

/**
 * The analytics a config asks for, as the seed's AnalyticsPipeline: windows →
 * anomalies on avg_value → threshold patterns. `anomaly_threshold` alone turns
 * on the seed's 11-row z-score with that threshold; `anomalies` gives every
 * option; `forecast` adds Holt; `patterns.threshold` and `patterns.sequence`
 * are the seed's pattern configs.
 */
function parseAnalytics(processing: Record<string, unknown>, slideMs: number): { plan: AnalyticsPlan; on: AggregateFunction; sequences: SequencePlan[] } {
  let plan = emptyAnalytics();
  let on: AggregateFunction = 'avg';
  const wrap = <T>(path: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      throw new ConfigError(path, (e as Error).message.replace(/^[^:]*: /, ''));
    }
  };
  const anomalies: AnomalyOptions = {};
  let wantAnomalies = false;
  if (processing.anomaly_threshold !== undefined) {
    anomalies.threshold = asNumber(processing.anomaly_threshold, 'processing.anomaly_threshold', { min: 0 });
    wantAnomalies = true;
  }
  if (processing.anomalies !== undefined) {
    const a = asObject(processing.anomalies, 'processing.anomalies');
    rejectUnknownKeys(a, ['rows', 'time', 'max_rows', 'threshold', 'score', 'on'], 'processing.anomalies');
    if (a.rows !== undefined) anomalies.rows = asNumber(a.rows, 'processing.anomalies.rows', { min: 2, max: 1 << 20, integer: true });
    if (a.time !== undefined) anomalies.time = durationOrNumber(a.time, 'processing.anomalies.time');
    if (a.max_rows !== undefined) anomalies.maxRows = asNumber(a.max_rows, 'processing.anomalies.max_rows', { min: 2, max: 1 << 20, integer: true });
    if (a.threshold !== undefined) anomalies.threshold = asNumber(a.threshold, 'processing.anomalies.threshold', { min: 0 });
    if (a.score !== undefined) anomalies.score = asBoolean(a.score, 'processing.anomalies.score');
    if (a.on !== undefined) on = asChoice(a.on, ['count', 'sum', 'avg', 'stddev', 'min', 'max'] as const, 'processing.anomalies.on');
    wantAnomalies = true;
  }
  if (wantAnomalies) plan = wrap('processing.anomalies', () => withAnomalies(plan, anomalies));
  if (processing.forecast !== undefined) {
    const f = asObject(processing.forecast, 'processing.forecast');
    rejectUnknownKeys(f, ['alpha', 'beta', 'gamma', 'horizon', 'season', 'season_slots'], 'processing.forecast');
    const o: ForecastOptions = {};
    if (f.alpha !== undefined) o.alpha = asNumber(f.alpha, 'processing.forecast.alpha', { min: Number.MIN_VALUE, max: 1 });
    if (f.beta !== undefined) o.beta = asNumber(f.beta, 'processing.forecast.beta', { min: 0, max: 1 });
    if (f.gamma !== undefined) o.gamma = asNumber(f.gamma, 'processing.forecast.gamma', { min: 0, max: 1 });
    if (f.horizon !== undefined) o.horizon = asNumber(f.horizon, 'processing.forecast.horizon', { min: 1, integer: true });
    if (f.season !== undefined) o.season = typeof f.season === 'number' ? asNumber(f.season, 'processing.forecast.season', { min: 2, integer: true }) : durationOrNumber(f.season, 'processing.forecast.season');
    if (f.season_slots !== undefined) o.seasonSlots = asNumber(f.season_slots, 'processing.forecast.season_slots', { min: 2, integer: true });
    plan = wrap('processing.forecast', () => withForecast(plan, o, slideMs));
  }
  let sequences: SequencePlan[] = [];
  if (processing.patterns !== undefined) {
    const p = asObject(processing.patterns, 'processing.patterns');
    rejectUnknownKeys(p, ['threshold', 'sequence'], 'processing.patterns');
    if (p.threshold !== undefined) {
      const t = asObject(p.threshold, 'processing.patterns.threshold');
      const bounds: Record<string, ThresholdBounds> = {};
      for (const [name, value] of Object.entries(t)) {
        const b = asObject(value, `processing.patterns.threshold.${name}`);
        rejectUnknownKeys(b, ['upper', 'lower'], `processing.patterns.threshold.${name}`);
        bounds[name] = {};
        if (b.upper !== undefined) bounds[name].upper = asNumber(b.upper, `processing.patterns.threshold.${name}.upper`);
        if (b.lower !== undefined) bounds[name].lower = asNumber(b.lower, `processing.patterns.threshold.${name}.lower`);
      }
      plan = wrap('processing.patterns.threshold', () => withThresholds(plan, bounds));
    }
    if (p.sequence !== undefined) {
      sequences = asStringList(p.sequence, 'processing.patterns.sequence').map((text, i) => {
        try {
          return compileSequence(text);
        } catch (e) {
          if (e instanceof PatternSyntaxError) throw new ConfigError(`processing.patterns.sequence[${i}]`, e.message);
          throw e;
        }
      });
    }
  }
  return { plan, on, sequences };
}

/** Where sequence matches go when the config does not say: beside the results (out.ndjson → out.matches.ndjson, table → table_matches, console → console). */
export function matchesSinkFor(sink: SinkConfig): SinkConfig {
  switch (sink.type) {
    case 'console':
      return sink;
    case 'memory':
      return { type: 'memory', queryName: `${sink.queryName}_matches` };
    case 'kafka':
      return sink; // records carry their kind and id, so one topic can hold both
    case 'file': {
      const dot = sink.path.lastIndexOf('.');
      const slash = Math.max(sink.path.lastIndexOf('/'), sink.path.lastIndexOf('\\'));
      const base = dot > slash ? sink.path.slice(0, dot) : sink.path;
      const ext = dot > slash ? sink.path.slice(dot) : '.ndjson';
      // matches have their own columns, so a CSV results file gets an NDJSON sibling
      return { type: 'file', path: `${base}.matches${ext === '.csv' ? '.ndjson' : ext}` };
    }
  }
}

const SECURITY_KEYS = ['security.protocol', 'sasl.mechanism', 'sasl.username', 'sasl.password'];

/**
 * `security.protocol` (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL) with
 * `sasl.mechanism` / `sasl.username` / `sasl.password` for the SASL ones;
 * the password may instead come from EDDY_KAFKA_SASL_PASSWORD.
 */
function parseKafkaSecurity(o: Record<string, unknown>, path: string, env: ConfigEnvironment): KafkaSecurity | undefined {
  const protocol = o['security.protocol'] === undefined ? 'PLAINTEXT' : asChoice(o['security.protocol'], SECURITY_PROTOCOLS, `${path}.security.protocol`);
  const usesSasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  if (!usesSasl) {
    const stray = SECURITY_KEYS.slice(1).find((k) => o[k] !== undefined);
    if (stray) throw new ConfigError(`${path}.${stray}`, `needs security.protocol SASL_PLAINTEXT or SASL_SSL (it is ${protocol})`);
    return protocol === 'SSL' ? { ssl: true } : undefined;
  }
  const mechanism = asChoice(o['sasl.mechanism'] ?? 'PLAIN', SASL_MECHANISMS, `${path}.sasl.mechanism`);
  const username = asString(o['sasl.username'], `${path}.sasl.username`);
  const password = o['sasl.password'] !== undefined ? asString(o['sasl.password'], `${path}.sasl.password`) : env[PASSWORD_ENV];
  if (password === undefined) throw new ConfigError(`${path}.sasl.password`, `expected a string (or set ${PASSWORD_ENV})`);
  const sasl = { mechanism: mechanism.toLowerCase() as 'plain' | 'scram-sha-256' | 'scram-sha-512', username, password };
  return protocol === 'SASL_SSL' ? { ssl: true, sasl } : { sasl };
}

/** `host:port[,host:port…]` or a list of them. */
function parseBrokers(value: unknown, path: string): string[] {
  const list = typeof value === 'string' ? value.split(',').map((b) => b.trim()).filter((b) => b !== '') : asStringList(value, path);
  if (list.length === 0) throw new ConfigError(path, 'expected brokers like "127.0.0.1:9092"');
  for (const b of list) {
    if (!/^[^:\s]+:\d{1,5}$/.test(b)) throw new ConfigError(path, `expected host:port, got ${describe(b)}`);
  }
  return list;
}
