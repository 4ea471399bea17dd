/**
 * The `source` section: where events come from. Its `type` picks the table
 * (file, stdin, generator, http/ws, kafka); every type takes the seed's
 * `schema`.
 */
import { ConfigError } from './configError.js';
import { camelOf, fields, type CamelOf, type ConfigValues, type Field, type ValueOf } from './fieldTable.js';
import { BROKERS, KAFKA_SECURITY_FIELDS, brokerList, kafkaSecurity, type ConfigEnvironment } from './kafkaFields.js';
import type { KafkaSecurity } from '../kafka/kafkaSecurity.js';

/** Fields every source type takes. */
const COMMON_FIELDS = fields([
  {
    name: 'schema',
    kind: 'object',
    keyName: 'field',
    values: { kind: 'enum', choices: ['timestamp', 'string', 'double', 'float', 'int', 'long', 'integer', 'boolean'] },
    description:
      'The seed\'s field types (`{"timestamp": "timestamp", "metric": "string", "value": "double"}`): they pick `timestamp_column` (the timestamp field), `value_column` (the first numeric one) and `grouping_columns` (the string ones) when those are not given.',
  },
]);

const FILE_FIELDS = fields([
  { name: 'path', kind: 'string', required: true, description: "The file to read; a relative path resolves from the config file's folder." },
  {
    name: 'format',
    kind: 'enum',
    choices: ['csv', 'ndjson'],
    defaultText: 'from the extension (.csv; .ndjson, .jsonl, .json)',
    description: 'CSV with a header line, or one JSON object per line.',
  },
  {
    name: 'speed',
    kind: 'number',
    above: 0,
    defaultText: 'as fast as possible',
    description: 'Replays the events at this multiple of their recorded event time (60: an hour of events per minute).',
  },
]);

const STDIN_FIELDS = fields([
  { name: 'format', kind: 'enum', choices: ['ndjson'], default: 'ndjson', description: 'Standard input is read as one JSON object per line.' },
]);

/** The synthetic generator (src/sources/generator.ts owns the defaults). */
const GENERATOR_FIELDS = fields([
  {
    name: 'keys',
    kind: 'integer',
    min: 1,
    max: 10_000_000,
    defaultText: '`8`',
    description: 'Number of series (cpu, memory, disk_io, … then metric_8, metric_9, …).',
  },
  { name: 'seed', kind: 'integer', defaultText: '`42`', description: 'PRNG seed: the same seed gives the same events.' },
  {
    name: 'start',
    kind: 'oneOf',
    expected: 'a timestamp',
    options: [{ kind: 'string' }, { kind: 'number' }],
    defaultText: '`"2024-01-01T00:00:00Z"`',
    description: 'Event time of the first events: ISO-8601, or epoch seconds or milliseconds.',
  },
  { name: 'step', kind: 'duration', defaultText: '`"1 s"`', description: 'Event time between two events of one series.' },
  {
    name: 'rate',
    kind: 'oneOf',
    expected: "a number ≥ 0 or 'max'",
    options: [
      { kind: 'number', min: 0 },
      { kind: 'enum', choices: ['max'] },
    ],
    defaultText: '`"max"`',
    description: 'Events per wall-clock second; 0 or "max": as fast as possible.',
  },
  { name: 'limit', kind: 'integer', min: 0, defaultText: 'endless', description: 'Total number of events.' },
  { name: 'season', kind: 'duration', defaultText: '`"1 day"`', description: 'Period of the seasonal cycle.' },
  { name: 'noise', kind: 'number', min: 0, defaultText: '`0.05`', description: "Noise standard deviation, relative to a series' base level." },
  { name: 'anomaly_rate', kind: 'number', min: 0, max: 1, defaultText: '`0.001`', description: 'Probability per event of an injected spike.' },
  { name: 'anomaly_magnitude', kind: 'number', min: 0, defaultText: '`8`', description: 'Spike size, in noise sigmas.' },
  { name: 'jitter', kind: 'duration', defaultText: '`0`', description: "Largest backward displacement of an event's time (out-of-order events)." },
  { name: 'late_rate', kind: 'number', min: 0, max: 1, defaultText: '`0`', description: 'Fraction of events pushed back by `late_by` (late events).' },
  { name: 'late_by', kind: 'duration', defaultText: '`"30 minutes"`', description: 'How far back late events are pushed.' },
]);

/** The server's ingest endpoints, `eddy serve` (src/server/ owns the defaults; the command's flags override these). */
const SERVER_FIELDS = fields([
  { name: 'host', kind: 'string', defaultText: '`"127.0.0.1"`', description: 'Address to listen on (--host).' },
  { name: 'port', kind: 'integer', min: 0, max: 65535, defaultText: '`8080`', description: 'Port to listen on; 0: any free one (--port).' },
  { name: 'token', kind: 'string', defaultText: 'none', description: 'Bearer token /ingest requires (--token).' },
  {
    name: 'max_body_bytes',
    kind: 'integer',
    min: 1024,
    max: 1 << 30,
    defaultText: '`16777216` (16 MiB)',
    description: 'Largest request body, also once inflated (413 beyond).',
  },
  { name: 'max_line_chars', kind: 'integer', min: 16, max: 1 << 30, defaultText: '`1048576` (1 Mi)', description: 'Longest NDJSON line.' },
  {
    name: 'max_queued_events',
    kind: 'integer',
    min: 1,
    max: 1 << 30,
    defaultText: '`1000000`',
    description: 'Events queued for the engine before /ingest answers 503.',
  },
  { name: 'cors_origin', kind: 'string', defaultText: 'none', description: 'Origin allowed to call the HTTP API from a browser (--cors-origin).' },
]);

