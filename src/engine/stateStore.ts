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
  /** Increasing number of the save within its scope (the newest one of a chain). */
  seq: number;
  /** The engine's snapshot: full, or with `changes` the full one the chain starts from. */
  state: Uint8Array;
  /** Snapshots of changes saved after `state`, oldest first (the last one is save `seq`); absent or empty for a full save. */
  changes?: Uint8Array[];
  /** The seq of the full save `state` is, when `changes` follow it. */
  baseSeq?: number;
  /** The source position the state covers, and anything else saved with it (JSON). */
  meta: Record<string, unknown>;
}

/** What a task saves. */
export interface SavePayload {
  /** The engine's snapshot: full, or (with `chain`) the changes since save `chain.prev`. */
  state: Uint8Array;
  meta: Record<string, unknown>;
  /** Present for a snapshot of changes: the full save its chain starts from, and the save it follows. */
  chain?: { base: number; prev: number };
}

/** Durable storage of tasks' state, one scope per task (`topic-partition`, `query`). */
export interface StateStore {
  /**
   * The newest readable saved state of `scope` (a full save, or a full save
   * and the unbroken chain of changes after it), undefined when none can be
   * read.
   */
  latest(scope: string): Promise<SavedState | undefined>;
  /** How many saves exist for `scope`, readable or not (to refuse starting over silently when all are damaged). */
  count(scope: string): Promise<number>;
  /** Saves durably: when the promise resolves, a crash no longer loses it. Resolves with the save's seq. */
  write(scope: string, payload: SavePayload): Promise<{ seq: number }>;
  /** True when the store keeps snapshots of changes (`chain` payloads); otherwise every save is full. */
  readonly incremental?: boolean;
  /** Where the store is, for messages. */
  readonly description: string;
}

/** When a task's state is saved. */
export interface CheckpointPolicy {
  /** Save when this long has passed since the task's last save (ms). */
  intervalMs: number;
  /** Also save after this many batches since the last save (0: by time only). */
  everyBatches: number;
  /**
   * Save only the keys that changed, when the store keeps chains (default
   * true); a full save starts a new chain once the chain's changes add up to
   * the size of its full save, or after MAX_CHAIN_LENGTH changes.
   */
  incremental?: boolean;
}

/** Most snapshots of changes after a full save: a restore reads at most this many besides the full one. */
export const MAX_CHAIN_LENGTH = 64;
