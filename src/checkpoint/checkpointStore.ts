/**
 * Durable checkpoints in a directory (`checkpoint_location`): engine state
 * plus source positions, written so that a process killed at any instant,
 * or a machine losing power, restarts from the newest complete checkpoint.
 *
 *   <dir>/                          shared by the processes of a group
 *   ├── events-3/                   one scope (e.g. topic-partition), one owner at a time
 *   │   ├── chk-000000000041.eddy   complete checkpoints (see checkpointFormat.ts)
 *   │   ├── chk-000000000042.eddy   newest: what `latest()` returns
 *   │   └── .tmp-4711-9f3a0c1e2b4d  a write in progress, or left by a crash: ignored
 *   └── events-4/
 *
 * A write goes to a temp file, is fsynced, renamed to its final name (atomic:
 * readers see the old set of files or the new one, never a half file under a
 * checkpoint name) and the directory is fsynced so the rename itself is
 * durable. Only then are old checkpoints beyond `keep` removed. Readers list
 * `chk-*.eddy` only, so another process's temp files are invisible to them,
 * and every file read is verified (lengths, seq, CRC-32) before use; a bad
 * one is reported and the one before it is used.
 *
 * Scopes are owned by one process at a time (Kafka assigns each partition to
 * one group member), so seq numbering per scope is not locked across
 * processes; within one store, writes to a scope are queued. If two
 * processes ever did write the same scope at once, the later rename would
 * replace a file of the same seq: still a complete, verified checkpoint.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { decodeCheckpoint, encodeCheckpointHead } from './checkpointFormat.js';
import type { StateStore } from '../engine/stateStore.js';
import { readWholeFile, syncDirectory, writeFully } from './durableFile.js';

/** Options of a `CheckpointStore`. */
export interface CheckpointStoreOptions {
  /** Checkpoints kept per scope, newest first; older ones are deleted after each write. Default 3. */
  keep?: number;
  /**
   * Called by `latest()` for each checkpoint file it skips because it is
   * corrupt, truncated or otherwise unusable, with the reason, before it
   * falls back to the previous one. Not called for temp files.
   */
  onCorrupt?: (path: string, reason: string) => void;
}

/** What `write()` stores. */
export interface CheckpointPayload {
  /** Opaque engine state; written as is, never copied. */
  state: Uint8Array;
  /** A JSON object: source positions and anything else to restore with the state. */
  meta: Record<string, unknown>;
}

/** A checkpoint `write()` made durable. */
export interface WrittenCheckpoint {
  /** Absolute path of the checkpoint file. */
  path: string;
  seq: number;
  /** Size of the file. */
  bytes: number;
}

/** A verified checkpoint, as `latest()` returns it. */
export interface Checkpoint {
  seq: number;
  /** The state; a view into the one buffer the file was read into. */
  state: Uint8Array;
  meta: Record<string, unknown>;
  /** Absolute path of the checkpoint file. */
  path: string;
  /** When it was written, epoch milliseconds. */
  created: number;
}

/** A checkpoint file as `list()` sees it (named right; not opened or verified). */
export interface CheckpointEntry {
  seq: number;
  path: string;
  bytes: number;
}

/** Default number of checkpoints kept per scope. */
const DEFAULT_KEEP = 3;

/** Seqs fit the 12 digits of the file name. */
const MAX_SEQ = 999_999_999_999;

/** `chk-<seq, 12 digits>.eddy`; anything else in a scope directory is not a checkpoint. */
const CHECKPOINT_NAME = /^chk-(\d{12})\.eddy$/;

/** Prefix of temp files; the leading dot keeps them out of casual listings too. */
const TEMP_PREFIX = '.tmp-';

/**
 * Temp files older than this are leftovers of a crashed writer. A live
 * writer keeps touching its file, and writes even a few hundred MB in seconds.
 */
const STALE_TEMP_MS = 60_000;

/** Scope names: one safe path segment, so a scope can never point outside `dir`. */
const SCOPE_NAME = /^[A-Za-z0-9._-]+$/;

/** Longest file name most file systems accept. */
const MAX_SCOPE_LENGTH = 255;

