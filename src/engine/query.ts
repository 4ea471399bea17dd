/**
 * A running streaming query (Spark's StreamingQuery): pulls batches from its
 * source, crosses into the wasm core once per batch, writes results to its
 * sinks, and keeps progress.
 *
 * Lifecycle: start → [batch: encode → process → write → progress]* →
 * (end of a bounded source: flush open windows) or (stop: optional flush) →
 * close sinks → terminated. A failure anywhere ends the query with
 * `exception` set and makes awaitTermination() reject.
 */
import type { WasmCore } from '../core/wasmCore.js';
import type { Source, SourceBatch } from './source.js';
import { ReplayClock } from './replay.js';
import type { Sink } from './sink.js';
import { eventSchema, lateSchema, matchSchema, windowSchema } from './records.js';
import { writeOutputs } from './writeOutputs.js';
import { recordBatch } from './outputBatch.js';

const NO_BATCH = recordBatch([]);
import { BatchEngine, type BatchResult } from './batchEngine.js';
import { InputErrorReporter } from './errorReporter.js';
import type { QueryProgress } from './progress.js';
import { ProgressTracker } from './progressTracker.js';
import type { QueryPlan } from './plan.js';
import type { InputError } from './inputError.js';

/** Where a query's outputs go. */
export interface QuerySinks {
  /** The query's results: window results, or scored events in an events query. */
  results: Sink;
  /** Sequence-pattern matches (required when the query has sequence patterns). */
  matches?: Sink;
  /** Late events; without it they are only counted (per key in the core, in total in progress). */
  late?: Sink;
  /** Rejected rows with their errors. */
  deadLetter?: Sink;
}

/** How the query gets its wasm core and reports. */
export interface QueryEnvironment {
  /** Creates a fresh core instance. */
  createCore(): WasmCore | Promise<WasmCore>;
  /** Receives human-readable notices (bad input). Default: console.error. */
  log?: (line: string) => void;
  /** Called after every batch with its progress. */
  onProgress?: (progress: QueryProgress) => void;
  /** Receives every rejected row (after it was counted and reported). */
  onRejected?: (errors: InputError[]) => void;
  /** Called once all outputs of a batch (and of the final flush) have been written. */
  onBatchWritten?: () => void;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

function newId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  return `${Date.now().toString(16)}-${Math.random().toString(16).slice(2)}`;
}

/** What the CLI and the server need of a running query (one engine, or one per Kafka partition). */
export interface RunningQuery {
  readonly name: string;
  readonly sourceDescription: string;
  readonly isActive: boolean;
  /** True while it runs and can take events. */
  readonly ready: boolean;
  readonly lastProgress: QueryProgress | null;
  readonly recentProgress: readonly QueryProgress[];
  readonly exception: Error | null;
  stop(options?: { flush?: boolean }): Promise<void>;
  awaitTermination(timeoutMs?: number): Promise<boolean>;
  rejectedSummary(): string;
  /** Bytes of wasm linear memory. */
  wasmMemoryBytes(): number;
}

export class StreamingQuery implements RunningQuery {
  /** Stable id of the query. */
  readonly id = newId();
  /** Id of this run. */
  readonly runId = newId();
  private readonly tracker: ProgressTracker;
  /** Why the query failed, if it did. */
  exception: Error | null = null;

  private active = true;
  private readonly abort = new AbortController();
  private readonly done: Promise<void>;
  private core: WasmCore | null = null;
  private engine: BatchEngine | null = null;
  private readonly reporter: InputErrorReporter;
  private flushRequested: boolean;

  constructor(
    readonly plan: QueryPlan,
    private readonly source: Source,
    private readonly sinks: QuerySinks,
    private readonly env: QueryEnvironment,
  ) {
    const log = env.log ?? ((line: string) => console.error(`eddy: ${line}`));
    this.reporter = new InputErrorReporter(log, 10, sinks.deadLetter);
    this.flushRequested = plan.flushOnStop;
    this.tracker = new ProgressTracker({ id: this.id, runId: this.runId, name: plan.name }, source.description, sinks.results.description, env.onProgress);
    this.done = this.run().catch((err: unknown) => {
      this.exception = err instanceof Error ? err : new Error(String(err));
    }).finally(() => {
      this.active = false;
    });
  }

  /** The source's description (`file:…`, `http`, `generator`). */
  get sourceDescription(): string {
    return this.source.description;
  }

  /** Progress of the most recent batch, null before the first. */
  get lastProgress(): QueryProgress | null {
    return this.tracker.lastProgress;
  }

  /** The last 100 progress entries, oldest first. */
  get recentProgress(): readonly QueryProgress[] {
    return this.tracker.recentProgress;
  }

  /** Query name. */
  get name(): string {
    return this.plan.name;
  }

  /** True until the query has terminated (stopped, source ended, or failed). */
  get isActive(): boolean {
    return this.active;
  }

  /** Rows rejected so far, by reason. */
  get rejected(): Readonly<Record<string, number>> {
    return this.reporter.byKind;
  }

  /** One-line summary of rejected input. */
  rejectedSummary(): string {
    return this.reporter.summary();
  }

