/**
 * The checkpoint store: CRC-32 against known vectors and a bitwise
 * reference, the file layout byte by byte, round trips, seq numbering,
 * retention, every kind of damage to the newest file (the previous one is
 * used and the bad one reported), temp files, scopes shared by several
 * stores, scope-name validation, crash atomicity with child processes
 * killed by SIGKILL at random moments while the parent reads, and a 200 MB
 * state.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ts from 'typescript';
import * as zlib from 'node:zlib';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from '../../src/checkpoint/crc32.js';
import { CheckpointStore, type CheckpointStoreOptions } from '../../src/checkpoint/checkpointStore.js';
import { mulberry32 } from '../support/prng.js';

const roots: string[] = [];
/** A fresh empty directory under the OS temp dir, removed after the file's tests. */
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-chk-'));
  roots.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of roots) rmSync(dir, { recursive: true, force: true });
});

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const bytesOf = (...values: number[]): Uint8Array => Uint8Array.from(values);

/** The textbook bit-at-a-time CRC-32, to check the sliced one against. */
function crc32Bitwise(data: Uint8Array): number {
  let c = ~0;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

describe('crc32', () => {
  it.each([
    ['', 0x00000000],
    ['a', 0xe8b7be43],
    ['abc', 0x352441c2],
    ['123456789', 0xcbf43926],
    ['The quick brown fox jumps over the lazy dog', 0x414fa339],
  ])('crc32(%j) = %s', (input, expected) => {
    expect(crc32(text(input))).toBe(expected);
  });

  it('matches known binary vectors', () => {
    expect(crc32(new Uint8Array(32))).toBe(0x190a55ad); // 32 zero bytes; these three are as Python's zlib.crc32 gives them
    expect(crc32(new Uint8Array(32).fill(0xff))).toBe(0xff6cab0b);
    expect(crc32(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x91267e8a);
  });

  it('equals the bitwise reference at any length and offset, and chains like zlib', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (data, a, b) => {
        const start = data.length === 0 ? 0 : a % data.length;
        const view = data.subarray(start); // unaligned byteOffset on purpose
        expect(crc32(view)).toBe(crc32Bitwise(view));
        const cut = view.length === 0 ? 0 : b % (view.length + 1);
        expect(crc32(view.subarray(cut), crc32(view.subarray(0, cut)))).toBe(crc32(view));
      }),
      { numRuns: 500 },
    );
  });

  // Node 22.2+ has zlib.crc32; on Node 20 this is skipped.
  const zlibCrc = (zlib as unknown as { crc32?: (d: Uint8Array) => number }).crc32;
  it.skipIf(zlibCrc === undefined)('equals zlib.crc32 where Node has it', () => {
    const data = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 7919) & 0xff);
    expect(crc32(data)).toBe(zlibCrc!(data));
  });
});

/** A store plus the onCorrupt reports it made. */
function storeIn(
  dir: string,
  options: Omit<CheckpointStoreOptions, 'onCorrupt'> = {},
): { store: CheckpointStore; corrupt: Array<{ path: string; reason: string }> } {
  const corrupt: Array<{ path: string; reason: string }> = [];
  const store = new CheckpointStore(dir, { ...options, onCorrupt: (path, reason) => corrupt.push({ path, reason }) });
  return { store, corrupt };
}

/** A recognisable state for checkpoint n. */
const stateFor = (n: number, length = 1000): Uint8Array => Uint8Array.from({ length }, (_, i) => (n * 31 + i) & 0xff);

