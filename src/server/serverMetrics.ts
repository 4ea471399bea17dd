/**
 * The metrics `GET /metrics` exposes (Prometheus text format, written by
 * metrics.ts — no prom-client dependency, see there why).
 */
import { Registry, type Counter, type Gauge, type Histogram } from './metrics.js';
import { registerProcessMetrics } from './processMetrics.js';
import type { QueryProgress } from '../engine/progress.js';

/** Seconds buckets of the batch-duration and event→result latency histograms. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Everything the server measures. */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly inputEvents: Counter;
  readonly rejectedEvents: Counter;
  readonly lateEvents: Counter;
  readonly windowsEmitted: Counter;
  readonly outputRecords: Counter;
  readonly ingestBytes: Counter;
  readonly ingestRequests: Counter;
  readonly busyResponses: Counter;
  readonly droppedResults: Counter;
  readonly batchDuration: Histogram;
  readonly latency: Histogram;
  readonly connections: Gauge;
  readonly batches: Counter;

  /**
   * @param collect live values read at scrape time: queue, keys, wasm memory, subscribers
   */
  constructor(collect: { queuedEvents(): number; keys(): number; wasmMemoryBytes(): number; subscribers(): number }) {
    const r = this.registry;
    this.inputEvents = r.counter({ name: 'eddy_input_events_total', help: 'Events accepted into the engine' });
    this.rejectedEvents = r.counter({ name: 'eddy_rejected_events_total', help: 'Events rejected as bad input, by reason', labelNames: ['reason'] });
    this.lateEvents = r.counter({ name: 'eddy_late_events_total', help: 'Events that arrived after all their windows had closed' });
    this.windowsEmitted = r.counter({ name: 'eddy_windows_emitted_total', help: 'Window results emitted' });
    this.outputRecords = r.counter({ name: 'eddy_output_records_total', help: 'Result records written (windows or scored events)' });
    this.ingestBytes = r.counter({
      name: 'eddy_ingest_bytes_total',
      help: 'Bytes received on the ingest endpoints (before gzip inflation)',
      labelNames: ['transport'],
    });
    this.ingestRequests = r.counter({
      name: 'eddy_ingest_requests_total',
      help: 'Ingest requests and WebSocket messages, by outcome',
      labelNames: ['transport', 'status'],
    });
    this.busyResponses = r.counter({ name: 'eddy_ingest_busy_total', help: 'Ingest payloads refused because the engine queue was full (503 / busy)' });
    this.batches = r.counter({ name: 'eddy_batches_total', help: 'Engine batches processed' });
    this.batchDuration = r.histogram({ name: 'eddy_batch_duration_seconds', help: 'Engine time per batch (encode, wasm, write)', buckets: LATENCY_BUCKETS });
    this.latency = r.histogram({
      name: 'eddy_event_to_result_latency_seconds',
      help: 'From receipt of a batch’s oldest event to its results being written',
      buckets: LATENCY_BUCKETS,
    });
    this.connections = r.gauge({ name: 'eddy_connections', help: 'Open WebSocket connections', labelNames: ['endpoint'] });
    r.gauge({ name: 'eddy_live_subscribers', help: 'Subscribers of /live', collect: collect.subscribers });
    this.droppedResults = r.counter({ name: 'eddy_live_dropped_messages_total', help: 'Live result messages dropped for slow subscribers (drop-oldest)' });
    r.gauge({ name: 'eddy_queue_events', help: 'Events accepted and waiting for the engine', collect: collect.queuedEvents });
    r.gauge({ name: 'eddy_keys', help: 'Distinct keys seen', collect: collect.keys });
    r.gauge({ name: 'eddy_wasm_memory_bytes', help: 'Bytes of wasm linear memory', collect: collect.wasmMemoryBytes });
    registerProcessMetrics(r);
  }

  /** Folds one batch's progress in (`windows`: the query emits window results). */
  observe(p: QueryProgress, windows: boolean): void {
    this.batches.inc();
    this.batchDuration.observe(p.batchDurationMs / 1000);
    if (p.latencyMs !== null) this.latency.observe(Math.max(0, p.latencyMs) / 1000);
    this.lateEvents.inc(p.lateRows);
    this.outputRecords.inc(p.numOutputRows);
    if (windows) this.windowsEmitted.inc(p.numOutputRows);
  }
}
