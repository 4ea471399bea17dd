/**
 * The one runtime every query runs on, whatever its source: it owns what a
 * query does around its engines, so that lives in one place.
 *
 * - Lifecycle: open the sinks (with their schemas) → the driver's body →
 *   close the sinks and the dead-letter reporter, also after a failure; the
 *   failure becomes `exception` and awaitTermination() rejects with it.
 * - Tasks: a task is one engine over one core with its own state — the
 *   whole query for a plain source, one partition of a partitioned source
 *   (Kafka Streams' tasks). Tasks are created, restored and dropped here.
 * - Outputs of a batch: results, late events and matches to their sinks
 *   (flushed), rejects to the reporter and the dead-letter sink, progress
 *   (Spark's StreamingQueryProgress) with the engine figures summed over the
 *   tasks and the slowest task's watermark.
 * - The checkpoint hook (Flink's checkpointed state, Arroyo's
 *   handle_checkpoint): with a StateStore, a task starts from its newest
 *   saved state, and checkpoint() saves its state together with the source
 *   position it covers when the policy says it is due. Only after the save
 *   is durable may the source acknowledge that position (commit an offset,
 *   delete a log segment).
 *
 * Drivers (query.ts: a pulled Source; a PartitionedSource such as Kafka)
 * decide when batches arrive and what a position is; they never touch sinks
 * or progress themselves.
 */
import type { WasmCore } from '../core/wasmCore.js';
import { BatchEngine, type BatchResult } from './batchEngine.js';
import { InputErrorReporter } from './errorReporter.js';
import type { InputError } from './inputError.js';
import type { QueryPlan } from './plan.js';
import type { QueryProgress } from './progress.js';
import { ProgressTracker, type EngineFigures } from './progressTracker.js';
import { eventSchema, lateSchema, matchSchema, windowSchema } from './records.js';
import type { Sink } from './sink.js';
import { MAX_CHAIN_LENGTH, type CheckpointPolicy, type StateStore } from './stateStore.js';
import { writeOutputs } from './writeOutputs.js';
import { recordBatch } from './outputBatch.js';

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

/** How the query gets its wasm cores, reports, and (optionally) keeps its state. */
export interface QueryEnvironment {
  /** Creates a fresh core instance (one per task). */
  createCore(): WasmCore | Promise<WasmCore>;
  /** Receives human-readable notices (bad input, checkpoints). Default: console.error. */
  log?: (line: string) => void;
  /** Called after every batch with its progress. */
  onProgress?: (progress: QueryProgress) => void;
  /** Receives every rejected row (after it was counted and reported). */
  onRejected?: (errors: InputError[]) => void;
  /** Called once all outputs of a batch (and of the final flush) have been written. */
  onBatchWritten?: () => void;
  /** The checkpoint hook's store; without it nothing is saved or restored. */
  stateStore?: StateStore;
  /** When tasks save their state (with a stateStore). Default: every 10 s. */
  checkpointPolicy?: CheckpointPolicy;
}

/** Default checkpoint policy: Spark's and Flink's usual order of magnitude. */
export const DEFAULT_CHECKPOINT_POLICY: CheckpointPolicy = { intervalMs: 10_000, everyBatches: 0 };

/** One unit of state: an engine, and where its input stands. */
export interface QueryTask {
  /** Names the task's state in the store (`query`, `topic-partition`). */
  readonly scope: string;
  readonly engine: BatchEngine;
  /** The source position the engine's state covers (JSON), undefined before the first batch of a fresh task. */
  position: Record<string, unknown> | undefined;
  /** The position of the last save; a task whose position has not moved since is not saved again. */
  savedPosition: Record<string, unknown> | undefined;
  /** now() of the last save (or of the task's start). */
  lastSavedAt: number;
  /** Batches since the last save. */
  batchesSinceSave: number;
  /** The chain of saves this task continues (a full save and changes after it), when the store keeps chains. */
  chain: SaveChain | undefined;
}

/** Where a task's incremental saves stand: the full save they follow and their size so far. */
export interface SaveChain {
  /** Seq of the full save. */
  base: number;
  /** Seq of the newest save of the chain (a change set follows it). */
  last: number;
  /** Bytes of the full save. */
  baseBytes: number;
  /** Bytes of the changes saved after it. */
  changeBytes: number;
  /** Snapshots of changes after it. */
  length: number;
}

