/**
 * Durable checkpoints in a directory (`checkpoint_location`): engine state
 * plus source positions, written so that a process killed at any instant,
 * or a machine losing power, restarts from the newest complete checkpoint.
 *
 *   <dir>/                          shared by the processes of a group
 *   ├── events-3/                   one scope (e.g. topic-partition), one owner at a time
 *   │   ├── chk-000000000041.eddy   a full checkpoint (see checkpointFormat.ts)
 *   │   ├── chk-000000000042-000000000041.eddy   the changes since 41 (its chain starts at full 41)
 *   │   ├── chk-000000000043-000000000041.eddy   newest: the changes since 42; `latest()` returns 41 + 42 + 43
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
 * Incremental checkpoints: a save of changes names the full checkpoint its
 * chain starts from (in its file name) and the save it follows (in its meta,
 * `$chain`); `latest()` returns the newest save whose whole chain back to
 * its full checkpoint verifies, with the chain's changes, and pruning keeps
 * every file the newest `keep` saves need.
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
  /** Checkpoints kept per scope, newest first (with the files their chains need); older ones are deleted after each write. Default 3. */
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
  /** For a save of changes: the full checkpoint its chain starts from, and the checkpoint it follows. */
  chain?: { base: number; prev: number };
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
  /** The state (with `changes`: the chain's full checkpoint); a view into the one buffer the file was read into. */
  state: Uint8Array;
  /** The changes saved after `state`, oldest first, the last one being checkpoint `seq`; absent for a full checkpoint. */
  changes?: Uint8Array[];
  /** Seq of the full checkpoint of the chain, when `changes` follow it. */
  baseSeq?: number;
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
  /** For a save of changes: the seq of the full checkpoint its chain starts from. */
  base?: number;
}

/** Default number of checkpoints kept per scope. */
const DEFAULT_KEEP = 3;

/** Seqs fit the 12 digits of the file name. */
const MAX_SEQ = 999_999_999_999;

/** `chk-<seq, 12 digits>.eddy` (full) or `chk-<seq>-<base seq>.eddy` (changes); anything else in a scope directory is not a checkpoint. */
const CHECKPOINT_NAME = /^chk-(\d{12})(?:-(\d{12}))?\.eddy$/;

