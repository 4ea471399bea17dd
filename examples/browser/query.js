// The example's query, shared by the page (main.js), the Web Worker (worker.js)
// and the test that runs it in Node too (test/browser/embedding.test.ts): the
// same seeded events through the same windows must give the same results
// everywhere.

/** Synthetic input and window settings. */
export const EXAMPLE = {
  keys: 4,
  seed: 7,
  limit: 40_000, // events: 4 keys × 10,000 event seconds ≈ 2.8 h of event time
  step: '1 s',
  jitter: '20 s', // out-of-order events …
  lateRate: 0.002, // … and a few very late ones (dropped, counted in progress)
  anomalyRate: 0.0005, // rare spikes …
  anomalyMagnitude: 200, // … big enough (10× a metric's level) to move a 5-minute average
  size: '5 minutes',
  slide: '1 minute',
  delay: '30 s',
};

/**
 * Runs the example query to the end and returns its window results.
 * `lib` is the eddy module (`eddy/browser` in a page or worker; the Node
 * sources in the test), `eddy` the entry object from createBrowserEddy /
 * createEddy.
 */
export async function runExample(lib, eddy, options = EXAMPLE) {
  const { generatorSource, window, avg, stddev, min, max, count, callbackSink } = lib;
  const rows = [];
  const started = performance.now();
  const query = eddy
    .stream(generatorSource({
      keys: options.keys, seed: options.seed, limit: options.limit, step: options.step, rate: 'max',
      jitter: options.jitter, lateRate: options.lateRate, anomalyRate: options.anomalyRate, anomalyMagnitude: options.anomalyMagnitude,
    }))
    .withWatermark('timestamp', options.delay)
    .groupBy(window('timestamp', options.size, options.slide), 'metric')
    .agg(avg('value'), stddev('value'), min('value'), max('value'), count())
    .detectAnomalies({ rows: 11, threshold: 2.5 }) // rolling z-score of each metric's avg_value over its last 11 windows
    .writeStream(callbackSink((records) => { rows.push(...records); }))
    .queryName('example')
    .start();
  await query.awaitTermination();
  const elapsedMs = performance.now() - started;
  const totals = query.lastProgress?.totals;
  return { rows, events: totals?.inputRows ?? 0, lateEvents: totals?.lateRows ?? 0, elapsedMs };
}
