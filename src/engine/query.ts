/**
 * A running streaming query (Spark's StreamingQuery), the one kind of query
 * eddy runs: a source drives the query runtime (queryRuntime.ts), which owns
 * the engines, the sinks, progress, ids, termination and checkpoints.
 *
 * - A pulled Source (file, stdin, generator, arrays, server ingest) is one
 *   task: batches are pulled, crossed into the core once each, written.
 *   Lifecycle: start → [batch: encode → process → write → progress]* →
 *   (end of a bounded source: flush open windows) or (stop: optional flush)
 *   → close sinks → terminated.
 * - A PartitionedSource (Kafka) runs one task per partition and pushes
 *   batches to the runtime; on stop every task is checkpointed, and open
 *   windows stay in the checkpoint (a topic has no end; see docs/semantics.md).
 *
 * A failure anywhere ends the query with `exception` set and makes
 * awaitTermination() rejects.
 */
import type { WasmCore } from '../core/wasmCore.js';
import type { Source, SourceBatch } from './source.js';
import { ReplayClock } from './replay.js';
import type { QueryProgress } from './progress.js';
import type { QueryPlan } from './plan.js';
import type { BatchResult, EngineMessage, MessageOptions } from './batchEngine.js';
import { MAX_MESSAGE_BYTES_PER_CALL } from './limits.js';
import { isPartitioned, type PartitionContext, type PartitionedSource } from './partitionedSource.js';
import { QueryRuntime, type QueryEnvironment, type QuerySinks, type QueryTask } from './queryRuntime.js';

export type { QueryEnvironment, QuerySinks } from './queryRuntime.js';

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** The scope of a pulled source's one task in a state store. */
export const SINGLE_TASK_SCOPE = 'query';