describe('CheckpointStore: round trip and layout', () => {
  it('reads back what it wrote, in the documented layout', async () => {
    const dir = freshDir();
    const { store, corrupt } = storeIn(dir);
    const state = stateFor(1, 777);
    const meta = { topic: 'events', partition: 3, nextOffset: 12_345, nested: { ok: true, s: 'ünïcødé' } };
    const before = Date.now();
    const written = await store.write('events-3', { state, meta });

    expect(written.seq).toBe(1);
    expect(written.path).toBe(join(dir, 'events-3', 'chk-000000000001.eddy'));
    expect(statSync(written.path).size).toBe(written.bytes);

    const file = new Uint8Array(readFileSync(written.path));
    const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
    const metaBytes = text(JSON.stringify(meta));
    expect([...file.subarray(0, 4)]).toEqual([0x45, 0x44, 0x43, 0x4b]); // "EDCK"
    expect(view.getUint32(4, true)).toBe(1);
    expect(view.getBigUint64(8, true)).toBe(1n);
    expect(view.getFloat64(16, true)).toBeGreaterThanOrEqual(before);
    expect(view.getUint32(24, true)).toBe(metaBytes.length);
    expect(view.getUint32(28, true)).toBe(crc32Bitwise(file.subarray(40)));
    expect(view.getBigUint64(32, true)).toBe(BigInt(state.length));
    expect(file.subarray(40, 40 + metaBytes.length)).toEqual(metaBytes);
    expect(file.subarray(40 + metaBytes.length)).toEqual(state);
    expect(file.length).toBe(40 + metaBytes.length + state.length);

    const back = await store.latest('events-3');
    expect(back).toBeDefined();
    expect(back!.seq).toBe(1);
    expect(back!.path).toBe(written.path);
    expect(back!.meta).toEqual(meta);
    expect(back!.state).toEqual(state);
    expect(back!.created).toBe(view.getFloat64(16, true));
    expect(corrupt).toEqual([]);
  });

  it('round-trips an empty state and an empty meta', async () => {
    const { store } = storeIn(freshDir());
    await store.write('s', { state: new Uint8Array(0), meta: {} });
    const back = await store.latest('s');
    expect(back!.state.length).toBe(0);
    expect(back!.meta).toEqual({});
  });

  it('writes from and returns subarray views correctly (byteOffset is honoured)', async () => {
    const { store } = storeIn(freshDir());
    const big = stateFor(9, 5000);
    await store.write('s', { state: big.subarray(123, 4567), meta: { a: 1 } });
    expect((await store.latest('s'))!.state).toEqual(big.subarray(123, 4567));
  });

  it('returns undefined, [] and [] before anything is written, without creating the directory', async () => {
    const dir = join(freshDir(), 'not-yet');
    const { store } = storeIn(dir);
    expect(await store.latest('events-0')).toBeUndefined();
    expect(await store.list('events-0')).toEqual([]);
    expect(await store.scopes()).toEqual([]);
    expect(existsSync(dir)).toBe(false);
  });

  it('creates the directory recursively on the first write', async () => {
    const dir = join(freshDir(), 'a', 'b', 'c');
    const { store } = storeIn(dir);
    await store.write('x', { state: stateFor(1), meta: {} });
    expect((await store.latest('x'))!.seq).toBe(1);
  });
});

