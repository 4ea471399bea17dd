/**
 * The engine panel's numbers, from `/progress` (polled every update
 * interval): arrival and processing rates (from the totals' growth between
 * two polls), the engine's throughput while busy, event→result latency
 * p50/p99 over `recentProgress`, errors, late events, keys, wasm memory.
 * A short rate history (bounded ring) feeds the panel's sparkline.
 */

/** What the panel reads of a `/progress` answer (a subset of QueryProgress). */
interface ProgressDoc {
  lastProgress: Progress | null;
  recentProgress: Progress[];
}
interface Progress {
  runId?: string;
  batchId: number;
  timestamp?: string;
  numInputRows: number;
  batchDurationMs: number;
  latencyMs: number | null;
  watermark: string | null;
  numKeys: number;
  activeKeys?: number;
  stateBytes?: number;
  wasmMemoryBytes: number;
  totals: { inputRows: number; processedRows: number; lateRows: number; errors: number; outputRows: number };
}

/** The numbers shown (and exposed on window.eddyDashboard.engine). */
export interface EngineNumbers {
  /** Successful polls of /progress. */
  polls: number;
  /** Failed polls (server down, bad answer). */
  failures: number;
  /** Events/s arriving at the engine, over the last poll interval. */
  inputRate: number | null;
  /** Events/s the engine processed, over the last poll interval. */
  processedRate: number | null;
  /** Events/s while the engine works (rows / busy time of the batches since the last poll). */
  throughput: number | null;
  /** Event→result latency percentiles (ms) over recentProgress; null when the source does not time receipt. */
  latencyP50: number | null;
  latencyP99: number | null;
  latencySamples: number;
  errors: number;
  late: number;
  keys: number;
  activeKeys: number;
  wasmMemoryBytes: number;
  stateBytes: number;
  batchId: number;
  watermark: string | null;
  inputRows: number;
  outputRows: number;
  runId: string | null;
}

/** Points of the rate sparkline. */
export const RATE_HISTORY = 300;

/** The panel's numbers before the first poll. */
export function emptyEngineNumbers(): EngineNumbers {
  return {
    polls: 0,
    failures: 0,
    inputRate: null,
    processedRate: null,
    throughput: null,
    latencyP50: null,
    latencyP99: null,
    latencySamples: 0,
    errors: 0,
    late: 0,
    keys: 0,
    activeKeys: 0,
    wasmMemoryBytes: 0,
    stateBytes: 0,
    batchId: -1,
    watermark: null,
    inputRows: 0,
    outputRows: 0,
    runId: null,
  };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** Polls /progress and turns it into the panel's numbers and rate history. */
export class EnginePoller {
  readonly numbers: EngineNumbers = emptyEngineNumbers();
  private prev: { at: number; input: number; processed: number; runId: string | null } | null = null;
  private lastBatchSeen = -1;
  private inFlight = false;
  // rate history ring (seconds since page load, input/s, processed/s)
  private readonly histT = new Float64Array(RATE_HISTORY);
  private readonly histIn = new Float64Array(RATE_HISTORY);
  private readonly histOut = new Float64Array(RATE_HISTORY);
  private histHead = 0;
  private histCount = 0;
  private readonly out: number[][] = [[], [], []];
  private readonly latencies: number[] = [];

  constructor(private readonly url: string) {}

  /** One poll (skipped while the previous one is still running). */
  async poll(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = true;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 5000);
    try {
      const res = await fetch(this.url, { cache: 'no-store', signal: abort.signal });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      this.apply((await res.json()) as ProgressDoc, performance.now());
      this.numbers.polls++;
    } catch {
      this.numbers.failures++;
      this.prev = null;
      this.numbers.inputRate = null;
      this.numbers.processedRate = null;
    } finally {
      clearTimeout(timer);
      this.inFlight = false;
    }
  }

  private apply(doc: ProgressDoc, now: number): void {
    const n = this.numbers;
    const p = doc.lastProgress;
    if (!p) return;
    const runId = p.runId ?? null;
    const restarted = this.prev !== null && (this.prev.runId !== runId || p.totals.inputRows < this.prev.input);
    if (restarted) this.lastBatchSeen = -1;
    if (this.prev !== null && !restarted && now > this.prev.at) {
      const dt = (now - this.prev.at) / 1000;
      n.inputRate = (p.totals.inputRows - this.prev.input) / dt;
      n.processedRate = (p.totals.processedRows - this.prev.processed) / dt;
      this.record(now / 1000, n.inputRate, n.processedRate);
    } else {
      n.inputRate = null;
      n.processedRate = null;
    }
    this.prev = { at: now, input: p.totals.inputRows, processed: p.totals.processedRows, runId };

    let rows = 0;
    let busy = 0;
    const lat = this.latencies;
    lat.length = 0;
    for (const r of doc.recentProgress) {
      if (typeof r.latencyMs === 'number' && Number.isFinite(r.latencyMs)) lat.push(r.latencyMs);
      if (r.batchId > this.lastBatchSeen) {
        rows += r.numInputRows;
        busy += r.batchDurationMs;
      }
    }
    if (busy > 0) n.throughput = (rows * 1000) / busy;
    this.lastBatchSeen = p.batchId;
    lat.sort((a, b) => a - b);
    n.latencyP50 = percentile(lat, 50);
    n.latencyP99 = percentile(lat, 99);
    n.latencySamples = lat.length;
    n.errors = p.totals.errors;
    n.late = p.totals.lateRows;
    n.keys = p.numKeys;
    n.activeKeys = p.activeKeys ?? 0;
    n.wasmMemoryBytes = p.wasmMemoryBytes;
    n.stateBytes = p.stateBytes ?? 0;
    n.batchId = p.batchId;
    n.watermark = p.watermark;
    n.inputRows = p.totals.inputRows;
    n.outputRows = p.totals.outputRows;
    n.runId = runId;
  }

  private record(t: number, input: number, processed: number): void {
    const at = (this.histHead + this.histCount) % RATE_HISTORY;
    this.histT[at] = t;
    this.histIn[at] = input;
    this.histOut[at] = processed;
    if (this.histCount < RATE_HISTORY) this.histCount++;
    else this.histHead = (this.histHead + 1) % RATE_HISTORY;
  }

  /** The sparkline's data (arrays reused): seconds, input/s, processed/s. */
  history(): number[][] {
    const [t, i, o] = this.out as [number[], number[], number[]];
    const n = this.histCount;
    t.length = i.length = o.length = n;
    for (let k = 0; k < n; k++) {
      const at = (this.histHead + k) % RATE_HISTORY;
      t[k] = this.histT[at]!;
      i[k] = this.histIn[at]!;
      o[k] = this.histOut[at]!;
    }
    return this.out;
  }
}