/** What the CLI and the server need of a running query. */
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
  private readonly runtime: QueryRuntime;
  private readonly abort = new AbortController();
  private flushRequested: boolean;

  constructor(
    readonly plan: QueryPlan,
    /** Where the events come from: pulled batches, or partitions that push. */
    readonly source: Source | PartitionedSource,
    sinks: QuerySinks,
    env: QueryEnvironment,
  ) {
    this.runtime = new QueryRuntime(plan, source.description, sinks, env);
    this.flushRequested = plan.flushOnStop;
    this.runtime.start(
      // a pulled source's task exists before any sink is opened, so a plan the engine refuses leaves no output behind
      async () => {
        if (!isPartitioned(source)) await this.runtime.task(SINGLE_TASK_SCOPE, source.description);
      },
      () => (isPartitioned(source) ? this.runPartitioned(source) : this.runPulled(source)),
    );
  }

  /** Stable id of the query. */
  get id(): string {
    return this.runtime.id;
  }

  /** Id of this run. */
  get runId(): string {
    return this.runtime.runId;
  }

  /** Why the query failed, if it did. */
  get exception(): Error | null {
    return this.runtime.exception;
  }

  /** The source's description (`file:…`, `http`, `kafka:topic`). */
  get sourceDescription(): string {
    return this.source.description;
  }

  /** Progress of the most recent batch, null before the first. */
  get lastProgress(): QueryProgress | null {
    return this.runtime.lastProgress;
  }

  /** The last 100 progress entries, oldest first. */
  get recentProgress(): readonly QueryProgress[] {
    return this.runtime.recentProgress;
  }

  /** Query name. */
  get name(): string {
    return this.plan.name;
  }

  /** True until the query has terminated (stopped, source ended, or failed). */
  get isActive(): boolean {
    return this.runtime.isActive;
  }

  /** Rows rejected so far, by reason. */
  get rejected(): Readonly<Record<string, number>> {
    return this.runtime.rejected;
  }

  /** One-line summary of rejected input. */
  rejectedSummary(): string {
    return this.runtime.rejectedSummary();
  }

  /** The tasks and the source positions their state covers (one for a pulled source, one per partition). */
  get tasks(): { scope: string; position: Record<string, unknown> | undefined }[] {
    return [...this.runtime.tasks.values()].map((t) => ({ scope: t.scope, position: t.position }));
  }

  /**
   * Stops the query: the source stops, the current batch completes, open
   * windows are flushed if `flush` (default: the plan's flushOnStop; never
   * for a partitioned source or a checkpointed one, whose open windows stay
   * in the checkpoint: flushed, they would be emitted partial under the ids
   * their complete versions get after a restart), sinks are closed.
   * Resolves when the query has terminated.
   */
  async stop(options: { flush?: boolean } = {}): Promise<void> {
    // runPulled never flushes a checkpointed task on stop, whatever flushRequested says
    if (options.flush === true && (isPartitioned(this.source) || this.runtime.checkpointing)) {
      const what = isPartitioned(this.source) ? 'a Kafka source' : 'a checkpointed source';
      this.runtime.notice(`stop: open windows are not flushed for ${what}; they stay in the checkpoint and close after a restart`);
    }
    if (isPartitioned(this.source)) this.source.stop();
    else if (options.flush !== undefined) this.flushRequested = options.flush;
    this.abort.abort();
    await this.runtime.terminated;
  }

  /**
   * Waits for the query to terminate. With a timeout, resolves false if it is
   * still running by then (as Spark's awaitTermination(timeoutMs)). Rejects
   * with the query's exception if it failed.
   */
  awaitTermination(timeoutMs?: number): Promise<boolean> {
    return this.runtime.awaitTermination(timeoutMs);
  }

  /** True once the query can take events (its core is loaded; for partitions: connected), until it ends. */
  get ready(): boolean {
    if (!this.runtime.isActive) return false;
    return isPartitioned(this.source) ? this.source.ready : this.runtime.tasks.size > 0;
  }

  /** Bytes of wasm linear memory over all tasks. */
  wasmMemoryBytes(): number {
    return this.runtime.wasmMemoryBytes();
  }

  /** The wasm core of a pulled source's task (null before it is created), for inspection. */
  get wasmCore(): WasmCore | null {
    return this.runtime.tasks.get(SINGLE_TASK_SCOPE)?.engine.core ?? null;
  }

  /** Late events counted for a key, by its grouping values (the core counts them per key). */
  lateCountOf(...keyValues: (string | number | boolean)[]): number {
    let n = 0;
    for (const t of this.runtime.tasks.values()) n += t.engine.lateCountOf(...keyValues);
    return n;
  }

  /** A pulled source: one task, batches pulled until the source ends or the query stops. */
  private async runPulled(source: Source): Promise<void> {
    const rt = this.runtime;
    const task = await rt.task(SINGLE_TASK_SCOPE, source.description);
    const engine = task.engine;
    const signal = this.abort.signal;
    let waitStart = now();
    const handle = async (batch: SourceBatch, result: BatchResult, start: number): Promise<void> => {
      await rt.write(result, { start, getBatch: start - waitStart, ...(batch.receivedAt === undefined ? {} : { receivedAt: batch.receivedAt }) });
      waitStart = now();
    };
    // the checkpoint hook: a restored task continues where its saved position left off
    const restored = task.position;
    if (rt.checkpointing && !source.resumable) {
      throw new Error(`${source.description} cannot resume from a position: checkpoints need a resumable source (arrays, files, Kafka)`);
    }
    // A recording replayed at its pace: each chunk is scanned once and released in slices on time.
    const replay = source.replaySpeed === undefined ? undefined : new ReplayClock(source.replaySpeed);
    for await (const batch of source.batches(this.plan.batchSize, signal, restored)) {
      if (replay !== undefined && batch.bytes !== undefined) {
        const scanned = engine.scanBatch(batch);
        let released = 0;
        let slices = 0;
        for await (const n of replay.slices(scanned.times, signal, scanned.errors > 0)) {
          const start = now();
          await handle(batch, engine.processScanned(n), start);
          released += n;
          slices++;
          if (signal.aborted) break;
        }
        // A checkpoint pairs the state with the position after the whole chunk, so a
        // stop part-way through a chunk releases its remaining rows (and errors) at once:
        // otherwise the saved position would claim rows the state never saw.
        const rest = scanned.times.length - released;
        if (signal.aborted && rt.checkpointing && (rest > 0 || (slices === 0 && scanned.errors > 0))) {
          const start = now();
          await handle(batch, engine.processScanned(rest), start);
        }
      } else {
        const start = now();
        await handle(batch, engine.processBatch(batch), start);
      }
      if (batch.position !== undefined) {
        rt.advance(task, batch.position);
        if (rt.checkpointDue(task)) await rt.checkpoint(task);
      }
      if (signal.aborted) break;
    }
    const endedByItself = !signal.aborted;
    if ((endedByItself && this.plan.flushAtEnd) || (!endedByItself && this.flushRequested && !rt.checkpointing)) await rt.flush();
    // the state at the end covers everything read: a restart continues from here (a stop
    // never flushes a checkpointed query; the end of the input does, and is saved as such)
    await rt.checkpoint(task, true);
  }

  /** A partitioned source: it pushes batches of its partitions' messages; the runtime does the rest. */
  private async runPartitioned(source: PartitionedSource): Promise<void> {
    const rt = this.runtime;
    const context: PartitionContext = {
      task: (scope) => rt.task(scope, `${source.description.split(':')[0]}:${scope}`),
      dropTask: (scope) => rt.dropTask(scope),
      tasks: rt.tasks,
      process: (task, messages, options, position) => this.processMessages(task, messages, options, position),
      checkpointDue: (task) => rt.checkpointDue(task),
      checkpoint: (task) => rt.checkpoint(task),
      get checkpointing() {
        return rt.checkpointing;
      },
      get checkpointIntervalMs() {
        return rt.checkpointIntervalMs;
      },
      notice: (line) => rt.notice(line),
    };
    if (!rt.checkpointing) rt.notice('no checkpoint_location: offsets are committed after each batch, and a crash loses the state of open windows');
    await source.run(context);
  }

  /** One batch of a partition's messages: all values in one copy and one core scan, split only where a call would pass the byte bound. */
  private async processMessages(
    task: QueryTask,
    messages: readonly EngineMessage[],
    options: MessageOptions,
    position: Record<string, unknown>,
  ): Promise<void> {
    for (let from = 0; from < messages.length; ) {
      const start = now();
      let to = from;
      let bytes = 0;
      while (to < messages.length) {
        const n = (messages[to]!.value?.length ?? 0) + (messages[to]!.key?.length ?? 0);
        if (to > from && bytes + n > MAX_MESSAGE_BYTES_PER_CALL) break;
        bytes += n;
        to++;
      }
      const part = from === 0 && to === messages.length ? messages : messages.slice(from, to);
      from = to;
      await this.runtime.write(task.engine.processMessages(part, options), { start, getBatch: 0 });
    }
    this.runtime.advance(task, position);
  }
}
