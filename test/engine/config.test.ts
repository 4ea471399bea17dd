/**
 * The pipeline config: the seed's shape is accepted as it is; every mistake
 * is one ConfigError naming the field and what was expected.
 */
import { describe, it, expect } from 'vitest';
import { parsePipelineConfig } from '../../src/config/pipelineConfig.js';
import { ConfigError } from '../../src/config/configError.js';
import { DEFAULT_CONFIG } from '../../src/cli/defaultConfig.js';

/** The seed's practical-exercise config, with a file source instead of Kafka. */
const SEED = {
  source: { type: 'file', path: 'events.csv', schema: { timestamp: 'timestamp', metric: 'string', value: 'double' } },
  processing: {
    window_size: '5 minutes',
    slide_duration: '1 minute',
    anomaly_threshold: 2.0,
    patterns: { sequence: ['A -> B -> C'], threshold: { critical: { upper: 100.0 }, warning: { upper: 80.0, lower: 20.0 } } },
  },
  sink: { type: 'memory', queryName: 'analytics_results' },
};

function errorOf(doc: unknown): ConfigError {
  try {
    parsePipelineConfig(doc);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('parsePipelineConfig', () => {
  it("accepts the seed's config and derives columns from its schema", () => {
    const c = parsePipelineConfig(SEED);
    expect(c.timeColumn).toBe('timestamp');
    expect(c.valueColumn).toBe('value');
    expect(c.keyColumns).toEqual(['metric']);
    expect([c.sizeMs, c.slideMs, c.delayMs]).toEqual([300_000, 60_000, 600_000]);
    expect(c.aggregates.map((a) => a.name)).toEqual(['avg_value', 'stddev_value', 'min_value', 'max_value', 'count']);
    expect(c.sink).toEqual({ type: 'memory', queryName: 'analytics_results' });
    expect(c.name).toBe('analytics_results');
    // the seed's pipeline: windows → anomalies on avg_value → threshold patterns; sequences on the raw events
    expect(c.warnings).toEqual([]);
    expect(c.analytics?.zscore).toEqual({ mode: 'rows', rows: 11, timeMs: 0, threshold: 2 });
    expect(c.analyticsOn).toBe('avg');
    expect(c.analytics?.thresholds).toEqual([
      { name: 'critical', upper: 100 },
      { name: 'warning', upper: 80, lower: 20 },
    ]);
    expect(c.sequences?.map((p) => p.name)).toEqual(['A -> B -> C']);
    expect(c.typeColumn).toBe('type');
    expect(c.matchesSink).toEqual({ type: 'memory', queryName: 'analytics_results_matches' });
  });

  it('accepts the embedded default config', () => {
    const c = parsePipelineConfig(DEFAULT_CONFIG);
    expect(c.source.type).toBe('generator');
    expect(c.warnings).toEqual([]);
  });

  it("takes the seed's defaults: 1-minute slide, 10-minute watermark, append", () => {
    const c = parsePipelineConfig({ source: { type: 'stdin' }, sink: { type: 'console' } });
    expect([c.sizeMs, c.slideMs, c.delayMs, c.outputMode]).toEqual([300_000, 60_000, 600_000, 'append']);
    expect(parsePipelineConfig({ source: { type: 'stdin' }, sink: { type: 'console' }, processing: { window_size: '10 s' } }).slideMs).toBe(10_000);
  });

  it('reads Kafka security settings (TLS, SASL) for the source and the sink; the password may come from the environment', () => {
    const source = {
      type: 'kafka',
      servers: 'broker:9093',
      topics: ['events'],
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'SCRAM-SHA-512',
      'sasl.username': 'eddy',
      'sasl.password': 'secret',
    };
    const c = parsePipelineConfig({ source, sink: { type: 'kafka', servers: 'broker:9093', topic: 'out', 'security.protocol': 'SSL' } });
    expect(c.source).toMatchObject({
      type: 'kafka',
      kafka: { security: { ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'eddy', password: 'secret' } } },
    });
    expect(c.sink).toMatchObject({ type: 'kafka', security: { ssl: true } });
    const fromEnv = { source: { ...source, 'security.protocol': 'SASL_PLAINTEXT', 'sasl.password': undefined }, sink: { type: 'console' } };
    const e = parsePipelineConfig(fromEnv, { EDDY_KAFKA_SASL_PASSWORD: 'from-env' });
    expect(e.source).toMatchObject({ kafka: { security: { sasl: { password: 'from-env' } } } });
    expect((e.source as { kafka: { security: { ssl?: boolean } } }).kafka.security.ssl).toBeUndefined();
    // the parser reads only the environment it is given, never process.env
    process.env.EDDY_KAFKA_SASL_PASSWORD = 'ambient';
    try {
      expect(() => parsePipelineConfig(fromEnv)).toThrow('source.sasl.password: expected a string (or set EDDY_KAFKA_SASL_PASSWORD)');
    } finally {
      delete process.env.EDDY_KAFKA_SASL_PASSWORD;
    }
    const plain = parsePipelineConfig({ source: { type: 'kafka', servers: 'broker:9092', topics: ['events'] }, sink: { type: 'console' } });
    expect((plain.source as { kafka: { security?: unknown } }).kafka.security).toBeUndefined();
  });

  it('maps max_offsets_per_trigger to the batch size and write_mode to the output mode', () => {
    const c = parsePipelineConfig({
      source: { type: 'stdin' },
      processing: { max_offsets_per_trigger: 10000 },
      sink: { type: 'console', write_mode: 'update' },
    });
    expect(c.batchSize).toBe(10_000);
    expect(c.outputMode).toBe('update');
  });

  it("takes the console sink's format and wide, and keeps them for matches printed beside the results", () => {
    expect(parsePipelineConfig({ source: { type: 'stdin' }, sink: { type: 'console' } }).sink).toEqual({ type: 'console' });
    const c = parsePipelineConfig({
      source: { type: 'stdin' },
      sink: { type: 'console', format: 'table', wide: true },
      late_sink: { type: 'console', format: 'ndjson' },
      processing: { patterns: { sequence: ['A -> B'] } },
    });
    expect(c.sink).toEqual({ type: 'console', format: 'table', wide: true });
    expect(c.lateSink).toEqual({ type: 'console', format: 'ndjson' });
    expect(c.matchesSink).toEqual({ type: 'console', format: 'table', wide: true });
    expect(parsePipelineConfig({ source: { type: 'stdin' }, sink: { type: 'console', format: 'auto' } }).sink).toEqual({ type: 'console', format: 'auto' });
  });

  it('reads every field from its section table: aliases, defaults, $schema, ignored seed fields', () => {
    const c = parsePipelineConfig({
      $schema: './eddy.schema.json',
      source: { type: 'kafka', 'bootstrap.servers': 'a:9092, b:9092', topic: 'events' },
      processing: { max_offsets_per_trigger: 500, checkpoint_location: 'cp' },
      sink: { type: 'memory', query_name: 'results', batch_size: 10 },
    });
    expect(c.source).toEqual({
      type: 'kafka',
      kafka: {
        brokers: ['a:9092', 'b:9092'],
        topics: ['events'],
        groupId: 'analytics-consumer',
        fromBeginning: false,
        key: 'field',
        time: 'field',
        clientId: 'eddy',
      },
    });
    expect(c.batchSize).toBe(500);
    expect(c.sink).toEqual({ type: 'memory', queryName: 'results' });
    expect(c.name).toBe('results');
    expect(c.checkpoint).toEqual({ location: 'cp', intervalMs: 10_000, everyBatches: 0, keep: 3 });
    expect(c.warnings).toEqual(['sink.batch_size: sinks write each engine batch at once; the field is ignored']);
    // a file source resumes from its checkpoints, with the same settings
    const file = parsePipelineConfig({
      source: { type: 'file', path: 'x.csv' },
      processing: { checkpoint_location: 'cp', checkpoint_every_batches: 4 },
      sink: { type: 'console' },
    });
    expect(file.warnings).toEqual([]);
    expect(file.checkpoint).toEqual({ location: 'cp', intervalMs: 10_000, everyBatches: 4, keep: 3 });
    // a source that cannot resume runs without checkpoints and says it ignores the field
    for (const source of [{ type: 'stdin' }, { type: 'generator' }, { type: 'http', port: 8080 }]) {
      const c = parsePipelineConfig({ source, processing: { checkpoint_location: 'cp' }, sink: { type: 'console' } });
      expect(c.warnings).toEqual([
        `processing.checkpoint_location: a ${source.type} source cannot resume from a checkpoint (only kafka and file sources can); the field is ignored`,
      ]);
      expect(c.checkpoint).toBeUndefined();
    }
  });

  it.each<[unknown, string]>([
    [
      { source: { type: 'file', path: 'x.csv', keys: 8 }, sink: { type: 'console' } },
      "source.keys: unknown field (allowed: type, schema, path, format, speed; type 'generator' takes it)",
    ],
    [
      { source: { type: 'stdin', port: 1 }, sink: { type: 'console' } },
      "source.port: unknown field (allowed: type, schema, format; types 'http', 'ws' take it)",
    ],
    [{ source: { type: 'file', path: 'x.csv', speed: 0 }, sink: { type: 'console' } }, 'source.speed: expected a number > 0, got 0'],
    [{ source: { type: 'generator', rate: 'fast' }, sink: { type: 'console' } }, 'source.rate: expected a number ≥ 0 or \'max\', got "fast"'],
    [
      { source: { type: 'kafka', servers: 'a:9092' }, sink: { type: 'console' } },
      'source.topics: expected a non-empty array of strings (or topic: a string), got nothing',
    ],
    [{ source: { type: 'kafka', servers: ['a:9092', 'b'], topic: 't' }, sink: { type: 'console' } }, 'source.servers[1]: expected host:port, got "b"'],
    [
      { source: { type: 'stdin' }, sink: { type: 'kafka', servers: 'a:9092', topic: 't', acks: 1 } },
      "sink.acks: expected -1 or 'all' (eddy's Kafka sink always waits for all in-sync replicas), got 1",
    ],
    [{ source: { type: 'stdin' }, sink: { type: 'console' }, dead_letter: 5 }, 'dead_letter: expected a file path or a sink object, got 5'],
    [
      { source: { type: 'stdin' }, sink: { type: 'console' }, processing: { forecast: { alpha: 0 } } },
      'processing.forecast.alpha: expected a number > 0 and ≤ 1, got 0',
    ],
    [
      { source: { type: 'stdin' }, sink: { type: 'console' }, processing: { forecast: { season: 1 } } },
      'processing.forecast.season: expected a whole number ≥ 2 and ≤ 1048576, got 1',
    ],
    [
      { source: { type: 'stdin' }, sink: { type: 'console' }, processing: { checkpoint_keep: 0 } },
      'processing.checkpoint_keep: expected a whole number ≥ 1 and ≤ 1000, got 0',
    ],
  ])('names the field and what it takes: %j', (doc, message) => {
    expect(errorOf(doc).message).toBe(message);
  });

  it.each<[unknown, string]>([
    [[], 'config: expected an object, got an array'],
    [{ source: { type: 'stdin' }, sink: { type: 'console', format: 'csv' } }, `sink.format: expected one of 'table', 'ndjson', 'auto', got "csv"`],
    [{ source: { type: 'stdin' }, sink: { type: 'console', wide: 'yes' } }, 'sink.wide: expected true or false, got "yes"'],
    [
      { source: { type: 'stdin' }, sink: { type: 'console' }, late_sink: { type: 'console', width: 80 } },
      "late_sink.width: unknown field (did you mean 'wide'?)",
    ],
    [{ sink: { type: 'console' } }, 'source: expected an object, got nothing'],
    [{ source: { type: 'ftp' }, sink: { type: 'console' } }, `source.type: expected one of 'file', 'stdin', 'generator', 'http', 'ws', 'kafka', got "ftp"`],
    [{ source: { type: 'file' }, sink: { type: 'console' } }, 'source.path: expected a non-empty string, got nothing'],
    [{ source: { type: 'stdin' } }, 'sink: expected an object like { "type": "console" }, got nothing'],
    [
      { source: { type: 'stdin' }, sink: { type: 'console' }, processing: { window_size: '5 minuts' } },
      `processing.window_size: expected a duration like '5 minutes', '10 s', '1h' or milliseconds, got "5 minuts"`,
    ],
    [
      { source: { type: 'stdin' }, sink: { type: 'console' }, processing: { window_size: '1 minute', slide_duration: '2 minutes' } },
      'processing.slide_duration: expected a slide between 1 ms and the window size ("1 minute"), got "2 minutes"',
    ],
    [
      { source: { type: 'stdin' }, sink: { type: 'console' }, processing: { output_mode: 'complete' } },
      `processing.output_mode: expected one of 'append', 'update', got "complete"`,
    ],
    [
      { source: { type: 'stdin' }, sink: { type: 'console' }, processing: { aggregations: ['avg', 'median'] } },
      `processing.aggregations[1]: expected one of 'avg', 'stddev', 'min', 'max', 'sum', 'count', got "median"`,
    ],
    [
      { source: { type: 'stdin' }, sink: { type: 'console' }, processing: { batch_size: 0 } },
      'processing.batch_size: expected a whole number ≥ 1 and ≤ 16777216, got 0',
    ],
    [{ source: { type: 'generator', keys: 'many' }, sink: { type: 'console' } }, 'source.keys: expected a whole number ≥ 1 and ≤ 10000000, got "many"'],
    [{ source: { type: 'stdin' }, sink: { type: 'file' } }, 'sink.path: expected a non-empty string, got nothing'],
    [{ source: { type: 'stdin' }, sink: { type: 'console' }, grouping_columns: 'metric' }, 'grouping_columns: expected an array of strings, got "metric"'],
    [
      { source: { type: 'stdin' }, sink: { type: 'console' }, grouping_columns: ['timestamp'] },
      "grouping_columns: 'timestamp' is the timestamp column, not a key",
    ],
    [
      { source: { type: 'stdin' }, sink: { type: 'console' }, processing: { window_sise: '1m' } },
      "processing.window_sise: unknown field (did you mean 'window_size'?)",
    ],
    [
      { source: { type: 'stdin' }, sink: { type: 'console' }, colour: 'blue' },
      'colour: unknown field (allowed: name, source, timestamp_column, value_column, grouping_columns, type_column, processing, sink, late_sink, matches_sink, dead_letter, window_size, slide_duration)',
    ],
    [
      { source: { type: 'kafka', servers: 'localhost:9092', topics: ['events'], 'enable.auto.commit': true }, sink: { type: 'console' } },
      'source.enable.auto.commit: must be false: eddy commits offsets itself, only after the events are processed and checkpointed',
    ],
    [{ source: { type: 'kafka', servers: 'localhost', topics: ['events'] }, sink: { type: 'console' } }, 'source.servers: expected host:port, got "localhost"'],
    [
      { source: { type: 'kafka', servers: 'localhost:9092', topics: ['events'] }, processing: { flush_on_stop: true }, sink: { type: 'console' } },
      'processing.flush_on_stop: must be false with a kafka source: open windows stay in the checkpoint and close after a restart',
    ],
    [
      { source: { type: 'file', path: 'x.csv' }, processing: { flush_on_stop: true, checkpoint_location: 'cp' }, sink: { type: 'console' } },
      'processing.flush_on_stop: must be false with a checkpointed source: open windows stay in the checkpoint and close when the run is resumed',
    ],
    [
      { source: { type: 'kafka', servers: 'localhost:9092', topics: ['events'], 'security.protocol': 'TLS' }, sink: { type: 'console' } },
      `source.security.protocol: expected one of 'PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL', got "TLS"`,
    ],
    [
      { source: { type: 'kafka', servers: 'localhost:9092', topics: ['events'], 'sasl.username': 'u' }, sink: { type: 'console' } },
      'source.sasl.username: needs security.protocol SASL_PLAINTEXT or SASL_SSL (it is PLAINTEXT)',
    ],
    [
      {
        source: {
          type: 'kafka',
          servers: 'localhost:9092',
          topics: ['events'],
          'security.protocol': 'SASL_SSL',
          'sasl.mechanism': 'GSSAPI',
          'sasl.username': 'u',
          'sasl.password': 'p',
        },
        sink: { type: 'console' },
      },
      `source.sasl.mechanism: expected one of 'PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', got "GSSAPI"`,
    ],
    [
      {
        source: { type: 'file', path: 'x.csv' },
        sink: { type: 'kafka', servers: 'localhost:9092', topic: 'out', 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN' },
      },
      'sink.sasl.username: expected a non-empty string, got nothing',
    ],
  ])('rejects %j', (doc, message) => {
    expect(errorOf(doc).message).toBe(message);
  });
});
