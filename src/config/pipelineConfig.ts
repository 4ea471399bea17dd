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
 * The top level's fields are the table below; each section has its own file
 * and table (sourceSection, processingSection — windowSection,
 * analyticsSection, checkpointSection —, sinkSection; kafkaFields for what a
 * Kafka source and sink share), read by the one validator of fieldTable.ts.
 * parsePipelineConfig validates the whole document and returns a typed
 * config plus warnings for fields the seed has that this version accepts but
 * does not act on yet. The first problem found throws one ConfigError naming
 * the field.
 */
import { aggregateByName } from '../engine/aggregates.js';
import { hasAnalytics } from '../engine/analytics.js';
import type { QueryPlan } from '../engine/plan.js';
import { ConfigError } from './configError.js';
import { fields, readSection, type ConfigInput, type ConfigValues, type ReadContext } from './fieldTable.js';
import type { ConfigEnvironment } from './kafkaFields.js';
import { SOURCE_FIELD, sourceConfig, type SourceConfig } from './sourceSection.js';
import { PROCESSING_FIELD, flushOnStopOf } from './processingSection.js';
import { windowsOf } from './windowSection.js';
import { analyticsOf } from './analyticsSection.js';
import { checkpointOf, type CheckpointConfig } from './checkpointSection.js';
import { SINK, matchesSinkFor, sinkConfig, type SinkConfig } from './sinkSection.js';

export type { ConfigEnvironment } from './kafkaFields.js';
export type { GeneratorConfig, KafkaSourceConfig, ServerSourceConfig, SourceConfig } from './sourceSection.js';
export type { SinkConfig } from './sinkSection.js';
export type { CheckpointConfig } from './checkpointSection.js';
export { matchesSinkFor } from './sinkSection.js';

/** The top level of a config file. */
export const PIPELINE_FIELDS = fields([
  {
    name: '$schema',
    kind: 'string',
    unlisted: true,
    description: 'Ignored by eddy: where an editor finds the JSON Schema (`eddy config --schema`) for completion and checks.',
  },
  {
    name: 'name',
    kind: 'string',
    defaultText: 'the memory sink\'s `queryName`, else `"eddy"`',
    description: 'Name of the query (in logs, /progress, /metrics and the dashboard).',
  },
  SOURCE_FIELD,
  { name: 'timestamp_column', kind: 'string', defaultText: 'the timestamp field of `source.schema`, else `"timestamp"`', description: 'Event-time field.' },
  {
    name: 'value_column',
    kind: 'string',
    defaultText: 'the first numeric field of `source.schema`, else `"value"`',
    description: 'Field the aggregates read (not read when only `count` is asked for).',
  },
  {
    name: 'grouping_columns',
    kind: 'array',
    items: { kind: 'string' },
    allowEmpty: true,
    defaultText: 'the string fields of `source.schema`, else `["metric"]`',
    description: 'Key fields: one series per combination of their values; `[]` for one global series.',
  },
  { name: 'type_column', kind: 'string', default: 'type', description: 'Event-type field the sequence patterns read (`processing.patterns.sequence`).' },
  PROCESSING_FIELD,
  { name: 'sink', ...SINK, required: true, expected: 'an object like { "type": "console" }', description: 'Where results go.' },
  { name: 'late_sink', ...SINK, defaultText: 'none', description: 'Where events too late for their window go.' },
  {
    name: 'matches_sink',
    ...SINK,
    defaultText: 'beside `sink`: out.ndjson → out.matches.ndjson, memory table t → t_matches, console and kafka: the same',
    description: 'Where sequence matches go.',
  },
  {
    name: 'dead_letter',
    kind: 'oneOf',
    expected: 'a file path or a sink object',
    options: [{ kind: 'string' }, SINK],
    defaultText: 'none',
    description: 'Where rejected rows go, with why; a string is a file path (a file sink).',
  },
  { name: 'window_size', kind: 'duration', description: "Where the seed's pipeline class reads `processing.window_size` (which wins)." },
  { name: 'slide_duration', kind: 'duration', description: "Where the seed's pipeline class reads `processing.slide_duration` (which wins)." },
]);

