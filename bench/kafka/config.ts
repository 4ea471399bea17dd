/**
 * The pipeline config of the eddy runs (and of the 1 M-key checkpoint, which
 * needs the same plan): the seed's shape, parsed by parsePipelineConfig as a
 * config file would be.
 *
 * Windows 5 min sliding by 1 min, watermark delay 10 min, the default
 * aggregates (avg, stddev, min, max, count); z-score anomalies on avg_value
 * (`anomaly_threshold` 3: the seed's 11-row rolling z-score), Holt forecasts,
 * two threshold patterns and one sequence pattern over `type`; checkpoints
 * at the default interval (10 s). The sink is a memory table of 1,000 rows;
 * the benchmark passes its own counting sinks to startPipeline instead (the
 * engine builds the same records either way).
 */
import { parsePipelineConfig, type PipelineConfig } from '../../src/config/pipelineConfig.js';

export interface KafkaSourceSpec {
  broker: string;
  topic: string;
  groupId: string;
}

/**
 * The config document (JSON, as in a config file). `anomaly_threshold` turns
 * on the z-score and also eddy's default anomaly score (`anomaly_score`,
 * the surprise-likelihood detector, ~33 KB of state per key); with
 * `detector: false` the z-score is asked for as `anomalies: { threshold,
 * score: false }` instead (the 1 M-key checkpoint: with the detector, 1 M
 * keys would need ~34 GB, beyond wasm32's 4 GiB).
 */
export function configDocument(source: KafkaSourceSpec, checkpointDir: string, detector = true): Record<string, unknown> {
  return {
    name: 'kafka_bench',
    source: {
      type: 'kafka',
      'bootstrap.servers': source.broker,
      topics: [source.topic],
      'group.id': source.groupId,
      'auto.offset.reset': 'earliest',
      'enable.auto.commit': false,
      'client.id': 'eddy-bench',
    },
    timestamp_column: 'timestamp',
    value_column: 'value',
    grouping_columns: ['metric'],
    type_column: 'type',
    processing: {
      window_size: '5 minutes',
      slide_duration: '1 minute',
      watermark_delay: '10 minutes',
      ...(detector ? { anomaly_threshold: 3 } : { anomalies: { threshold: 3, score: false } }),
      forecast: { alpha: 0.5, beta: 0.1, horizon: 5 },
      patterns: {
        threshold: { high: { upper: 75 }, low: { lower: 25 } },
        sequence: ['warn -> error within 2m'],
      },
      checkpoint_location: checkpointDir,
    },
    sink: { type: 'memory', queryName: 'kafka_bench', max_rows: 1000 },
  };
}

/** The parsed config; throws if the document is not valid. */
export function benchConfig(source: KafkaSourceSpec, checkpointDir: string, detector = true): PipelineConfig {
  const config = parsePipelineConfig(configDocument(source, checkpointDir, detector));
  if (config.warnings.length > 0) throw new Error(`bench config: ${config.warnings.join('; ')}`);
  return config;
}