/** When a batch started, for its progress entry. */
export interface BatchTiming {
  /** now() when the batch's processing started. */
  start: number;
  /** How long the driver waited for the batch (ms). */
  getBatch: number;
  /** When the batch's oldest event was received (now() clock), for event→result latency. */
  receivedAt?: number;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());
const NO_BATCH = recordBatch([]);

function newId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  return `${Date.now().toString(16)}-${Math.random().toString(16).slice(2)}`;
}

export class QueryRuntime {
  /** Stable id of the query. */
  readonly id = newId();
  /** Id of this run. */
  readonly runId = newId();
  /** Why the query failed, if it did. */
  exception: Error | null = null;
  /** The tasks by scope, in creation order. */
  readonly tasks = new Map<string, QueryTask>();
  private active = true;
  private done: Promise<void> = Promise.resolve();
  private readonly tracker: ProgressTracker;
  private readonly reporter: InputErrorReporter;
  private readonly log: (line: string) => void;
  private readonly policy: CheckpointPolicy;
  private previousStart = now();

  constructor(
    readonly plan: QueryPlan,
    /** The source's description (`file:…`, `kafka:topic`). */
    readonly sourceDescription: string,
    private readonly sinks: QuerySinks,
    private readonly env: QueryEnvironment,
  ) {
    this.log = env.log ?? ((line: string) => console.error(`eddy: ${line}`));
    this.reporter = new InputErrorReporter(this.log, 10, sinks.deadLetter);
    this.tracker = new ProgressTracker({ id: this.id, runId: this.runId, name: plan.name }, sourceDescription, sinks.results.description, env.onProgress);
    this.policy = env.checkpointPolicy ?? DEFAULT_CHECKPOINT_POLICY;
  }

  /**
   * Runs `prepare` (work that may fail before any output exists, e.g.
   * making the first task), then `body` between opening and closing the
   * sinks; the query is active until it has ended.
   */
  start(prepare: () => Promise<void>, body: () => Promise<void>): void {
    this.done = prepare()
      .then(() => this.lifecycle(body))
      .catch((err: unknown) => {
        this.exception = err instanceof Error ? err : new Error(String(err));
      })
      .finally(() => {
        this.active = false;
      });
  }

  /** True until the query has terminated (stopped, source ended, or failed). */
  get isActive(): boolean {
    return this.active;
  }

  /** Resolves when the query has terminated (never rejects; see exception). */
  get terminated(): Promise<void> {
    return this.done;
  }

  /** Progress of the most recent batch, null before the first. */
  get lastProgress(): QueryProgress | null {
    return this.tracker.lastProgress;
  }

  /** The last 100 progress entries, oldest first. */
  get recentProgress(): readonly QueryProgress[] {
    return this.tracker.recentProgress;
  }

  /** Rows rejected so far, by reason. */
  get rejected(): Readonly<Record<string, number>> {
    return this.reporter.byKind;
  }

  /** One-line summary of rejected input. */
  rejectedSummary(): string {
    return this.reporter.summary();
  }

  /** Bytes of wasm memory over all tasks' cores. */
  wasmMemoryBytes(): number {
    let bytes = 0;
    for (const t of this.tasks.values()) bytes += t.engine.core.memoryBytes();
    return bytes;
  }