/** Times `latest()` lists again when a file vanishes under it (a concurrent writer pruned it). */
const MAX_RELISTS = 5;

/** Errors that say a file is damaged, as opposed to the system refusing to read it. */
const DAMAGE_CODES = new Set(['EIO', 'EISDIR', 'EFBIG']);

const errorCode = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | undefined)?.code;
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Checkpoints in a directory, one sub-directory per scope (see the module
 * comment). Safe to share one directory between processes that own
 * different scopes, and to read a scope while its owner writes.
 */
export class CheckpointStore implements StateStore {
  /** The base directory, absolute. */
  readonly dir: string;
  /** Checkpoints kept per scope. */
  readonly keep: number;
  private readonly onCorrupt: ((path: string, reason: string) => void) | undefined;
  /** Tail of the write queue per scope, so that two writes never pick the same seq. */
  private readonly queues = new Map<string, Promise<void>>();
  /** Temp files this store is writing right now; never mistaken for stale. */
  private readonly ownTemps = new Set<string>();

  /** `dir` is created (recursively) on the first write. */
  constructor(dir: string, options: CheckpointStoreOptions = {}) {
    if (typeof dir !== 'string' || dir === '') throw new TypeError(`checkpoint directory must be a non-empty path, got ${JSON.stringify(dir)}`);
    const keep = options.keep ?? DEFAULT_KEEP;
    if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`checkpoint keep must be a whole number ≥ 1, got ${keep}`);
    this.dir = resolve(dir);
    this.keep = keep;
    this.onCorrupt = options.onCorrupt;
  }

  /**
   * Writes the next checkpoint of `scope` (seq = newest existing + 1) and
   * resolves once it is durable: data and directory entry fsynced. Then
   * deletes checkpoints beyond the newest `keep` and temp files a crashed
   * writer left behind more than a minute ago. Rejects with an error naming
   * the scope and path when anything before durability fails; the temp file
   * is removed and older checkpoints are untouched. `state` is read while
   * the promise is pending, so do not modify it until then (a change would
   * only make this checkpoint fail its checksum, never corrupt it silently).
   */
  async write(scope: string, payload: CheckpointPayload): Promise<WrittenCheckpoint> {
    const scopeDir = this.scopeDir(scope);
    const metaJson = encodeMeta(scope, payload);
    const previous = this.queues.get(scope) ?? Promise.resolve();
    const result = previous.then(() => this.writeNow(scope, scopeDir, metaJson, payload.state));
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(scope, tail);
    void tail.then(() => {
      if (this.queues.get(scope) === tail) this.queues.delete(scope);
    });
    return result;
  }

  /**
   * The newest checkpoint of `scope` that is complete and verifies, or
   * undefined when there is none. Newer files that do not verify are skipped,
   * each reported to `onCorrupt`. Rejects (rather than falling back to older
   * state) when a file cannot be read for a reason that is not damage, such
   * as EACCES or EMFILE.
   */
  async latest(scope: string): Promise<Checkpoint | undefined> {
    const reported = new Set<string>();
    for (let listing = 0; ; listing++) {
      const entries = await this.list(scope);
      let vanished = false;
      for (let i = entries.length - 1; i >= 0; i--) {
        const entry = entries[i]!;
        const outcome = await this.tryRead(entry);
        if (outcome === 'vanished') {
          // Only pruning deletes checkpoints, and it keeps the newest: a file
          // newer than this one exists now, so list again rather than go older.
          vanished = true;
          if (listing < MAX_RELISTS) break;
        } else if (typeof outcome === 'string') {
          this.report(reported, entry.path, outcome);
        } else {
          return outcome;
        }
      }
      if (!vanished || listing >= MAX_RELISTS) return undefined;
    }
  }

  /** How many checkpoint files `scope` has, readable or not. */
  async count(scope: string): Promise<number> {
    return (await this.list(scope)).length;
  }

  /** The directory, for messages. */
  get description(): string {
    return this.dir;
  }

  /**
   * The checkpoint files of `scope`, oldest first, by name only: not opened,
   * so a listed file may still be corrupt. Empty when the scope has none.
   */
  async list(scope: string): Promise<CheckpointEntry[]> {
    const scopeDir = this.scopeDir(scope);
    let names: string[];
    try {
      names = await readdir(scopeDir);
    } catch (e) {
      if (errorCode(e) === 'ENOENT') return [];
      throw new Error(`cannot list checkpoints of scope ${JSON.stringify(scope)} in ${scopeDir}: ${messageOf(e)}`, { cause: e });
    }
    const entries: CheckpointEntry[] = [];
    for (const name of names) {
      const match = CHECKPOINT_NAME.exec(name);
      if (!match) continue;
      const path = join(scopeDir, name);
      try {
        const stats = await lstat(path);
        if (stats.isFile()) entries.push({ seq: Number(match[1]), path, bytes: stats.size });
      } catch (e) {
        // pruned by a concurrent writer between readdir and lstat
        if (errorCode(e) !== 'ENOENT') throw e;
      }
    }
    return entries.sort((a, b) => a.seq - b.seq);
  }

  /** Names of the scopes that have a directory here, sorted. Empty when `dir` does not exist yet. */
  async scopes(): Promise<string[]> {
    try {
      const dirents = await readdir(this.dir, { withFileTypes: true });
      return dirents
        .filter((d) => d.isDirectory() && isScopeName(d.name))
        .map((d) => d.name)
        .sort();
    } catch (e) {
      if (errorCode(e) === 'ENOENT') return [];
      throw new Error(`cannot list checkpoint scopes in ${this.dir}: ${messageOf(e)}`, { cause: e });
    }
  }

  /** The directory of a scope, after checking the name is one safe path segment. */
  private scopeDir(scope: string): string {
    if (!isScopeName(scope)) {
      throw new Error(`invalid checkpoint scope ${JSON.stringify(scope)}: use 1 to ${MAX_SCOPE_LENGTH} of A-Z a-z 0-9 . _ - (not "." or "..", no slashes)`);
    }
    return join(this.dir, scope);
  }

  private report(reported: Set<string>, path: string, reason: string): void {
    // One report per file per call, even when a vanished file makes us list again.
    if (reported.has(path)) return;
    reported.add(path);
    this.onCorrupt?.(path, reason);
  }

  /**
   * One listed file: the verified checkpoint, 'vanished' when it was deleted
   * since the listing, or the reason it is unusable. Throws for read errors
   * that are not damage to the file (EACCES, EMFILE, ...): falling back to
   * older state because of them would silently lose progress.
   */
  private async tryRead(entry: CheckpointEntry): Promise<Checkpoint | 'vanished' | string> {
    let file: Uint8Array;
    try {
      file = await readWholeFile(entry.path);
    } catch (e) {
      const code = errorCode(e);
      if (code === 'ENOENT') return 'vanished';
      if (code !== undefined && DAMAGE_CODES.has(code)) return `unreadable: ${messageOf(e)}`;
      throw new Error(`cannot read checkpoint ${entry.path}: ${messageOf(e)}`, { cause: e });
    }
    const decoded = decodeCheckpoint(file, entry.seq);
    if (!decoded.ok) return decoded.reason;
    const { seq, created, meta, state } = decoded.checkpoint;
    return { seq, state, meta, path: entry.path, created };
  }

  private async writeNow(scope: string, scopeDir: string, metaJson: Uint8Array, state: Uint8Array): Promise<WrittenCheckpoint> {
    const where = `checkpoint of scope ${JSON.stringify(scope)} in ${scopeDir}`;
    try {
      await makeDirectoryDurably(scopeDir);
    } catch (e) {
      throw new Error(`cannot write ${where}: cannot create the directory: ${messageOf(e)}`, { cause: e });
    }
    const existing = await this.list(scope);
    const seq = (existing.at(-1)?.seq ?? 0) + 1;
    if (seq > MAX_SEQ) throw new Error(`cannot write ${where}: seq ${seq} does not fit the 12-digit file name`);
    const head = encodeCheckpointHead(seq, Date.now(), metaJson, state);
    const path = join(scopeDir, `chk-${String(seq).padStart(12, '0')}.eddy`);
    const temp = join(scopeDir, `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);

    this.ownTemps.add(temp);
    try {
      // 'wx': the name is random, but never write into a file someone else created.
      const handle = await open(temp, 'wx');
      try {
        await writeFully(handle, head, 0);
        await writeFully(handle, state, head.length);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, path);
    } catch (e) {
      await unlink(temp).catch(() => undefined);
      throw new Error(`cannot write ${where}: ${messageOf(e)}`, { cause: e });
    } finally {
      this.ownTemps.delete(temp);
    }
    try {
      await syncDirectory(scopeDir);
    } catch (e) {
      // The file is in place but its name may not survive a power loss: the
      // caller must not treat this checkpoint as durable (e.g. commit offsets).
      throw new Error(`cannot write ${where}: fsync of the directory after renaming to ${path} failed: ${messageOf(e)}`, { cause: e });
    }
    await this.prune(scopeDir, scope);
    return { path, seq, bytes: head.length + state.length };
  }

  /**
   * Deletes checkpoints beyond the newest `keep` and stale temp files. The
   * new checkpoint is already durable, so a failure here must not fail the
   * write: it becomes a process warning, and the next write tries again.
   */
  private async prune(scopeDir: string, scope: string): Promise<void> {
    const remove = async (path: string): Promise<void> => {
      try {
        await unlink(path);
      } catch (e) {
        // ENOENT: another writer of this scope (a previous owner finishing its last write) pruned it first.
        if (errorCode(e) !== 'ENOENT') process.emitWarning(`eddy: cannot delete old checkpoint file ${path}: ${messageOf(e)}`, 'CheckpointWarning');
      }
    };
    try {
      const entries = await this.list(scope);
      for (const entry of entries.slice(0, Math.max(0, entries.length - this.keep))) await remove(entry.path);
      const now = Date.now();
      for (const name of await readdir(scopeDir)) {
        if (!name.startsWith(TEMP_PREFIX)) continue;
        const path = join(scopeDir, name);
        if (this.ownTemps.has(path)) continue;
        const stats = await lstat(path).catch(() => undefined);
        if (stats && now - stats.mtimeMs > STALE_TEMP_MS) await remove(path);
      }
    } catch (e) {
      process.emitWarning(`eddy: cannot clean up checkpoints in ${scopeDir}: ${messageOf(e)}`, 'CheckpointWarning');
    }
  }
}

/** Whether `name` is a valid scope: one path segment of safe characters. */
function isScopeName(name: string): boolean {
  return typeof name === 'string' && name.length <= MAX_SCOPE_LENGTH && SCOPE_NAME.test(name) && name !== '.' && name !== '..';
}

/** The meta as UTF-8 JSON, after checking the payload's shape; errors name the scope. */
function encodeMeta(scope: string, payload: CheckpointPayload): Uint8Array {
  const what = `checkpoint of scope ${JSON.stringify(scope)}`;
  if (typeof payload !== 'object' || payload === null) throw new TypeError(`${what}: payload must be { state, meta }`);
  if (!(payload.state instanceof Uint8Array)) throw new TypeError(`${what}: state must be a Uint8Array`);
  const { meta } = payload;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw new TypeError(`${what}: meta must be a plain object`);
  let json: string | undefined;
  try {
    json = JSON.stringify(meta);
  } catch (e) {
    throw new TypeError(`${what}: meta cannot be written as JSON: ${messageOf(e)}`, { cause: e });
  }
  // A toJSON() could turn the object into something else, which latest() would then refuse.
  if (json === undefined || !json.startsWith('{')) throw new TypeError(`${what}: meta must serialise to a JSON object`);
  return new TextEncoder().encode(json);
}

/**
 * mkdir -p, then fsync the parent of every directory it created, so the new
 * scope directory (and the base directory, the first time) cannot vanish in
 * a power loss and take a "durable" checkpoint with it.
 */
async function makeDirectoryDurably(path: string): Promise<void> {
  const first = await mkdir(path, { recursive: true });
  if (first === undefined) return;
  const top = dirname(resolve(first));
  for (let dir = path; ; ) {
    dir = dirname(dir);
    await syncDirectory(dir);
    if (dir === top || dirname(dir) === dir) break;
  }
}