/** A Kafka source: the seed's consumer properties. */
const KAFKA_FIELDS = fields([
  { name: 'bootstrap.servers', ...BROKERS, description: 'The brokers: `"host:port,host:port"` or a list. Required (or `servers`).' },
  { name: 'servers', ...BROKERS, aliasOf: 'bootstrap.servers', description: 'Another name of `bootstrap.servers`.' },
  { name: 'topics', kind: 'array', items: { kind: 'string' }, description: 'Topics to read. Required (or `topic`).' },
  { name: 'topic', kind: 'string', description: 'One topic to read (instead of `topics`).' },
  {
    name: 'group.id',
    kind: 'string',
    default: 'analytics-consumer',
    description: 'Consumer group; its processes share the partitions (and the checkpoint location).',
  },
  {
    name: 'auto.offset.reset',
    kind: 'enum',
    choices: ['latest', 'earliest'],
    default: 'latest',
    description: 'Where a group with no committed offset starts.',
  },
  {
    name: 'enable.auto.commit',
    kind: 'boolean',
    schema: { const: false },
    description: 'Must be false: eddy commits offsets itself, only after the events are processed and checkpointed.',
  },
  {
    name: 'key',
    kind: 'enum',
    choices: ['field', 'message'],
    default: 'field',
    description: "Where a row's key comes from: the first grouping column of the event (`field`), or the message key (`message`).",
  },
  {
    name: 'time',
    kind: 'enum',
    choices: ['field', 'message'],
    default: 'field',
    description: 'Where event time comes from: the timestamp column (`field`), or the message timestamp (`message`).',
  },
  { name: 'client.id', kind: 'string', default: 'eddy', description: 'Kafka client id.' },
  ...KAFKA_SECURITY_FIELDS,
]);

/** The `source` field: its type picks the table. */
export const SOURCE_FIELD = {
  name: 'source',
  kind: 'variants',
  required: true,
  common: COMMON_FIELDS,
  variants: { file: FILE_FIELDS, stdin: STDIN_FIELDS, generator: GENERATOR_FIELDS, http: SERVER_FIELDS, ws: SERVER_FIELDS, kafka: KAFKA_FIELDS },
  description: "Where events come from; `type` picks the fields (`http` and `ws` both name the server's ingest endpoints: POST /ingest and WebSocket /ingest).",
} as const satisfies Field;

/** The source section as validated. */
export type SourceValues = ValueOf<typeof SOURCE_FIELD, 'out'>;

/** Options of the synthetic generator (see src/sources/generator.ts for meanings and defaults). */
export type GeneratorConfig = CamelOf<typeof GENERATOR_FIELDS>;

/** Settings of the server's ingest endpoints (`eddy serve`); every field optional. */
export type ServerSourceConfig = CamelOf<typeof SERVER_FIELDS>;

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

/** Where events come from. */
export type SourceConfig =
  | ({ type: 'file' } & CamelOf<typeof FILE_FIELDS>)
  | { type: 'stdin' }
  | { type: 'generator'; options: GeneratorConfig }
  | { type: 'http' | 'ws'; server: ServerSourceConfig }
  | { type: 'kafka'; kafka: KafkaSourceConfig };

/** The engine-facing source config, from the validated section. */
export function sourceConfig(v: SourceValues, env: ConfigEnvironment): SourceConfig {
  switch (v.type) {
    case 'file':
      return { type: v.type, ...camelOf(FILE_FIELDS, v) };
    case 'stdin':
      return { type: v.type };
    case 'generator':
      return { type: v.type, options: camelOf(GENERATOR_FIELDS, v) };
    case 'http':
    case 'ws':
      return { type: v.type, server: camelOf(SERVER_FIELDS, v) };
    case 'kafka':
      return { type: v.type, kafka: kafkaSourceConfig(v, env) };
  }
}

/**
 * Not tabular: auto-commit may only be turned off, one of topics / topic and
 * of bootstrap.servers / servers is required.
 */
function kafkaSourceConfig(v: ConfigValues<typeof KAFKA_FIELDS>, env: ConfigEnvironment): KafkaSourceConfig {
  if (v['enable.auto.commit'] === true) {
    throw new ConfigError('source.enable.auto.commit', 'must be false: eddy commits offsets itself, only after the events are processed and checkpointed');
  }
  const topics = v.topics ?? (v.topic !== undefined ? [v.topic] : undefined);
  if (topics === undefined) throw new ConfigError('source.topics', 'expected a non-empty array of strings (or topic: a string), got nothing');
  const brokers = v['bootstrap.servers'];
  if (brokers === undefined) throw new ConfigError('source.bootstrap.servers', 'expected brokers like "127.0.0.1:9092" (or servers), got nothing');
  const kafka: KafkaSourceConfig = {
    brokers: brokerList(brokers),
    topics,
    groupId: v['group.id'],
    fromBeginning: v['auto.offset.reset'] === 'earliest',
    key: v.key,
    time: v.time,
    clientId: v['client.id'],
  };
  const security = kafkaSecurity(v, 'source', env);
  if (security) kafka.security = security;
  return kafka;
}
