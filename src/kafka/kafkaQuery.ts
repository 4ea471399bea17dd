/**
 * A query over Kafka topics: one engine per assigned topic-partition (like
 * Kafka Streams' tasks), so each partition's windows, watermark and
 * analytics depend only on that partition's events — its results are the
 * same however partitions interleave, whichever process owns it, and after
 * any number of restarts. Keys must map to partitions (the producer
 * partitions by key), so a key's state lives in one partition's engine.
 *
 * Delivery: kafkajs `eachBatch`, auto-commit off. A partition's events are
 * processed in chunks of at most `max_offsets_per_trigger` messages, whose
 * values the core scans in one call (assembly/messageScan.ts); results
 * go to the sinks (flushed); every `checkpoint_interval` (or N batches) the
 * partition's engine state and next offset are written atomically to the
 * checkpoint directory, and only then is that offset committed. On start or
 * after a rebalance a partition's engine is restored from its newest valid
 * checkpoint and skips the messages that checkpoint already holds (or, when
 * Kafka's committed offset is past it because the newest checkpoint was
 * unusable, seeks back to it), so nothing is lost or counted twice; results
 * emitted after the last
 * checkpoint are emitted again after a crash, with the same ids
 * (at-least-once output, deduplicated by id).
 *
 * The checkpoint directory is shared by the group's processes (one
 * sub-directory per topic-partition): a shared directory rather than a
 * compacted Kafka topic, because a partition's snapshot can be hundreds of
 * megabytes (Kafka messages are capped at a few MB) and a file can be written
 * atomically with rename. Processes on several machines need the directory on
 * shared storage.
 */
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { PipelineConfig, KafkaSourceConfig } from '../config/pipelineConfig.js';
import type { QueryEnvironment, QuerySinks, RunningQuery } from '../engine/query.js';
import type { QueryProgress } from '../engine/progress.js';
import { BatchEngine, type BatchResult, type MessageOptions } from '../engine/batchEngine.js';
import { MAX_MESSAGE_BYTES_PER_CALL } from '../engine/limits.js';
import { writeOutputs } from '../engine/writeOutputs.js';
import { InputErrorReporter } from '../engine/errorReporter.js';
import { ProgressTracker } from '../engine/progressTracker.js';
import { eventSchema, lateSchema, matchSchema, windowSchema } from '../engine/records.js';
import { CheckpointStore } from '../checkpoint/checkpointStore.js';
import { kafkaClient } from './kafkaClient.js';

const now = (): number => performance.now();

/** One assigned topic-partition: its engine and where it stands. */
interface PartitionTask {
  topic: string;
  partition: number;
  scope: string;
  engine: BatchEngine;
  /** The next offset to process; -1 until known (no checkpoint: whatever Kafka delivers first). */
  nextOffset: number;
  /** nextOffset as of the last checkpoint (and commit). */
  checkpointedOffset: number;
  lastCheckpointAt: number;
  batchesSinceCheckpoint: number;
  /**
   * False until the first batch after a restore (or a rebalance) showed Kafka
   * fetching from no later than nextOffset. Kafka fetches from the committed
   * offset, which is past the restored checkpoint when the newest checkpoint
   * was unusable: the partition is then sought back to nextOffset once.
   */
  positioned: boolean;
}

function newId(): string {
  return globalThis.crypto.randomUUID();
}