/** The meta key a save of changes keeps its chain links under (stripped from the meta `latest()` returns). */
const CHAIN_KEY = '$chain';

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
  /** Saves of changes are kept as chains after a full checkpoint. */
  readonly incremental = true;
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
    const chain = payload.chain;
    if (chain !== undefined && !(Number.isInteger(chain.base) && Number.isInteger(chain.prev) && chain.base >= 1 && chain.prev >= chain.base)) {
      throw new TypeError(`checkpoint of scope ${JSON.stringify(scope)}: chain must be { base, prev } seqs with prev ≥ base ≥ 1`);
    }
    const metaJson = encodeMeta(scope, chain === undefined ? payload : { ...payload, meta: { ...payload.meta, [CHAIN_KEY]: chain } });
    const previous = this.queues.get(scope) ?? Promise.resolve();
    const result = previous.then(() => this.writeNow(scope, scopeDir, metaJson, payload.state, chain?.base));
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
      const bySeq = new Map(entries.map((e) => [e.seq, e]));
      let vanished = false;
      for (let i = entries.length - 1; i >= 0; i--) {
        const entry = entries[i]!;
        const outcome = entry.base === undefined ? withoutLink(await this.tryRead(entry)) : await this.tryReadChain(entry, bySeq, reported);
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
        if (stats.isFile()) entries.push({ seq: Number(match[1]), path, bytes: stats.size, ...(match[2] === undefined ? {} : { base: Number(match[2]) }) });
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
   * A save of changes with its chain: every save from the chain's full
   * checkpoint to `entry`, each verified and each following the one before
   * it. 'vanished' or the reason the chain is unusable (a broken link is
   * reported with the file that breaks it).
   */
  private async tryReadChain(entry: CheckpointEntry, bySeq: Map<number, CheckpointEntry>, reported: Set<string>): Promise<Checkpoint | 'vanished' | string> {
    const newest = await this.tryRead(entry);
    if (typeof newest === 'string') return newest;
    const changes = [newest.state];
    let link = newest.chainPrev;
    const base = entry.base!;
    while (link !== base) {
      const earlier = bySeq.get(link);
      if (earlier === undefined || earlier.base !== base) return `its chain is broken: checkpoint ${link} of the chain from ${base} is missing`;
      const read = await this.tryRead(earlier);
      if (read === 'vanished') return read;
      if (typeof read === 'string') {
        this.report(reported, earlier.path, read);
        return `its chain is broken: checkpoint ${link} is unusable`;
      }
      changes.unshift(read.state);
      link = read.chainPrev;
    }
    const full = bySeq.get(base);
    if (full === undefined || full.base !== undefined) return `its chain is broken: the full checkpoint ${base} is missing`;
    const read = await this.tryRead(full);
    if (read === 'vanished') return read;
    if (typeof read === 'string') {
      this.report(reported, full.path, read);
      return `its chain is broken: the full checkpoint ${base} is unusable`;
    }
    return { seq: newest.seq, state: read.state, changes, baseSeq: base, meta: newest.meta, path: newest.path, created: newest.created };
  }

  /**
   * One listed file: the verified checkpoint, 'vanished' when it was deleted
   * since the listing, or the reason it is unusable. Throws for read errors
   * that are not damage to the file (EACCES, EMFILE, ...): falling back to
   * older state because of them would silently lose progress.
   */
  private async tryRead(entry: CheckpointEntry): Promise<(Checkpoint & { chainPrev: number }) | 'vanished' | string> {
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
    const { seq, created, state } = decoded.checkpoint;
    const { [CHAIN_KEY]: chain, ...meta } = decoded.checkpoint.meta;
    // the name and the meta must agree on what the save is
    const links = chain as { base?: unknown; prev?: unknown } | undefined;
    if (entry.base === undefined) {
      if (links !== undefined) return `a full checkpoint's name, but its meta links it to a chain`;
      return { seq, state, meta, path: entry.path, created, chainPrev: 0 };
    }
    if (
      typeof links !== 'object' ||
      links === null ||
      links.base !== entry.base ||
      typeof links.prev !== 'number' ||
      !(links.prev >= entry.base && links.prev < seq)
    ) {
      return `its name says changes since full checkpoint ${entry.base}, its meta does not link it there`;
    }
    return { seq, state, meta, path: entry.path, created, chainPrev: links.prev };
  }

  private async writeNow(scope: string, scopeDir: string, metaJson: Uint8Array, state: Uint8Array, base: number | undefined): Promise<WrittenCheckpoint> {
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
    const name = base === undefined ? String(seq).padStart(12, '0') : `${String(seq).padStart(12, '0')}-${String(base).padStart(12, '0')}`;
    const path = join(scopeDir, `chk-${name}.eddy`);
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
      // the newest `keep` saves, and every file their chains need
      const needed = new Set<number>();
      for (const entry of entries.slice(-this.keep)) {
        needed.add(entry.seq);
        if (entry.base !== undefined) for (const e of entries) if (e.seq >= entry.base && e.seq < entry.seq) needed.add(e.seq);
      }
      for (const entry of entries) if (!needed.has(entry.seq)) await remove(entry.path);
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

/** A read full checkpoint as `latest()` returns it (without its internal chain link). */
function withoutLink(read: (Checkpoint & { chainPrev: number }) | 'vanished' | string): Checkpoint | 'vanished' | string {
  if (typeof read === 'string') return read;
  const { chainPrev: _link, ...checkpoint } = read;
  return checkpoint;
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
