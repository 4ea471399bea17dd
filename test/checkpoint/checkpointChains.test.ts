/**
 * Chains of incremental checkpoints in the directory store: a save of
 * changes is named after its chain's full checkpoint and linked to the save
 * it follows; latest() gives the newest save whose whole chain verifies
 * (full state + the changes in order), falls back past a damaged link,
 * pruning keeps every file the newest `keep` saves need, and a file whose
 * name and meta disagree is not trusted.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointStore } from '../../src/checkpoint/checkpointStore.js';

const roots: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-chain-'));
  roots.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of roots) rmSync(dir, { recursive: true, force: true });
});

const bytes = (...v: number[]): Uint8Array => Uint8Array.from(v);
const names = (dir: string): string[] => readdirSync(join(dir, 's')).sort();

/** Writes full 1, changes 2, 3 (chain from 1), full 4, changes 5 (chain from 4). */
async function twoChains(store: CheckpointStore): Promise<void> {
  expect((await store.write('s', { state: bytes(1), meta: { at: 1 } })).seq).toBe(1);
  expect((await store.write('s', { state: bytes(2), meta: { at: 2 }, chain: { base: 1, prev: 1 } })).seq).toBe(2);
  expect((await store.write('s', { state: bytes(3), meta: { at: 3 }, chain: { base: 1, prev: 2 } })).seq).toBe(3);
  expect((await store.write('s', { state: bytes(4), meta: { at: 4 } })).seq).toBe(4);
  expect((await store.write('s', { state: bytes(5), meta: { at: 5 }, chain: { base: 4, prev: 4 } })).seq).toBe(5);
}

describe('CheckpointStore: chains of changes', () => {
  it('returns the newest save with its chain: the full state and the changes in order, meta of the newest', async () => {
    const dir = freshDir();
    const store = new CheckpointStore(dir, { keep: 10 });
    await store.write('s', { state: bytes(1), meta: { at: 1 } });
    await store.write('s', { state: bytes(2), meta: { at: 2 }, chain: { base: 1, prev: 1 } });
    await store.write('s', { state: bytes(3), meta: { at: 3 }, chain: { base: 1, prev: 2 } });
    expect(names(dir)).toEqual(['chk-000000000001.eddy', 'chk-000000000002-000000000001.eddy', 'chk-000000000003-000000000001.eddy']);
    const got = await store.latest('s');
    expect(got?.seq).toBe(3);
    expect(got?.baseSeq).toBe(1);
    expect(Array.from(got!.state)).toEqual([1]);
    expect(got!.changes!.map((c) => Array.from(c))).toEqual([[2], [3]]);
    // the chain link is the store's, not the caller's meta
    expect(got?.meta).toEqual({ at: 3 });
  });

  it('falls back past a damaged link to the newest save whose chain is whole, reporting what it skipped', async () => {
    const dir = freshDir();
    const reports: string[] = [];
    const store = new CheckpointStore(dir, { keep: 10, onCorrupt: (path, reason) => reports.push(`${path.split('/').pop()}: ${reason}`) });
    await twoChains(store);
    // damage full 4: save 5 (its chain) and save 4 are unusable, 3 (chain 1, 2, 3) is the newest whole one
    const full4 = join(dir, 's', 'chk-000000000004.eddy');
    const damaged = readFileSync(full4);
    damaged[damaged.length - 1] ^= 0xff;
    writeFileSync(full4, damaged);
    const got = await store.latest('s');
    expect(got?.seq).toBe(3);
    expect(got!.changes!.map((c) => Array.from(c))).toEqual([[2], [3]]);
    expect(reports.some((r) => r.startsWith('chk-000000000004.eddy'))).toBe(true);
    expect(reports.some((r) => r.startsWith('chk-000000000005-000000000004.eddy: its chain is broken'))).toBe(true);
    // damage the middle link 2 as well: 3 is unusable, then 2, then full 1 alone is what is left
    const link2 = join(dir, 's', 'chk-000000000002-000000000001.eddy');
    const d2 = readFileSync(link2);
    d2[d2.length - 1] ^= 0xff;
    writeFileSync(link2, d2);
    const older = await store.latest('s');
    expect(older?.seq).toBe(1);
    expect(older?.changes).toBeUndefined();
  });

  it('refuses a save whose link does not follow the save before it (another writer came between)', async () => {
    const dir = freshDir();
    const store = new CheckpointStore(dir, { keep: 10 });
    await store.write('s', { state: bytes(1), meta: {} });
    await store.write('s', { state: bytes(2), meta: {}, chain: { base: 1, prev: 1 } });
    // written as if it followed 1, but it lands as 3 after 2: its changes are since 1, not since 2
    expect((await store.write('s', { state: bytes(3), meta: {}, chain: { base: 1, prev: 1 } })).seq).toBe(3);
    const got = await store.latest('s');
    // 3 links to 1 directly: the chain 1 → 3 is whole (3 holds the changes since 1), so it is used without 2
    expect(got?.seq).toBe(3);
    expect(got!.changes!.map((c) => Array.from(c))).toEqual([[3]]);
  });

  it('does not trust a file whose name and meta disagree', async () => {
    const dir = freshDir();
    const store = new CheckpointStore(dir, { keep: 10 });
    await store.write('s', { state: bytes(1), meta: {} });
    await store.write('s', { state: bytes(2), meta: {}, chain: { base: 1, prev: 1 } });
    // renamed as if it were a full checkpoint
    const s = join(dir, 's');
    renameSync(join(s, 'chk-000000000002-000000000001.eddy'), join(s, 'chk-000000000002.eddy'));
    const reports: string[] = [];
    const reader = new CheckpointStore(dir, { onCorrupt: (_p, reason) => reports.push(reason) });
    expect((await reader.latest('s'))?.seq).toBe(1);
    expect(reports).toEqual(["a full checkpoint's name, but its meta links it to a chain"]);
  });

  it('prunes to the newest `keep` saves and every file their chains need', async () => {
    const dir = freshDir();
    const store = new CheckpointStore(dir, { keep: 2 });
    await twoChains(store);
    // newest two: 5 (needs 4) and 4: chain 1–3 is gone
    expect(names(dir)).toEqual(['chk-000000000004.eddy', 'chk-000000000005-000000000004.eddy']);
    await store.write('s', { state: bytes(6), meta: {}, chain: { base: 4, prev: 5 } });
    await store.write('s', { state: bytes(7), meta: {}, chain: { base: 4, prev: 6 } });
    // newest two are 6 and 7, both need 4 and 5
    expect(names(dir)).toEqual([
      'chk-000000000004.eddy',
      'chk-000000000005-000000000004.eddy',
      'chk-000000000006-000000000004.eddy',
      'chk-000000000007-000000000004.eddy',
    ]);
    expect((await store.latest('s'))?.changes?.length).toBe(3);
  });

  it('refuses chain links that cannot be seqs', async () => {
    const store = new CheckpointStore(freshDir());
    await expect(store.write('s', { state: bytes(1), meta: {}, chain: { base: 0, prev: 0 } })).rejects.toThrow(/chain must be/);
    await expect(store.write('s', { state: bytes(1), meta: {}, chain: { base: 3, prev: 2 } })).rejects.toThrow(/chain must be/);
  });
});