  /**
   * Stops the query: the source stops, the current batch completes, open
   * windows are flushed if `flush` (default: the plan's flushOnStop), sinks
   * are closed. Resolves when the query has terminated.
   */
  async stop(options: { flush?: boolean } = {}): Promise<void> {
    if (options.flush !== undefined) this.flushRequested = options.flush;
    this.abort.abort();
    await this.done;
  }

  /**
   * Waits for the query to terminate. With a timeout, resolves false if it is
   * still running by then (as Spark's awaitTermination(timeoutMs)). Rejects
   * with the query's exception if it failed.
   */
  async awaitTermination(timeoutMs?: number): Promise<boolean> {
    if (timeoutMs === undefined) {
      await this.done;
    } else {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); });
      const outcome = await Promise.race([this.done.then(() => 'done' as const), timeout]);
      clearTimeout(timer);
      if (outcome === 'timeout') return false;
    }
    if (this.exception) throw this.exception;
    return true;
  }

  /** True once the core is loaded, until the query ends. */
  get ready(): boolean {
    return this.active && this.core !== null;
  }

  /** Bytes of wasm linear memory (0 before the core is loaded). */
  wasmMemoryBytes(): number {
    return this.core?.memoryBytes() ?? 0;
  }

  /** The query's wasm core (null before it is created), for inspection. */
  get wasmCore(): WasmCore | null {
    return this.core;
  }

  /** Late events counted for a key, by its grouping values (the core counts them per key). */
  lateCountOf(...keyValues: (string | number | boolean)[]): number {
    return this.engine?.lateCountOf(...keyValues) ?? 0;
  }

  private async run(): Promise<void> {
    const plan = this.plan;
    const core = await this.env.createCore();
    this.core = core;
    const { results: resultSink, late: lateSink, matches: matchSink } = this.sinks;
    const engine = new BatchEngine(plan, core, this.source.description, lateSink !== undefined);
    this.engine = engine;
    let sinksOpen = false;
    try {
      await resultSink.open(plan.kind === 'events' ? eventSchema(plan) : windowSchema(plan));
      if (lateSink) await lateSink.open(lateSchema(plan));
      if (matchSink) await matchSink.open(matchSchema(plan));
      sinksOpen = true;
      let previousStart = now();
      let waitStart = now();
      /** Writes one processed batch (started at `start`) and records its progress. */
      const handle = async (batch: SourceBatch, result: BatchResult, start: number): Promise<void> => {
        const built = now();
        const results = plan.kind === 'events' ? result.eventBatch : result.windowBatch;
        await writeOutputs(this.sinks, results, result.lateBatch, result.matchBatch);
        await this.reporter.report(result.errors);
        if (result.errors.length > 0) this.env.onRejected?.(result.errors);
        this.env.onBatchWritten?.();
        const end = now();
        const { encode, process } = result.timings;
        this.tracker.record({
          latencyMs: batch.receivedAt === undefined ? null : end - batch.receivedAt,
          start, previousStart, getBatch: start - waitStart, encode, process, write: end - built + result.timings.build,
          numInputRows: result.inputRows, processedRows: result.encodedRows,
          lateRows: result.lateCount, errors: result.errors.length, outputRows: results.count,
        }, {
          watermark: core.watermark(), numKeys: engine.numKeys, activeKeys: core.activeKeys(),
          stateBytes: core.stateBytes(), wasmMemoryBytes: core.memoryBytes(),
        });
        previousStart = start;
        waitStart = now();
      };
      // A recording replayed at its pace: each chunk is scanned once and released in slices on time.
      const replay = this.source.replaySpeed === undefined ? undefined : new ReplayClock(this.source.replaySpeed);
      for await (const batch of this.source.batches(plan.batchSize, this.abort.signal)) {
        if (replay !== undefined && batch.bytes !== undefined) {
          const scanned = engine.scanBatch(batch);
          for await (const n of replay.slices(scanned.times, this.abort.signal, scanned.errors > 0)) {
            const start = now();
            await handle(batch, engine.processScanned(n), start);
            if (this.abort.signal.aborted) break;
          }
        } else {
          const start = now();
          await handle(batch, engine.processBatch(batch), start);
        }
        if (this.abort.signal.aborted) break;
      }
      const endedByItself = !this.abort.signal.aborted;
      if ((endedByItself && plan.flushAtEnd) || (!endedByItself && this.flushRequested)) {
        const start = now();
        const flushed = engine.flushBatch();
        const built = now();
        await writeOutputs(this.sinks, flushed, NO_BATCH, NO_BATCH);
        this.env.onBatchWritten?.();
        // the flush is a batch of its own in progress: no input, the windows it emitted as output
        this.tracker.record({
          latencyMs: null, start, previousStart: start, getBatch: 0, encode: 0, process: built - start, write: now() - built,
          numInputRows: 0, processedRows: 0, lateRows: 0, errors: 0, outputRows: flushed.count,
        }, {
          watermark: core.watermark(), numKeys: engine.numKeys, activeKeys: core.activeKeys(),
          stateBytes: core.stateBytes(), wasmMemoryBytes: core.memoryBytes(),
        });
      }
    } finally {
      if (sinksOpen) {
        await resultSink.close();
        if (lateSink) await lateSink.close();
        if (matchSink) await matchSink.close();
      }
      await this.reporter.close();
    }
  }
}
