/**
 * The checkpoint hook's contract: where a query's tasks keep their state
 * durably, and when they save it. The runtime (queryRuntime.ts) restores a
 * task from its newest saved state when the task starts and saves it when
 * due; what a saved position means (a Kafka offset, a line of a file, a log
 * position) is the source's business, stored beside the state as JSON.
 *
 * The engine defines the contract and has no file system: the node layer
 * implements it (src/checkpoint/checkpointStore.ts, a directory of
 * checksummed files), and so can a browser (IndexedDB) or a later store of
 * record (a changelog topic).
 */

/** One task's saved state. */
export interface SavedState {
  /** Increasing number of the save within its scope. */
  seq: number;
  /** The engine's snapshot. */
  state: Uint8Array;
  /** The source position the state covers, and anything else saved with it (JSON). */
  meta: Record<string, unknown>;
}

/** Durable storage of tasks' state, one scope per task (`topic-partition`, `query`). */
export interface StateStore {
  /** The newest readable saved state of `scope`, undefined when none can be read. */
  latest(scope: string): Promise<SavedState | undefined>;
  /** How many saves exist for `scope`, readable or not (to refuse starting over silently when all are damaged). */
  count(scope: string): Promise<number>;
  /** Saves `state` with `meta` durably: when the promise resolves, a crash no longer loses it. */
  write(scope: string, payload: { state: Uint8Array; meta: Record<string, unknown> }): Promise<unknown>;
  /** Where the store is, for messages. */
  readonly description: string;
}

/** When a task's state is saved. */
export interface CheckpointPolicy {
  /** Save when this long has passed since the task's last save (ms). */
  intervalMs: number;
  /** Also save after this many batches since the last save (0: by time only). */
  everyBatches: number;
}
