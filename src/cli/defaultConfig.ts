/**
 * The embedded default job that `npm start` (`eddy run` without --config)
 * runs: the seed's 5-minute windows sliding by 1 minute over synthetic
 * metrics, printed to the console.
 *
 * The generator runs event time 60× faster than the wall clock (8 metrics,
 * one event per metric per event-second, 480 events/s), so a window slide
 * (1 event-minute) passes every real second and the first windows appear
 * after a few seconds. Events arrive up to 20 s out of order, a few are
 * delayed by 10 minutes (late events), and rare spikes are injected. The
 * watermark delay is 1 minute instead of the seed's 10 so the demo shows
 * results quickly; the seed's value is the default for config files.
 */
export const DEFAULT_CONFIG = {
  name: 'eddy-demo',
  source: {
    type: 'generator',
    keys: 8,
    rate: 480,
    step: '1 s',
    jitter: '20 s',
    late_rate: 0.001,
    late_by: '10 minutes',
    anomaly_rate: 0.002,
  },
  timestamp_column: 'timestamp',
  value_column: 'value',
  grouping_columns: ['metric'],
  processing: {
    window_size: '5 minutes',
    slide_duration: '1 minute',
    watermark_delay: '1 minute',
  },
  sink: { type: 'console' },
} as const;
