/**
 * Kafka topics as a partitioned source of the query runtime: each assigned
 * topic-partition is a task of its own (like Kafka Streams' tasks), so a
 * partition's windows, watermark and analytics depend only on that
 * partition's events — its results are the same however partitions
 * interleave, whichever process owns it, and after any number of restarts.
 * Keys must map to partitions (the producer partitions by key), so a key's
 * state lives in one partition's task.
 *
 * Delivery: kafkajs `eachBatch`, auto-commit off. A partition's events are
 * processed in chunks of at most `max_offsets_per_trigger` messages, whose
 * values the core scans in one call (assembly/messageScan.ts); results go
 * to the sinks (flushed); when the checkpoint policy says so the runtime
 * saves the partition's state with its next offset, and only then is that
 * offset committed. On start or after a rebalance a partition's task is
 * restored from its newest valid checkpoint and skips the messages that
 * checkpoint already holds (or, when Kafka's committed offset is past it
 * because the newest checkpoint was unusable, seeks back to it), so nothing
 * is lost or counted twice; results emitted after the last checkpoint are
 * emitted again after a crash, with the same ids (at-least-once output,
 * deduplicated by id).
 *
 * The state store is the runtime's (a checkpoint directory shared by the
 * group's processes, one sub-directory per topic-partition); without one,
 * offsets are committed after each batch and a crash loses open windows.
 */
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { KafkaSourceConfig } from '../config/pipelineConfig.js';
import type { MessageOptions } from '../engine/batchEngine.js';
import type { PartitionContext, PartitionedSource } from '../engine/partitionedSource.js';
import type { QueryTask } from '../engine/queryRuntime.js';
import { kafkaClient } from './kafkaClient.js';

const _now = (): number => performance.now();

/** Where a partition's task stands in its topic. */
interface PartitionState {
  topic: string;
  partition: number;
  task: QueryTask;
  /** The next offset to process; -1 until known (no checkpoint: whatever Kafka delivers first). */
  nextOffset: number;
  /**
   * False until the first batch after a restore (or a rebalance) showed Kafka
   * fetching from no later than nextOffset. Kafka fetches from the committed
   * offset, which is past the restored checkpoint when the newest checkpoint
   * was unusable: the partition is then sought back to nextOffset once.
   */
  positioned: boolean;
}

/** A Kafka position as saved with a task's state. */
interface KafkaPosition extends Record<string, unknown> {
  topic: string;
  partition: number;
  nextOffset: number;
}

export class KafkaSource implements PartitionedSource {
  private readonly partitions = new Map<string, PartitionState>();
  private readonly messageOptions: MessageOptions;
  private consumer: Consumer | null = null;
  private stopping = false;
  private resolveStopped!: () => void;
  private readonly stopped = new Promise<void>((resolve) => {
    this.resolveStopped = resolve;
  });
  /** Serialises rebalance handling. */
  private queue: Promise<unknown> = Promise.resolve();
  /**
   * Batches and the idle-checkpoint timer take turns on the tasks through
   * this lock, so a snapshot never sees half a batch.
   */
  private lock: Promise<void> = Promise.resolve();
  private idleTimer: ReturnType<typeof setInterval> | undefined;
  private context: PartitionContext | null = null;

  /** @param batchSize most messages per engine batch (the plan's batch size: `max_offsets_per_trigger`) */
  constructor(
    private readonly kafka: KafkaSourceConfig,
    private readonly batchSize: number,
  ) {
    this.messageOptions = { keyFromMessage: kafka.key === 'message', timeFromMessage: kafka.time === 'message' };
  }

  /** `kafka:topic1,topic2`. */
  get description(): string {
    return `kafka:${this.kafka.topics.join(',')}`;
  }

  /** Connected and running. */
  get ready(): boolean {
    return this.consumer !== null && !this.stopping;
  }

  /** The topic-partitions this process owns, with their next offsets. */
  get assignment(): { topic: string; partition: number; nextOffset: number }[] {
    return [...this.partitions.values()].map((p) => ({ topic: p.topic, partition: p.partition, nextOffset: p.nextOffset }));
  }

  stop(): void {
    this.stopping = true;
    this.resolveStopped();
  }