  /** True when the query keeps its state in a store. */
  get checkpointing(): boolean {
    return this.env.stateStore !== undefined;
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
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const outcome = await Promise.race([this.done.then(() => 'done' as const), timeout]);
      clearTimeout(timer);
      if (outcome === 'timeout') return false;
    }
    if (this.exception) throw this.exception;
    return true;
  }

  /**
   * The task of `scope`, created on first use: a fresh core and engine, then
   * (with a store) the newest readable saved state and the position it
   * covers. Refuses to start over silently when saves exist but none can be
   * read.
   */
  async task(scope: string, description: string): Promise<QueryTask> {
    const existing = this.tasks.get(scope);
    if (existing) return existing;
    const engine = new BatchEngine(this.plan, await this.env.createCore(), description, this.sinks.late !== undefined);
    const task: QueryTask = { scope, engine, position: undefined, savedPosition: undefined, lastSavedAt: now(), batchesSinceSave: 0, chain: undefined };
    const store = this.env.stateStore;
    if (store && this.incremental) engine.trackChanges();
    if (store) {
      const saved = await store.latest(scope);
      if (!saved && (await store.count(scope)) > 0) {
        throw new Error(`${scope}: every checkpoint under ${store.description} is unreadable; move them away to start this task over`);
      }
      if (saved) {
        const changes = saved.changes ?? [];
        engine.restore(saved.state, changes);
        task.position = saved.meta;
        task.savedPosition = saved.meta;
        if (this.incremental) {
          const changeBytes = changes.reduce((n, c) => n + c.length, 0);
          task.chain = { base: saved.baseSeq ?? saved.seq, last: saved.seq, baseBytes: saved.state.length, changeBytes, length: changes.length };
        }
        const chained = changes.length === 0 ? '' : ` = full checkpoint ${String(saved.baseSeq)} + ${changes.length} of changes`;
        this.log(`${scope}: restored checkpoint ${saved.seq}${chained} (${describePosition(saved.meta)})`);
      }
    }
    // a task created while another was being made for the same scope keeps the first
    const raced = this.tasks.get(scope);
    if (raced) return raced;
    this.tasks.set(scope, task);
    return task;
  }

  /** Forgets a task (its partition moved to another member, which restores it from the store). */
  dropTask(scope: string): void {
    this.tasks.delete(scope);
  }

  /** Records that `task` processed a batch up to `position`. */
  advance(task: QueryTask, position: Record<string, unknown>): void {
    task.position = position;
    task.batchesSinceSave++;
  }

  /** True when the policy says `task` should save now (and it moved since its last save). */
  checkpointDue(task: QueryTask): boolean {
    if (!this.moved(task)) return false;
    return now() - task.lastSavedAt >= this.policy.intervalMs || (this.policy.everyBatches > 0 && task.batchesSinceSave >= this.policy.everyBatches);
  }

  /** The policy's interval (ms), for drivers that save idle tasks on a timer. */
  get checkpointIntervalMs(): number {
    return this.policy.intervalMs;
  }

  /**
   * Saves `task`'s state with the position it covers, durably (without a
   * store: only marks the position as acknowledged). Returns the position
   * saved, or undefined when the task has not moved since its last save
   * (with `changed`: when it has no position yet — the state changed without
   * input, e.g. by a flush). The caller must not run a batch on the task
   * meanwhile.
   */
  async checkpoint(task: QueryTask, changed = false): Promise<Record<string, unknown> | undefined> {
    if (changed ? task.position === undefined : !this.moved(task)) return undefined;
    // the position the snapshot covers, taken together with it
    const position = task.position!;
    const store = this.env.stateStore;
    if (store) await this.save(store, task, { ...position, query: this.plan.name });
    task.savedPosition = position;
    task.lastSavedAt = now();
    task.batchesSinceSave = 0;
    return position;
  }

  /** True when tasks save only their changed keys (the store keeps chains and the policy does not turn it off). */
  private get incremental(): boolean {
    return this.env.stateStore?.incremental === true && this.policy.incremental !== false;
  }

  /**
   * Saves a task's state: the changes since its last save while its chain
   * is short (changes smaller in all than the full save, fewer than
   * MAX_CHAIN_LENGTH), else a full save that starts a new chain. A save that
   * did not land right after the one it follows (another writer of the
   * scope came between) ends the chain: the next save is full.
   */
  private async save(store: StateStore, task: QueryTask, meta: Record<string, unknown>): Promise<void> {
    const chain = task.chain;
    if (this.incremental && chain !== undefined && chain.changeBytes < chain.baseBytes && chain.length < MAX_CHAIN_LENGTH) {
      const state = task.engine.snapshot(true);
      const { seq } = await store.write(task.scope, { state, meta, chain: { base: chain.base, prev: chain.last } });
      if (seq === chain.last + 1) {
        chain.last = seq;
        chain.changeBytes += state.length;
        chain.length++;
      } else {
        task.chain = undefined;
      }
      return;
    }
    const state = task.engine.snapshot();
    const { seq } = await store.write(task.scope, { state, meta });
    task.chain = this.incremental ? { base: seq, last: seq, baseBytes: state.length, changeBytes: 0, length: 0 } : undefined;
  }

  /** Writes one processed batch's outputs and errors, and records its progress. */
  async write(result: BatchResult, timing: BatchTiming): Promise<void> {
    const built = now();
    const results = this.plan.kind === 'events' ? result.eventBatch : result.windowBatch;
    await writeOutputs(this.sinks, results, result.lateBatch, result.matchBatch);
    await this.reporter.report(result.errors);
    if (result.errors.length > 0) this.env.onRejected?.(result.errors);
    this.env.onBatchWritten?.();
    const end = now();
    const { encode, process, build } = result.timings;
    this.tracker.record(
      {
        latencyMs: timing.receivedAt === undefined ? null : end - timing.receivedAt,
        start: timing.start,
        previousStart: this.previousStart,
        getBatch: timing.getBatch,
        encode,
        process,
        write: end - built + build,
        numInputRows: result.inputRows,
        processedRows: result.encodedRows,
        lateRows: result.lateCount,
        errors: result.errors.length,
        outputRows: results.count,
      },
      this.engineFigures(),
    );
    this.previousStart = timing.start;
  }

  /** End of input (or a stop with flush): emits every task's open windows as a batch of its own in progress. */
  async flush(): Promise<void> {
    for (const task of this.tasks.values()) {
      const start = now();
      const flushed = task.engine.flushBatch();
      const built = now();
      await writeOutputs(this.sinks, flushed, NO_BATCH, NO_BATCH);
      this.env.onBatchWritten?.();
      // no input: the windows it emitted are the batch's output
      this.tracker.record(
        {
          latencyMs: null,
          start,
          previousStart: start,
          getBatch: 0,
          encode: 0,
          process: built - start,
          write: now() - built,
          numInputRows: 0,
          processedRows: 0,
          lateRows: 0,
          errors: 0,
          outputRows: flushed.count,
        },
        this.engineFigures(),
      );
    }
  }

  /** A notice for the log (the environment's, or stderr). */
  notice(line: string): void {
    this.log(line);
  }

  private moved(task: QueryTask): boolean {
    return task.position !== undefined && task.batchesSinceSave > 0 && task.position !== task.savedPosition;
  }

  private engineFigures(): EngineFigures {
    let numKeys = 0;
    let activeKeys = 0;
    let stateBytes = 0;
    let wasmMemoryBytes = 0;
    let watermark: number | null = null;
    for (const t of this.tasks.values()) {
      const core = t.engine.core;
      numKeys += t.engine.numKeys;
      activeKeys += core.activeKeys();
      stateBytes += core.stateBytes();
      wasmMemoryBytes += core.memoryBytes();
      const wm = core.watermark();
      // the query's watermark is the slowest task's
      if (wm !== null) watermark = watermark === null ? wm : Math.min(watermark, wm);
    }
    return { watermark, numKeys, activeKeys, stateBytes, wasmMemoryBytes };
  }

  private async lifecycle(body: () => Promise<void>): Promise<void> {
    const plan = this.plan;
    const { results, late, matches } = this.sinks;
    let opened: Sink[] = [];
    try {
      await results.open(plan.kind === 'events' ? eventSchema(plan) : windowSchema(plan));
      opened.push(results);
      if (late) {
        await late.open(lateSchema(plan));
        opened.push(late);
      }
      if (matches) {
        await matches.open(matchSchema(plan));
        opened.push(matches);
      }
      await body();
    } finally {
      for (const sink of opened) await sink.close();
      opened = [];
      await this.reporter.close();
    }
  }
}

/** `next offset 42` for a Kafka position, the JSON otherwise. */
function describePosition(meta: Record<string, unknown>): string {
  if (typeof meta.nextOffset === 'number' || typeof meta.nextOffset === 'string') return `next offset ${meta.nextOffset}`;
  const { query: _query, ...rest } = meta;
  return JSON.stringify(rest);
}
