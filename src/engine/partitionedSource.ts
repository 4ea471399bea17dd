/**
 * A source whose input comes in partitions, each processed by a task of its
 * own (Kafka: one task per assigned topic-partition), so a partition's
 * results depend only on its events — the same however partitions
 * interleave, whichever process owns it, and after any number of restarts.
 *
 * The source decides when batches arrive (it is pushed to, as kafkajs'
 * eachBatch is) and what a position is; the query runtime owns everything
 * else. It runs the source with a PartitionContext: the source asks it for a
 * partition's task (restored from the store), hands it each batch of
 * messages, and asks it to checkpoint; once a checkpoint is durable the
 * source may acknowledge the position (commit the offset).
 */
import type { EngineMessage, MessageOptions } from './batchEngine.js';
import type { QueryTask } from './queryRuntime.js';

/** What the runtime offers a running partitioned source. */
export interface PartitionContext {
  /** The task of a partition, created and restored on first use; its `position` is where the restored state stands. */
  task(scope: string): Promise<QueryTask>;
  /** Forgets a partition's task (it was assigned elsewhere). */
  dropTask(scope: string): void;
  /** The tasks this process holds. */
  readonly tasks: ReadonlyMap<string, QueryTask>;
  /**
   * Processes one batch of a partition's messages (their values scanned by
   * the core; split only where one call would pass the core's byte bound)
   * and writes its outputs; the task's position becomes `position`.
   */
  process(task: QueryTask, messages: readonly EngineMessage[], options: MessageOptions, position: Record<string, unknown>): Promise<void>;
  /** True when `task` should save its state now. */
  checkpointDue(task: QueryTask): boolean;
  /** Saves `task`'s state durably; the position saved, or undefined when nothing moved. */
  checkpoint(task: QueryTask): Promise<Record<string, unknown> | undefined>;
  /** True with a state store (otherwise checkpoint() saves nothing and only acknowledges). */
  readonly checkpointing: boolean;
  /** The checkpoint interval (ms), for saving idle partitions on a timer. */
  readonly checkpointIntervalMs: number;
  /** A notice for the log. */
  notice(line: string): void;
}

/** A source of partitioned input (see the module comment). */
export interface PartitionedSource {
  /** Short description for progress and errors, e.g. `kafka:orders`. */
  readonly description: string;
  /** True while it is connected and taking input. */
  readonly ready: boolean;
  /** Runs until stop() (or a failure): delivers batches through `context`, and on stop checkpoints every task before returning. */
  run(context: PartitionContext): Promise<void>;
  /** Asks run() to finish: no more fetching, the batch in hand completes. */
  stop(): void;
}

/** True for a PartitionedSource (as opposed to a pulled Source). */
export function isPartitioned(source: object): source is PartitionedSource {
  return typeof (source as Partial<PartitionedSource>).run === 'function';
}