export class KafkaQuery implements RunningQuery {
  readonly id = newId();
  readonly runId = newId();
  exception: Error | null = null;
  private active = true;
  private readonly tasks = new Map<string, PartitionTask>();
  private readonly store: CheckpointStore | undefined;
  private readonly reporter: InputErrorReporter;
  private readonly tracker: ProgressTracker;
  private readonly messageOptions: MessageOptions;
  private consumer: Consumer | null = null;
  private stopping = false;
  private resolveStopped!: () => void;
  private readonly stopped = new Promise<void>((resolve) => { this.resolveStopped = resolve; });
  private readonly done: Promise<void>;
  private previousStart = now();
  /** Serialises checkpoint writes with rebalance handling. */
  private queue: Promise<unknown> = Promise.resolve();
  /**
   * Engine batches and the idle-checkpoint timer take turns on a partition's
   * engine through this lock, so a snapshot never sees half a batch.
   */
  private lock: Promise<void> = Promise.resolve();
  private idleTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly plan: PipelineConfig,
    private readonly kafka: KafkaSourceConfig,
    private readonly sinks: QuerySinks,
    private readonly env: QueryEnvironment,
  ) {
    const log = env.log ?? ((line: string) => console.error(`eddy: ${line}`));
    this.reporter = new InputErrorReporter(log, 10, sinks.deadLetter);
    this.tracker = new ProgressTracker({ id: this.id, runId: this.runId, name: plan.name }, this.sourceDescription, sinks.results.description, env.onProgress);
    if (plan.checkpoint) {
      this.store = new CheckpointStore(plan.checkpoint.location, {
        keep: plan.checkpoint.keep,
        onCorrupt: (path, reason) => log(`checkpoint ${path} is unusable (${reason}); using the one before`),
      });
    } else {
      log('no checkpoint_location: offsets are committed after each batch, and a crash loses the state of open windows');
    }
    this.messageOptions = { keyFromMessage: kafka.key === 'message', timeFromMessage: kafka.time === 'message' };
    this.done = this.run().catch((e: unknown) => {
      this.exception = e instanceof Error ? e : new Error(String(e));
    }).finally(() => {
      this.active = false;
    });
  }

  /** `kafka:topic1,topic2`. */
  get sourceDescription(): string {
    return `kafka:${this.kafka.topics.join(',')}`;
  }

  get name(): string {
    return this.plan.name;
  }

  get isActive(): boolean {
    return this.active;
  }

  /** Ready once connected and running. */
  get ready(): boolean {
    return this.active && this.consumer !== null && !this.stopping;
  }

  get lastProgress(): QueryProgress | null {
    return this.tracker.lastProgress;
  }

  get recentProgress(): readonly QueryProgress[] {
    return this.tracker.recentProgress;
  }

  /** The topic-partitions this process owns, with their next offsets. */
  get assignment(): { topic: string; partition: number; nextOffset: number }[] {
    return [...this.tasks.values()].map((t) => ({ topic: t.topic, partition: t.partition, nextOffset: t.nextOffset }));
  }

  /** Bytes of wasm memory over all partition engines. */
  wasmMemoryBytes(): number {
    let bytes = 0;
    for (const t of this.tasks.values()) bytes += t.engine.core.memoryBytes();
    return bytes;
  }

  rejectedSummary(): string {
    return this.reporter.summary();
  }

  /**
   * Stops: no more fetching, the current batch completes, every partition is
   * checkpointed and committed, sinks closed. Open windows stay open in the
   * checkpoint and close after a restart: a topic has no end, so `flush` is
   * refused here (flushing would emit partial windows under the ids their
   * complete versions get after the restart — see the README).
   */
  async stop(options: { flush?: boolean } = {}): Promise<void> {
    if (options.flush === true) {
      this.env.log?.('stop: open windows are not flushed for a Kafka source; they stay in the checkpoint and close after a restart');
    }
    this.stopping = true;
    this.resolveStopped();
    await this.done;
  }

  async awaitTermination(timeoutMs?: number): Promise<boolean> {
    if (timeoutMs === undefined) await this.done;
    else {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const outcome = await Promise.race([this.done.then(() => 'done' as const), new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), timeoutMs); })]);
      clearTimeout(timer);
      if (outcome === 'timeout') return false;
    }
    if (this.exception) throw this.exception;
    return true;
  }

  private async run(): Promise<void> {
    const plan = this.plan;
    const { results, late, matches } = this.sinks;
    await results.open(plan.kind === 'events' ? eventSchema(plan) : windowSchema(plan));
    if (late) await late.open(lateSchema(plan));
    if (matches) await matches.open(matchSchema(plan));
    const client = await kafkaClient(this.kafka.brokers, this.kafka.clientId, this.env.log, this.kafka.security);
    const consumer = client.consumer({ groupId: this.kafka.groupId, sessionTimeout: 30_000, heartbeatInterval: 3_000, maxBytesPerPartition: 4 << 20 });
    this.consumer = consumer;
    let crashed: Error | null = null;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      this.queue = this.queue.then(() => this.reassign(e.payload.memberAssignment as Record<string, number[]>));
    });
    consumer.on(consumer.events.CRASH, (e) => {
      if (!e.payload.restart) {
        crashed = e.payload.error;
        this.resolveStopped();
      }
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: this.kafka.topics, fromBeginning: this.kafka.fromBeginning });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: (payload) => this.exclusive(() => this.onBatch(payload)),
      });
      this.startIdleCheckpoints();
      await this.stopped;
      if (crashed) throw crashed;
      // clean shutdown: stop fetching, let the batch in hand finish, then
      // checkpoint and commit everything processed while the group is still joined
      clearInterval(this.idleTimer);
      consumer.pause(this.kafka.topics.map((topic) => ({ topic })));
      await this.queue;
      // the lock is taken after the batch in hand (engine batches run under it too)
      await this.exclusive(async () => {
        for (const task of this.tasks.values()) await this.checkpoint(task, () => false);
      });
      await consumer.stop();
    } finally {
      clearInterval(this.idleTimer);
      await consumer.disconnect().catch(() => undefined);
      await results.close();
      if (late) await late.close();
      if (matches) await matches.close();
      await this.reporter.close();
    }
  }

  /** Runs `fn` when no engine batch or idle checkpoint is running. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn);
    this.lock = run.then(() => undefined, () => undefined);
    return run;
  }

  /**
   * A checkpoint is otherwise only considered when a batch arrives: when a
   * partition's input pauses, this timer checkpoints and commits what it
   * processed once the interval has passed, so consumer lag reaches 0 and a
   * crash does not replay an idle partition's tail.
   */
  private startIdleCheckpoints(): void {
    const c = this.plan.checkpoint;
    if (!c || !this.store) return;
    const period = Math.max(50, Math.min(1_000, c.intervalMs / 2));
    this.idleTimer = setInterval(() => {
      if (this.stopping) return;
      void this.exclusive(async () => {
        for (const task of this.tasks.values()) {
          if (this.stopping) return;
          if (now() - task.lastCheckpointAt >= c.intervalMs) await this.checkpoint(task, () => !this.tasks.has(task.scope), false);
        }
      }).catch((e: unknown) => this.env.log?.(`idle checkpoint failed: ${(e as Error).message}`));
    }, period);
    this.idleTimer.unref?.();
  }

  /** Drops the engines of partitions no longer assigned (their new owner restores them from the checkpoint directory). */
  private reassign(assignment: Record<string, number[]>): void {
    const keep = new Set(Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((p) => `${topic}-${p}`)));
    for (const [id, task] of [...this.tasks]) {
      if (!keep.has(id)) this.tasks.delete(id);
      else if (task.nextOffset >= 0) task.positioned = false;
    }
  }

  private async taskFor(topic: string, partition: number): Promise<PartitionTask> {
    const scope = `${topic}-${partition}`;
    const existing = this.tasks.get(scope);
    if (existing) return existing;
    const engine = new BatchEngine(this.plan, await this.env.createCore(), `kafka:${scope}`, this.sinks.late !== undefined);
    let nextOffset = -1;
    const saved = await this.store?.latest(scope);
    if (!saved && this.store && (await this.store.list(scope)).length > 0) {
      // never silently start from nothing when state was saved but none of it can be read
      throw new Error(`${scope}: every checkpoint under ${this.plan.checkpoint!.location} is unreadable; move them away to start this partition over`);
    }
    if (saved) {
      engine.restore(saved.state);
      nextOffset = Number(saved.meta.nextOffset);
      this.env.log?.(`${scope}: restored checkpoint ${saved.seq} (next offset ${nextOffset})`);
    }
    const task: PartitionTask = { topic, partition, scope, engine, nextOffset, checkpointedOffset: nextOffset, lastCheckpointAt: now(), batchesSinceCheckpoint: 0, positioned: nextOffset < 0 };
    this.tasks.set(scope, task);
    return task;
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (this.stopping || !isRunning() || isStale()) return;
    const task = await this.taskFor(batch.topic, batch.partition);
    const first = batch.messages[0];
    if (!task.positioned && first && task.nextOffset >= 0) {
      task.positioned = true;
      if (Number(first.offset) > task.nextOffset && this.consumer) {
        // the committed offset is past what this engine holds (its newest checkpoint was unusable):
        // fetch the messages in between again rather than lose them
        this.env.log?.(`${task.scope}: Kafka delivered from offset ${first.offset}; seeking back to ${task.nextOffset}`);
        this.consumer.seek({ topic: batch.topic, partition: batch.partition, offset: String(task.nextOffset) });
        return;
      }
    }
    // messages a restored checkpoint already holds are skipped
    const messages = task.nextOffset < 0 ? batch.messages : batch.messages.filter((m) => Number(m.offset) >= task.nextOffset);
    if (messages.length === 0 && batch.messages.length > 0) resolveOffset(batch.lastOffset());
    const chunk = this.plan.batchSize;
    for (let from = 0; from < messages.length; from += chunk) {
      if (this.stopping || !isRunning() || isStale()) return;
      const part = messages.slice(from, from + chunk);
      await this.process(task, part);
      const last = part[part.length - 1]!.offset;
      task.nextOffset = Number(last) + 1;
      task.batchesSinceCheckpoint++;
      resolveOffset(last);
      // a checkpoint may be due after any engine batch, not only at the end of a (large) fetch
      if (!this.stopping && !isStale()) await this.checkpoint(task, isStale, false);
      await heartbeat();
    }
  }

  /** One engine batch of a partition's messages. */
  private async process(task: PartitionTask, messages: KafkaMessage[]): Promise<void> {
    // all values in one copy and one core scan, split only where a call would pass the byte bound
    for (let from = 0; from < messages.length;) {
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
      await this.finishBatch(start, task.engine.processMessages(part, this.messageOptions));
    }
  }

  /** Writes a batch's results and errors and records its progress. */
  private async finishBatch(start: number, result: BatchResult): Promise<void> {
    const built = now();
    const results = this.plan.kind === 'events' ? result.eventBatch : result.windowBatch;
    await writeOutputs(this.sinks, results, result.lateBatch, result.matchBatch);
    await this.reporter.report(result.errors);
    if (result.errors.length > 0) this.env.onRejected?.(result.errors);
    this.env.onBatchWritten?.();
    const end = now();
    let numKeys = 0;
    let activeKeys = 0;
    let stateBytes = 0;
    let wasmMemoryBytes = 0;
    let watermark: number | null = null;
    for (const t of this.tasks.values()) {
      numKeys += t.engine.numKeys;
      activeKeys += t.engine.core.activeKeys();
      stateBytes += t.engine.core.stateBytes();
      wasmMemoryBytes += t.engine.core.memoryBytes();
      const wm = t.engine.core.watermark();
      // the query's watermark is the slowest partition's
      if (wm !== null) watermark = watermark === null ? wm : Math.min(watermark, wm);
    }
    this.tracker.record({
      latencyMs: null, start, previousStart: this.previousStart, getBatch: 0,
      encode: result.timings.encode, process: result.timings.process, write: end - built + result.timings.build,
      numInputRows: result.inputRows, processedRows: result.encodedRows, lateRows: result.lateCount,
      errors: result.errors.length, outputRows: results.count,
    }, { watermark, numKeys, activeKeys, stateBytes, wasmMemoryBytes });
    this.previousStart = start;
  }

  /**
   * Writes the partition's checkpoint when due (or always, with `force`),
   * then commits its next offset. Without a checkpoint directory it only
   * commits. A partition taken away meanwhile (stale) is left alone: its new
   * owner restores it.
   */
  private async checkpoint(task: PartitionTask, isStale: () => boolean, force = true): Promise<void> {
    if (task.nextOffset < 0 || task.nextOffset === task.checkpointedOffset) return;
    const c = this.plan.checkpoint;
    if (c && !force) {
      const due = now() - task.lastCheckpointAt >= c.intervalMs || (c.everyBatches > 0 && task.batchesSinceCheckpoint >= c.everyBatches);
      if (!due) return;
    }
    if (isStale()) return;
    // the offset the snapshot covers, taken together with it
    const nextOffset = task.nextOffset;
    if (this.store) {
      await this.store.write(task.scope, {
        state: task.engine.snapshot(),
        meta: { topic: task.topic, partition: task.partition, nextOffset, query: this.plan.name },
      });
    }
    task.lastCheckpointAt = now();
    task.batchesSinceCheckpoint = 0;
    task.checkpointedOffset = nextOffset;
    if (!isStale() && this.consumer) {
      await this.consumer.commitOffsets([{ topic: task.topic, partition: task.partition, offset: String(nextOffset) }]).catch((e: unknown) => {
        // a commit refused during a rebalance is harmless: the checkpoint is the truth, the next commit catches up
        this.env.log?.(`${task.scope}: offset commit deferred (${(e as Error).message})`);
      });
    }
  }
}