  async run(context: PartitionContext): Promise<void> {
    this.context = context;
    const client = await kafkaClient(this.kafka.brokers, this.kafka.clientId, (line) => context.notice(line), this.kafka.security);
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
      // the lock is taken after the batch in hand (batches run under it too)
      await this.exclusive(async () => {
        for (const p of this.partitions.values()) await this.checkpoint(p, () => false, true);
      });
      await consumer.stop();
    } finally {
      clearInterval(this.idleTimer);
      await consumer.disconnect().catch(() => undefined);
    }
  }

  /** Runs `fn` when no batch or idle checkpoint is running. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn);
    this.lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * A checkpoint is otherwise only considered when a batch arrives: when a
   * partition's input pauses, this timer checkpoints and commits what it
   * processed once the interval has passed, so consumer lag reaches 0 and a
   * crash does not replay an idle partition's tail.
   */
  private startIdleCheckpoints(): void {
    const context = this.context!;
    if (!context.checkpointing) return;
    const period = Math.max(50, Math.min(1_000, context.checkpointIntervalMs / 2));
    this.idleTimer = setInterval(() => {
      if (this.stopping) return;
      void this.exclusive(async () => {
        for (const p of this.partitions.values()) {
          if (this.stopping) return;
          if (context.checkpointDue(p.task)) await this.checkpoint(p, () => !this.partitions.has(p.task.scope), true);
        }
      }).catch((e: unknown) => context.notice(`idle checkpoint failed: ${(e as Error).message}`));
    }, period);
    this.idleTimer.unref?.();
  }

  /** Drops the tasks of partitions no longer assigned (their new owner restores them from the store). */
  private reassign(assignment: Record<string, number[]>): void {
    const keep = new Set(Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((p) => `${topic}-${p}`)));
    for (const [scope, p] of [...this.partitions]) {
      if (!keep.has(scope)) {
        this.partitions.delete(scope);
        this.context!.dropTask(scope);
      } else if (p.nextOffset >= 0) {
        p.positioned = false;
      }
    }
  }

  private async partitionFor(topic: string, partition: number): Promise<PartitionState> {
    const scope = `${topic}-${partition}`;
    const existing = this.partitions.get(scope);
    if (existing) return existing;
    const task = await this.context!.task(scope);
    const saved = task.position?.nextOffset;
    const nextOffset = saved === undefined ? -1 : Number(saved);
    const state: PartitionState = { topic, partition, task, nextOffset, positioned: nextOffset < 0 };
    this.partitions.set(scope, state);
    return state;
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (this.stopping || !isRunning() || isStale()) return;
    const p = await this.partitionFor(batch.topic, batch.partition);
    const first = batch.messages[0];
    if (!p.positioned && first && p.nextOffset >= 0) {
      p.positioned = true;
      if (Number(first.offset) > p.nextOffset && this.consumer) {
        // the committed offset is past what this task holds (its newest checkpoint was unusable):
        // fetch the messages in between again rather than lose them
        this.context!.notice(`${p.task.scope}: Kafka delivered from offset ${first.offset}; seeking back to ${p.nextOffset}`);
        this.consumer.seek({ topic: batch.topic, partition: batch.partition, offset: String(p.nextOffset) });
        return;
      }
    }
    // messages a restored checkpoint already holds are skipped
    const messages = p.nextOffset < 0 ? batch.messages : batch.messages.filter((m) => Number(m.offset) >= p.nextOffset);
    if (messages.length === 0 && batch.messages.length > 0) resolveOffset(batch.lastOffset());
    for (let from = 0; from < messages.length; from += this.batchSize) {
      if (this.stopping || !isRunning() || isStale()) return;
      const part: KafkaMessage[] = messages.slice(from, from + this.batchSize);
      const last = part[part.length - 1]!.offset;
      p.nextOffset = Number(last) + 1;
      const position: KafkaPosition = { topic: p.topic, partition: p.partition, nextOffset: p.nextOffset };
      await this.context!.process(p.task, part, this.messageOptions, position);
      resolveOffset(last);
      // a checkpoint may be due after any engine batch, not only at the end of a (large) fetch
      if (!this.stopping && !isStale()) await this.checkpoint(p, isStale, false);
      await heartbeat();
    }
  }

  /**
   * Saves the partition's state when due (or always, with `force`), then
   * commits its next offset. Without a store it only commits, after every
   * batch. A partition taken away meanwhile (stale) is left alone: its new
   * owner restores it.
   */
  private async checkpoint(p: PartitionState, isStale: () => boolean, force: boolean): Promise<void> {
    const context = this.context!;
    if (!force && context.checkpointing && !context.checkpointDue(p.task)) return;
    if (isStale()) return;
    const saved = await context.checkpoint(p.task);
    if (saved === undefined) return;
    if (!isStale() && this.consumer) {
      await this.consumer.commitOffsets([{ topic: p.topic, partition: p.partition, offset: String(saved.nextOffset) }]).catch((e: unknown) => {
        // a commit refused during a rebalance is harmless: the checkpoint is the truth, the next commit catches up
        context.notice(`${p.task.scope}: offset commit deferred (${(e as Error).message})`);
      });
    }
  }
}
