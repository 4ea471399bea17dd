/**
 * Reading a Kafka query's checkpoint directory from a test: the scopes
 * (`<topic>-<partition>`), each scope's checkpoint files decoded (seq,
 * created, meta with `nextOffset`), and damaging the newest one.
 */
import { readFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeCheckpoint } from '../../src/checkpoint/checkpointFormat.js';

/** One decoded checkpoint file. */
export interface CheckpointInfo {
  seq: number;
  created: number;
  nextOffset: number;
  meta: Record<string, unknown>;
  path: string;
  /** For a save of changes: the seq of the full checkpoint its chain starts from. */
  base?: number;
}

/** Full checkpoints `chk-<seq>.eddy`, saves of changes `chk-<seq>-<base>.eddy`. */
const NAME = /^chk-(\d{12})(?:-(\d{12}))?\.eddy$/;

/** The scope directories under `dir`, sorted. */
export function checkpointScopes(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/**
 * The checkpoint files of a scope that verify, oldest first. A file deleted
 * meanwhile (pruned by the running query) is skipped; one that fails to
 * decode is reported with `bad`.
 */
export function readCheckpoints(dir: string, scope: string): { good: CheckpointInfo[]; bad: string[] } {
  const scopeDir = join(dir, scope);
  const good: CheckpointInfo[] = [];
  const bad: string[] = [];
  if (!existsSync(scopeDir)) return { good, bad };
  const names = readdirSync(scopeDir)
    .filter((n) => NAME.test(n))
    .sort();
  for (const name of names) {
    const path = join(scopeDir, name);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    const decoded = decodeCheckpoint(bytes, Number(NAME.exec(name)![1]));
    if (!decoded.ok) {
      bad.push(`${name}: ${decoded.reason}`);
      continue;
    }
    const { seq, created, meta } = decoded.checkpoint;
    const base = NAME.exec(name)![2];
    good.push({ seq, created, meta, nextOffset: Number(meta.nextOffset), path, ...(base === undefined ? {} : { base: Number(base) }) });
  }
  return { good, bad };
}

/** The newest verified checkpoint of every scope: scope → nextOffset. */
export function newestOffsets(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const scope of checkpointScopes(dir)) {
    const newest = readCheckpoints(dir, scope).good.at(-1);
    if (newest) out.set(scope, newest.nextOffset);
  }
  return out;
}

/** Flips a byte in the middle of a checkpoint file's body (its CRC no longer matches). */
export function corruptCheckpoint(path: string): void {
  const bytes = readFileSync(path);
  const at = Math.max(41, Math.floor(bytes.length / 2));
  bytes[at] = bytes[at]! ^ 0xff;
  writeFileSync(path, bytes);
}
