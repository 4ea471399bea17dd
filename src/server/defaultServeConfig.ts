/**
 * The job `eddy serve` runs without --config: ingest over HTTP/WebSocket →
 * 5-minute windows sliding by 1 minute per metric, z-score and anomaly score,
 * Holt forecasts, results kept in a memory table and streamed on /live.
 */
/** The job `eddy serve` runs without --config. */
export const DEFAULT_SERVE_CONFIG = {
  name: 'eddy',
  source: { type: 'http' },
  grouping_columns: ['metric'],
  processing: {
    window_size: '5 minutes',
    slide_duration: '1 minute',
    watermark_delay: '1 minute',
    anomaly_threshold: 2.0,
    forecast: { alpha: 0.3, horizon: 10 },
  },
  sink: { type: 'memory', queryName: 'eddy', max_rows: 100_000 },
} as const;