describe('CheckpointStore: seq and retention', () => {
  it('numbers checkpoints 1, 2, 3, … per scope, and a new store continues the numbering', async () => {
    const dir = freshDir();
    const { store } = storeIn(dir, { keep: 10 });
    const seqs: number[] = [];
    for (let n = 1; n <= 5; n++) seqs.push((await store.write('s', { state: stateFor(n), meta: { n } })).seq);
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
    const latest = await store.latest('s');
    expect(latest!.seq).toBe(5);
    expect(latest!.meta).toEqual({ n: 5 });
    expect(latest!.state).toEqual(stateFor(5));

    const { store: again } = storeIn(dir, { keep: 10 });
    expect((await again.write('s', { state: stateFor(6), meta: { n: 6 } })).seq).toBe(6);
    expect((await store.list('s')).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('queues concurrent writes to one scope so that no two get the same seq', async () => {
    const { store } = storeIn(freshDir(), { keep: 100 });
    const results = await Promise.all(Array.from({ length: 12 }, (_, n) => store.write('s', { state: stateFor(n), meta: { n } })));
    expect(results.map((r) => r.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const latest = await store.latest('s');
    expect(latest!.meta).toEqual({ n: 11 });
  });

  it.each([1, 2, 3])('keeps only the newest %i checkpoint(s)', async (keep) => {
    const { store } = storeIn(freshDir(), { keep });
    for (let n = 1; n <= 6; n++) await store.write('s', { state: stateFor(n), meta: { n } });
    const listed = await store.list('s');
    expect(listed.map((e) => e.seq)).toEqual([6, 5, 4].slice(0, keep).reverse());
    for (const entry of listed) expect(basename(entry.path)).toMatch(/^chk-\d{12}\.eddy$/);
  });

  it('keeps 3 by default', async () => {
    const { store } = storeIn(freshDir());
    expect(store.keep).toBe(3);
    for (let n = 1; n <= 5; n++) await store.write('s', { state: stateFor(n), meta: {} });
    expect((await store.list('s')).map((e) => e.seq)).toEqual([3, 4, 5]);
  });

  it('refuses a keep that is not a whole number ≥ 1', () => {
    expect(() => new CheckpointStore(freshDir(), { keep: 0 })).toThrow(/keep must be a whole number ≥ 1, got 0/);
    expect(() => new CheckpointStore(freshDir(), { keep: 1.5 })).toThrow(/keep/);
  });
});

/** Ways to damage a checkpoint file, and the reason `latest()` must give. */
const DAMAGE: Array<{ name: string; damage: (path: string) => void; reason: RegExp }> = [
  {
    name: 'truncated in the state',
    damage: (p) => truncateSync(p, statSync(p).size - 100),
    reason: /^truncated: header says 40 \+ \d+ meta \+ 1000 state = \d+ bytes, the file has \d+$/,
  },
  { name: 'truncated in the header', damage: (p) => truncateSync(p, 12), reason: /^truncated: 12 bytes, shorter than the 40-byte header$/ },
  { name: 'zero-length', damage: (p) => truncateSync(p, 0), reason: /^empty file$/ },
  {
    name: 'a bit flipped in the state',
    damage: (p) => flipBit(p, statSync(p).size - 500, 3),
    reason: /^checksum mismatch: stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}$/,
  },
  { name: 'a bit flipped in the meta', damage: (p) => flipBit(p, 42, 0), reason: /^checksum mismatch/ },
  { name: 'a bit flipped in the stored CRC', damage: (p) => flipBit(p, 29, 7), reason: /^checksum mismatch/ },
  { name: 'a bad magic', damage: (p) => patch(p, 0, text('EDCX')), reason: /^bad magic 45 44 43 58 \(expected 45 44 43 4b, "EDCK"\): not an eddy checkpoint$/ },
  { name: 'an unknown version', damage: (p) => patch(p, 4, bytesOf(2, 0, 0, 0)), reason: /^unsupported format version 2 \(this eddy reads version 1\)$/ },
  { name: 'a seq that disagrees with the file name', damage: (p) => patch(p, 8, bytesOf(7)), reason: /^header says seq 7 but the file name says 3$/ },
  { name: 'a bit flipped in the meta length', damage: (p) => flipBit(p, 24, 4), reason: /^truncated: header says 40 \+ \d+ meta/ },
  {
    name: 'a huge state length',
    damage: (p) => patch(p, 32, bytesOf(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)),
    reason: /^truncated: header says 40 \+ \d+ meta \+ 18446744073709551615 state/,
  },
  { name: 'trailing bytes', damage: (p) => writeFileSync(p, new Uint8Array(5), { flag: 'a' }), reason: /^trailing bytes: header says .* the file has \d+$/ },
  {
    name: 'replaced by random bytes',
    damage: (p) =>
      writeFileSync(
        p,
        Uint8Array.from({ length: 2000 }, (_, i) => (i * 131 + 7) & 0xff),
      ),
    reason: /^bad magic/,
  },
];

function patch(path: string, offset: number, bytes: Uint8Array): void {
  const file = readFileSync(path);
  file.set(bytes, offset);
  writeFileSync(path, file);
}
function flipBit(path: string, offset: number, bit: number): void {
  const file = readFileSync(path);
  file[offset] = file[offset]! ^ (1 << bit);
  writeFileSync(path, file);
}

describe('CheckpointStore: a damaged newest checkpoint', () => {
  it.each(DAMAGE)('$name: the previous checkpoint is used and the bad one reported', async ({ damage, reason }) => {
    const { store, corrupt } = storeIn(freshDir());
    for (let n = 1; n <= 3; n++) await store.write('p-0', { state: stateFor(n), meta: { n } });
    const newest = (await store.list('p-0')).at(-1)!.path;
    damage(newest);

    const back = await store.latest('p-0');
    expect(back!.seq).toBe(2);
    expect(back!.meta).toEqual({ n: 2 });
    expect(back!.state).toEqual(stateFor(2));
    expect(corrupt).toHaveLength(1);
    expect(corrupt[0]!.path).toBe(newest);
    expect(corrupt[0]!.reason).toMatch(reason);
  });

  it('skips several bad files, and gives undefined when none verifies', async () => {
    const { store, corrupt } = storeIn(freshDir());
    for (let n = 1; n <= 3; n++) await store.write('s', { state: stateFor(n), meta: { n } });
    const [first, second, third] = (await store.list('s')).map((e) => e.path);
    truncateSync(third!, 0);
    flipBit(second!, 100, 1);
    expect((await store.latest('s'))!.seq).toBe(1);
    expect(corrupt.map((c) => c.path)).toEqual([third, second]);

    corrupt.length = 0;
    patch(first!, 0, text('nope'));
    expect(await store.latest('s')).toBeUndefined();
    expect(corrupt.map((c) => c.path)).toEqual([third, second, first]);
  });

  it('continues numbering after a corrupt newest file, so it is never overwritten in place', async () => {
    const { store, corrupt } = storeIn(freshDir());
    await store.write('s', { state: stateFor(1), meta: {} });
    await store.write('s', { state: stateFor(2), meta: {} });
    truncateSync((await store.list('s')).at(-1)!.path, 10);
    expect((await store.write('s', { state: stateFor(3), meta: { n: 3 } })).seq).toBe(3);
    expect((await store.latest('s'))!.meta).toEqual({ n: 3 });
    expect(corrupt).toEqual([]);
  });

  it('is fine without an onCorrupt callback', async () => {
    const store = new CheckpointStore(freshDir());
    await store.write('s', { state: stateFor(1), meta: {} });
    await store.write('s', { state: stateFor(2), meta: {} });
    truncateSync((await store.list('s')).at(-1)!.path, 0);
    expect((await store.latest('s'))!.seq).toBe(1);
  });

  it.skipIf(process.getuid?.() === 0)('rejects, instead of going back to older state, when a file cannot be read for lack of permission', async () => {
    const { store } = storeIn(freshDir());
    await store.write('s', { state: stateFor(1), meta: {} });
    await store.write('s', { state: stateFor(2), meta: {} });
    chmodSync((await store.list('s')).at(-1)!.path, 0o000);
    await expect(store.latest('s')).rejects.toThrow(/cannot read checkpoint .*chk-000000000002\.eddy: .*EACCES/);
  });
});

describe('CheckpointStore: temp files and stray files', () => {
  it('ignores temp files (partial or even complete) and files that are not named like checkpoints', async () => {
    const dir = freshDir();
    const { store, corrupt } = storeIn(dir);
    await store.write('s', { state: stateFor(1), meta: { n: 1 } });
    const scopeDir = join(dir, 's');
    const good = readFileSync(join(scopeDir, 'chk-000000000001.eddy'));
    writeFileSync(join(scopeDir, '.tmp-99999-0123456789ab'), good.subarray(0, 50)); // a crashed writer's half file
    writeFileSync(join(scopeDir, '.tmp-99999-ffffffffffff'), good); // finished but never renamed
    writeFileSync(join(scopeDir, 'chk-2.eddy'), good); // wrong digit count
    writeFileSync(join(scopeDir, 'chk-000000000003.eddy.bak'), good);
    writeFileSync(join(scopeDir, 'README'), 'not a checkpoint');
    mkdirSync(join(scopeDir, 'chk-000000000004.eddy')); // a directory under a checkpoint name

    expect((await store.list('s')).map((e) => e.seq)).toEqual([1]);
    expect((await store.latest('s'))!.meta).toEqual({ n: 1 });
    expect(corrupt).toEqual([]);
    // The next write does not count temp files towards the seq.
    expect((await store.write('s', { state: stateFor(2), meta: {} })).seq).toBe(2);
  });

  it("deletes temp files older than a minute on the next write, and leaves recent ones (a live writer's) alone", async () => {
    const dir = freshDir();
    const { store } = storeIn(dir);
    await store.write('s', { state: stateFor(1), meta: {} });
    const stale = join(dir, 's', '.tmp-11111-aaaaaaaaaaaa');
    const fresh = join(dir, 's', '.tmp-22222-bbbbbbbbbbbb');
    writeFileSync(stale, 'x');
    writeFileSync(fresh, 'y');
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    utimesSync(stale, twoMinutesAgo, twoMinutesAgo);
    await store.write('s', { state: stateFor(2), meta: {} });
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
  });

  it('leaves no temp file behind after a successful write', async () => {
    const dir = freshDir();
    const { store } = storeIn(dir);
    for (let n = 0; n < 5; n++) await store.write('s', { state: stateFor(n), meta: {} });
    expect(readdirSync(join(dir, 's')).filter((name) => name.startsWith('.tmp-'))).toEqual([]);
  });
});

describe('CheckpointStore: scopes', () => {
  it('lets two stores write different scopes of one directory at the same time', async () => {
    const dir = freshDir();
    const a = storeIn(dir, { keep: 2 });
    const b = storeIn(dir, { keep: 2 });
    const writes: Array<Promise<unknown>> = [];
    for (let n = 1; n <= 8; n++) {
      writes.push(a.store.write('events-0', { state: stateFor(n), meta: { owner: 'a', n } }));
      writes.push(b.store.write('events-1', { state: stateFor(100 + n), meta: { owner: 'b', n } }));
    }
    await Promise.all(writes);
    expect(await a.store.scopes()).toEqual(['events-0', 'events-1']);
    const fromA = await b.store.latest('events-0'); // either store reads any scope
    const fromB = await a.store.latest('events-1');
    expect(fromA).toMatchObject({ seq: 8, meta: { owner: 'a', n: 8 } });
    expect(fromA!.state).toEqual(stateFor(8));
    expect(fromB).toMatchObject({ seq: 8, meta: { owner: 'b', n: 8 } });
    expect(fromB!.state).toEqual(stateFor(108));
    expect((await a.store.list('events-1')).map((e) => e.seq)).toEqual([7, 8]);
    expect([...a.corrupt, ...b.corrupt]).toEqual([]);
  });

  it('takes over a scope another store wrote, continuing its numbering', async () => {
    const dir = freshDir();
    const first = storeIn(dir).store;
    await first.write('events-3', { state: stateFor(1), meta: { nextOffset: 10 } });
    await first.write('events-3', { state: stateFor(2), meta: { nextOffset: 20 } });
    const second = storeIn(dir).store;
    expect((await second.latest('events-3'))!.meta).toEqual({ nextOffset: 20 });
    expect((await second.write('events-3', { state: stateFor(3), meta: { nextOffset: 30 } })).seq).toBe(3);
  });

  it.each(['../escape', '..', '.', 'a/b', 'a\\b', '/abs', '', 'events 3', 'événements', 'x'.repeat(256), 'nul\0byte', '../../etc/passwd'])(
    'refuses the scope name %j everywhere, creating nothing',
    async (scope) => {
      const base = freshDir();
      const dir = join(base, 'chk');
      const { store } = storeIn(dir);
      const message = /invalid checkpoint scope .*: use 1 to 255 of A-Z a-z 0-9 \. _ - \(not "\." or "\.\.", no slashes\)/;
      await expect(store.write(scope, { state: stateFor(1), meta: {} })).rejects.toThrow(message);
      await expect(store.latest(scope)).rejects.toThrow(message);
      await expect(store.list(scope)).rejects.toThrow(message);
      expect(readdirSync(base)).toEqual([]);
    },
  );

  it.each(['events-3', 'my.topic_v2-10', '...', 'A', 'x'.repeat(255)])('accepts the scope name %j', async (scope) => {
    const { store } = storeIn(freshDir());
    await store.write(scope, { state: stateFor(1), meta: {} });
    expect(await store.scopes()).toEqual([scope]);
  });

  it('lists as scopes only directories with valid names', async () => {
    const dir = freshDir();
    const { store } = storeIn(dir);
    await store.write('b', { state: stateFor(1), meta: {} });
    await store.write('a', { state: stateFor(1), meta: {} });
    mkdirSync(join(dir, 'not valid'));
    writeFileSync(join(dir, 'c'), 'a file, not a scope');
    expect(await store.scopes()).toEqual(['a', 'b']);
  });
});

describe('CheckpointStore: bad input and failed writes', () => {
  it('refuses a payload that is not { state: Uint8Array, meta: object }, writing nothing', async () => {
    const dir = freshDir();
    const { store } = storeIn(dir);
    const bad = (payload: unknown) => store.write('s', payload as never);
    await expect(bad({ state: [1, 2, 3], meta: {} })).rejects.toThrow('checkpoint of scope "s": state must be a Uint8Array');
    await expect(bad({ state: new Uint8Array(1), meta: [1] })).rejects.toThrow('checkpoint of scope "s": meta must be a plain object');
    await expect(bad({ state: new Uint8Array(1), meta: null })).rejects.toThrow(/meta must be a plain object/);
    await expect(bad({ state: new Uint8Array(1), meta: { offset: 10n } })).rejects.toThrow(/meta cannot be written as JSON: .*BigInt/);
    await expect(bad({ state: new Uint8Array(1), meta: { toJSON: () => 42 } })).rejects.toThrow(/meta must serialise to a JSON object/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('rejects with the path when the directory cannot be created, and keeps working for later writes', async () => {
    const base = freshDir();
    const blocker = join(base, 'file');
    writeFileSync(blocker, 'a regular file where the directory should be');
    const { store } = storeIn(join(blocker, 'chk'));
    await expect(store.write('s', { state: stateFor(1), meta: {} })).rejects.toThrow(
      /cannot write checkpoint of scope "s" in .*file.chk.s: cannot create the directory: .*(ENOTDIR|EEXIST)/,
    );
    // A failed write does not block the scope's queue.
    rmSync(blocker);
    expect((await store.write('s', { state: stateFor(1), meta: {} })).seq).toBe(1);
  });
});

/**
 * Crash atomicity. A child process (the real store code, transpiled to JS)
 * writes checkpoints of 0.25-3 MB in a loop and prints the seq of each write
 * once it resolves. The parent reads `latest()` in a loop while it runs and
 * kills it with SIGKILL at a random moment. Every read, during and after,
 * must be a complete checkpoint whose state matches its meta; no file may
 * ever be reported corrupt; and every write the child saw resolve must still
 * be there after the kill.
 */
describe('CheckpointStore: crash atomicity', () => {
  const WRITER = String.raw`
import { CheckpointStore } from './checkpointStore.js';
const [dir, scope, seedText] = process.argv.slice(2);
const store = new CheckpointStore(dir, { keep: 2 });
let seed = Number(seedText) >>> 0;
const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
const makeState = (words, fill) => {
  const state = new Uint32Array(words);
  for (let j = 0; j < words; j++) state[j] = (fill ^ Math.imul(j, 2654435761)) >>> 0;
  return new Uint8Array(state.buffer);
};
process.stdout.write('ready\n');
for (;;) {
  const words = 65536 + (next() % 720896); // 0.25 to 3 MB
  const fill = next();
  const { seq } = await store.write(scope, { state: makeState(words, fill), meta: { words, fill } });
  process.stdout.write('wrote ' + seq + '\n');
}
`;

  /** The state the writer makes from its meta, as the test expects it. */
  function expectedState(words: number, fill: number): Uint8Array {
    const state = new Uint32Array(words);
    for (let j = 0; j < words; j++) state[j] = (fill ^ Math.imul(j, 2654435761)) >>> 0;
    return new Uint8Array(state.buffer);
  }

  let codeDir = '';
  beforeEach(() => {
    if (codeDir !== '') return;
    // Transpile src/checkpoint/*.ts next to the writer, so the child runs the
    // code under test without depending on a prior build.
    codeDir = freshDir();
    const srcDir = fileURLToPath(new URL('../../src/checkpoint/', import.meta.url));
    for (const name of readdirSync(srcDir).filter((n) => n.endsWith('.ts'))) {
      const out = ts.transpileModule(readFileSync(join(srcDir, name), 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
      });
      writeFileSync(join(codeDir, name.replace(/\.ts$/, '.js')), out.outputText);
    }
    writeFileSync(join(codeDir, 'package.json'), '{"type":"module"}');
    writeFileSync(join(codeDir, 'writer.js'), WRITER);
  });

  /** Starts the writer; resolves once it is ready, with a way to read the seqs it confirmed. */
  function startWriter(dir: string, seed: number): Promise<{ child: ChildProcess; confirmed: () => number; exited: Promise<void> }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [join(codeDir, 'writer.js'), dir, 'events-7', String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let lastConfirmed = 0;
      let pending = '';
      let stderr = '';
      const exited = new Promise<void>((done) => child.on('exit', () => done()));
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      child.stdout!.on('data', (d: Buffer) => {
        pending += d.toString();
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const line of lines) {
          if (line === 'ready') resolve({ child, confirmed: () => lastConfirmed, exited });
          else if (line.startsWith('wrote ')) lastConfirmed = Number(line.slice(6));
        }
      });
      child.on('exit', (code, signal) => {
        if (signal !== 'SIGKILL') reject(new Error(`writer exited early (code ${code}, signal ${signal}): ${stderr}`));
      });
    });
  }

  it('after SIGKILL at random moments, latest() always returns a complete, verified checkpoint, including every confirmed one', async () => {
    const dir = freshDir();
    const { store, corrupt } = storeIn(dir, { keep: 2 });
    const random = mulberry32(20_240_607);
    const scopeDir = join(dir, 'events-7');
    let reads = 0;
    let killsMidWrite = 0;
    let rounds = 0;
    const check = async (): Promise<number> => {
      const back = await store.latest('events-7');
      if (!back) return 0;
      const { words, fill } = back.meta as { words: number; fill: number };
      expect(back.state.length).toBe(words * 4);
      expect(Buffer.from(back.state.buffer, back.state.byteOffset, back.state.length).equals(expectedState(words, fill))).toBe(true);
      reads++;
      return back.seq;
    };

    let seqBefore = 0;
    for (; rounds < 40 && (rounds < 8 || killsMidWrite < 3); rounds++) {
      const writer = await startWriter(dir, rounds + 1);
      const killAt = Date.now() + 30 + random() * 400;
      let alive = true;
      const reader = (async () => {
        while (alive) await check(); // concurrent reads while the writer writes and prunes
      })();
      while (Date.now() < killAt) await new Promise((r) => setTimeout(r, 5));
      process.kill(writer.child.pid!, 'SIGKILL');
      await writer.exited;
      alive = false;
      await reader;

      const temps = readdirSync(scopeDir).filter((n) => n.startsWith('.tmp-'));
      if (temps.some((n) => n.startsWith(`.tmp-${writer.child.pid}-`))) killsMidWrite++;
      const seq = await check();
      // Nothing confirmed is lost; at most the one write renamed but not yet confirmed is extra.
      expect(seq).toBeGreaterThanOrEqual(writer.confirmed());
      expect(seq).toBeLessThanOrEqual(Math.max(writer.confirmed(), seqBefore) + 1);
      expect(seq).toBeGreaterThanOrEqual(seqBefore);
      seqBefore = seq;
    }
    expect(corrupt).toEqual([]);
    expect(killsMidWrite).toBeGreaterThan(0);
    console.log(
      `crash test: ${rounds} SIGKILLs, ${killsMidWrite} of them mid-write (a temp file left behind), ${reads} verified reads, newest seq ${seqBefore}`,
    );
  }, 120_000);
});

describe('CheckpointStore: a 200 MB state', () => {
  it('writes and reads back 200 MB correctly, reading into a single buffer', async () => {
    const size = 200 * 1024 * 1024;
    const words = new Uint32Array(size / 4);
    let x = 0x9e3779b9;
    for (let i = 0; i < words.length; i++) {
      // xorshift32: incompressible, so no file system can shortcut it
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x >>> 0;
    }
    const state = new Uint8Array(words.buffer);
    const { store, corrupt } = storeIn(freshDir(), { keep: 1 });

    const t0 = performance.now();
    const written = await store.write('big', { state, meta: { nextOffset: 1 } });
    const t1 = performance.now();
    const back = await store.latest('big');
    const t2 = performance.now();

    expect(written.bytes).toBe(size + 40 + JSON.stringify({ nextOffset: 1 }).length);
    expect(back!.state.length).toBe(size);
    // One allocation: the state is a view into a buffer exactly the file's size.
    expect(back!.state.buffer.byteLength).toBe(written.bytes);
    expect(Buffer.from(back!.state.buffer, back!.state.byteOffset, size).equals(state)).toBe(true);
    expect(corrupt).toEqual([]);
    const mbps = (ms: number): string => (size / 1024 / 1024 / (ms / 1000)).toFixed(0);
    console.log(
      `200 MB checkpoint: write ${(t1 - t0).toFixed(0)} ms (${mbps(t1 - t0)} MB/s incl. CRC + fsync), latest ${(t2 - t1).toFixed(0)} ms (${mbps(t2 - t1)} MB/s incl. CRC)`,
    );
    expect(t1 - t0).toBeLessThan(20_000);
    expect(t2 - t1).toBeLessThan(20_000);
  }, 120_000);
});