/** A config file's document, as written. */
export type PipelineDocument = ConfigInput<typeof PIPELINE_FIELDS>;
/** A config file's document, as validated (defaults applied). */
export type PipelineValues = ConfigValues<typeof PIPELINE_FIELDS>;

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

/**
 * Validates a parsed JSON document as a pipeline config. The parser reads
 * nothing but its arguments: values a config may take from the environment
 * come from `env` (the CLI passes process.env; none by default).
 */
export function parsePipelineConfig(doc: unknown, env: ConfigEnvironment = {}): PipelineConfig {
  const ctx: ReadContext = { warnings: [] };
  const top = readSection(doc, PIPELINE_FIELDS, '', ctx);
  const p = top.processing;
  const source = sourceConfig(top.source, env);
  const schema = top.source.schema;

  // Columns: explicit fields first, then the seed's source.schema, then the defaults.
  const fromSchema = (types: string[]) =>
    Object.entries(schema ?? {})
      .filter(([, t]) => types.includes(t))
      .map(([f]) => f);
  const timeColumn = top.timestamp_column ?? fromSchema(['timestamp'])[0] ?? 'timestamp';
  const valueColumn = top.value_column ?? fromSchema(['double', 'float', 'int', 'long', 'integer'])[0] ?? 'value';
  const keyColumns = top.grouping_columns ?? (schema ? fromSchema(['string']) : ['metric']);
  if (keyColumns.includes(timeColumn)) throw new ConfigError('grouping_columns', `'${timeColumn}' is the timestamp column, not a key`);

  const { sizeMs, slideMs, delayMs, latenessMs } = windowsOf(p, top);
  // the table has checked the names
  const aggregates = p.aggregations.map((name) => aggregateByName(name, valueColumn)!);

  const { sink, writeMode } = sinkConfig(top.sink, 'sink', env);
  const outputMode = p.output_mode ?? writeMode ?? 'append';
  const analytics = analyticsOf(p, slideMs);
  const checkpoint = checkpointOf(p, source.type, ctx.warnings);

  const config: PipelineConfig = {
    name: top.name ?? (sink.type === 'memory' ? sink.queryName : 'eddy'),
    source,
    timeColumn,
    keyColumns,
    aggregates,
    sizeMs,
    slideMs,
    delayMs,
    latenessMs,
    outputMode,
    batchSize: p.batch_size,
    // As in the API: a query that only counts does not read (or validate) the value column.
    valueColumn: aggregates.some((a) => a.column !== undefined) ? valueColumn : undefined,
    flushOnStop: flushOnStopOf(p, source.type, checkpoint !== undefined),
    flushAtEnd: p.flush_at_end,
    sink,
    warnings: ctx.warnings,
    ...(checkpoint ? { checkpoint } : {}),
    analytics: analytics.plan,
    analyticsOn: analytics.on,
    sequences: analytics.sequences,
    ...(analytics.sequences.length > 0 ? { typeColumn: top.type_column } : {}),
  };
  // Not tabular: window analytics need each window emitted once.
  if (outputMode === 'update' && hasAnalytics(analytics.plan)) {
    throw new ConfigError(
      'processing.output_mode',
      "anomalies, forecasts and threshold patterns on window results need 'append' (in update mode a window is emitted many times)",
    );
  }
  if (top.late_sink !== undefined) config.lateSink = sinkConfig(top.late_sink, 'late_sink', env).sink;
  if (top.matches_sink !== undefined) config.matchesSink = sinkConfig(top.matches_sink, 'matches_sink', env).sink;
  else if (analytics.sequences.length > 0) config.matchesSink = matchesSinkFor(sink);
  if (top.dead_letter !== undefined) {
    config.deadLetter = typeof top.dead_letter === 'string' ? { type: 'file', path: top.dead_letter } : sinkConfig(top.dead_letter, 'dead_letter', env).sink;
  }
  return config;
}
