/**
 * A sink section (`sink`, `late_sink`, `matches_sink`, `dead_letter`): where
 * results go. Its `type` picks the table (console, file, memory, kafka).
 */
import type { OutputMode } from '../engine/plan.js';
import type { KafkaSecurity } from '../kafka/kafkaSecurity.js';
import { CONSOLE_FORMATS } from '../sinks/console.js';
import { ConfigError } from './configError.js';
import { camelOf, fields, type CamelOf, type Item, type ValueOf } from './fieldTable.js';
import { BROKERS, KAFKA_SECURITY_FIELDS, brokerList, kafkaSecurity, type ConfigEnvironment } from './kafkaFields.js';

/** Fields every sink type takes. */
const COMMON_FIELDS = fields([
  {
    name: 'write_mode',
    kind: 'enum',
    choices: ['append', 'update'],
    defaultText: '`processing.output_mode`',
    description: "The seed's output mode, on the results sink; `processing.output_mode` wins.",
  },
  {
    name: 'batch_size',
    kind: 'integer',
    min: 0,
    ignored: 'sinks write each engine batch at once; the field is ignored',
    description: 'Seed field, accepted and ignored (with a warning): sinks write each engine batch at once.',
  },
  {
    name: 'retry_attempts',
    kind: 'integer',
    min: 0,
    ignored: 'sink retries are not implemented yet; the field is ignored',
    description: 'Seed field, accepted and ignored (with a warning): sink retries are not implemented yet.',
  },
]);

const CONSOLE_FIELDS = fields([
  {
    name: 'format',
    kind: 'enum',
    choices: CONSOLE_FORMATS,
    defaultText: '`"auto"`: a table when stdout is a terminal, else NDJSON',
    description: "A table fitted to the terminal, or one JSON object per line (the file sink's bytes); see docs/console-output.md.",
  },
  { name: 'wide', kind: 'boolean', defaultText: '`false`', description: "Print every column instead of those that fit the terminal's width." },
]);

const FILE_FIELDS = fields([
  {
    name: 'path',
    kind: 'string',
    required: true,
    description: "The file to write; a relative path resolves from the config file's folder. Parent folders are created.",
  },
  {
    name: 'format',
    kind: 'enum',
    choices: ['csv', 'ndjson'],
    defaultText: 'from the extension (.csv; .ndjson, .jsonl, .json)',
    description: 'CSV with a header line, or one JSON object per line.',
  },
  {
    name: 'append',
    kind: 'boolean',
    defaultText: '`false`; `true` with `processing.checkpoint_location`',
    description:
      'Append to an existing file instead of replacing it (CSV: only under the same header). With checkpoints a run continues the one before, so its output is appended unless this is set.',
  },
]);

const MEMORY_FIELDS = fields([
  {
    name: 'queryName',
    kind: 'string',
    default: 'analytics_results',
    description: "Name of the memory table (the seed's queryName); also the query's name when `name` is not given.",
  },
  { name: 'query_name', kind: 'string', aliasOf: 'queryName', description: 'Another name of `queryName`.' },
  { name: 'max_rows', kind: 'integer', min: 1, defaultText: 'unbounded', description: 'Rows kept; the oldest go first.' },
]);

const KAFKA_FIELDS = fields([
  { name: 'bootstrap.servers', ...BROKERS, description: 'The brokers: `"host:port,host:port"` or a list. Required (or `servers`).' },
  { name: 'servers', ...BROKERS, aliasOf: 'bootstrap.servers', description: 'Another name of `bootstrap.servers`.' },
  { name: 'topic', kind: 'string', required: true, description: 'Topic the records are written to.' },
  { name: 'client.id', kind: 'string', default: 'eddy-sink', description: 'Kafka client id.' },
  {
    name: 'acks',
    kind: 'oneOf',
    expected: "-1 or 'all' (eddy's Kafka sink always waits for all in-sync replicas)",
    options: [
      { kind: 'integer', min: -1, max: -1 },
      { kind: 'enum', choices: ['all'] },
    ],
    defaultText: '`"all"`',
    description: 'Only -1 / "all": eddy\'s Kafka sink always waits for all in-sync replicas.',
  },
  ...KAFKA_SECURITY_FIELDS,
]);

/** A sink section, as the fields that take one spread it. */
export const SINK = {
  kind: 'variants',
  def: 'sink',
  common: COMMON_FIELDS,
  variants: { console: CONSOLE_FIELDS, file: FILE_FIELDS, memory: MEMORY_FIELDS, kafka: KAFKA_FIELDS },
} as const satisfies Item;

/** A sink section as validated. */
export type SinkValues = ValueOf<typeof SINK, 'out'>;

/** Where results go. */
export type SinkConfig =
  | ({ type: 'console' } & CamelOf<typeof CONSOLE_FIELDS>)
  | ({ type: 'file' } & CamelOf<typeof FILE_FIELDS>)
  | ({ type: 'memory' } & CamelOf<typeof MEMORY_FIELDS>)
  | { type: 'kafka'; brokers: string[]; topic: string; clientId: string; security?: KafkaSecurity };

/** The engine-facing sink config from a validated sink section at `path`, and the seed's write_mode when it has one. */
export function sinkConfig(v: SinkValues, path: string, env: ConfigEnvironment): { sink: SinkConfig; writeMode?: OutputMode } {
  const writeMode = v.write_mode !== undefined ? { writeMode: v.write_mode } : {};
  switch (v.type) {
    case 'console':
      return { sink: { type: v.type, ...camelOf(CONSOLE_FIELDS, v) }, ...writeMode };
    case 'file':
      return { sink: { type: v.type, ...camelOf(FILE_FIELDS, v) }, ...writeMode };
    case 'memory':
      return { sink: { type: v.type, ...camelOf(MEMORY_FIELDS, v) }, ...writeMode };
    case 'kafka': {
      // not tabular: one of bootstrap.servers / servers is required
      const brokers = v['bootstrap.servers'];
      if (brokers === undefined) throw new ConfigError(`${path}.bootstrap.servers`, 'expected brokers like "127.0.0.1:9092" (or servers), got nothing');
      const sink: SinkConfig = { type: v.type, brokers: brokerList(brokers), topic: v.topic, clientId: v['client.id'] };
      const security = kafkaSecurity(v, path, env);
      if (security) sink.security = security;
      return { sink, ...writeMode };
    }
  }
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
