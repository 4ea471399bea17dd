/**
 * Snapshot and restore of the wasm core: rejection of bad bytes with a clear
 * Error (leaving an empty, usable core), bit-for-bit continuation in a fresh
 * core, and the edge cases (empty core, flushed core, restoring over a core
 * that already holds other state).
 */
import { describe, expect, it } from 'vitest';
import { loadCore } from '../../src/node/loadCore.js';
import { CoreAbort, type WasmCore } from '../../src/core/wasmCore.js';
import { configureCore, feedBatch, readLate, readWindowBits, type StreamEvent, type WindowConfig } from '../reference/windows.js';
import { mulberry32 } from '../support/prng.js';
import { EXTREME_VALUES } from '../support/streams.js';

const newCore = () => loadCore();

const SLIDING: WindowConfig = { size: 5, slide: 2, delay: 3, lateness: 2, mode: 'append' };
const UPDATE: WindowConfig = { ...SLIDING, mode: 'update' };

/** A deterministic stream with several keys (incl. 5000), disorder, late events and extreme values. */
function stream(n: number, seed = 7): StreamEvent[] {
  const rnd = mulberry32(seed);
  const keys = [0, 1, 2, 3, 5000];
  let t = 1_700_000_000_000;
  return Array.from({ length: n }, (_, i) => {
    t += Math.floor(rnd() * 3);
    const back = rnd() < 0.3 ? Math.floor(rnd() * 8) : rnd() < 0.05 ? 50 : 0;
    const value = rnd() < 0.3 ? EXTREME_VALUES[i % EXTREME_VALUES.length]! : (rnd() - 0.5) * 1000;
    return { ts: t - back, key: keys[Math.floor(rnd() * keys.length)]!, value };
  });
}

function batches(events: StreamEvent[], size: number): StreamEvent[][] {
  const out: StreamEvent[][] = [];
  for (let i = 0; i < events.length; i += size) out.push(events.slice(i, i + size));
  return out;
}

/** Every output of a run, as raw bits: window records and late records per call (flush last). */
function outputBits(core: WasmCore, bs: StreamEvent[][]): string[] {
  const out: string[] = [];
  const bits = (f: Float64Array): string => Array.from(new BigUint64Array(f.buffer, f.byteOffset, f.length), (b) => b.toString(16)).join(',');
  for (const b of bs) {
    feedBatch(core, b);
    const late = readLate(core).flatMap((l) => [l.ts, l.key, l.value, l.row]);
    out.push(`${bits(readWindowBits(core))} | ${bits(new Float64Array(late))} | wm ${core.watermark()}`);
  }
  core.flush();
  out.push(bits(readWindowBits(core)));
  return out;
}

/** Byte equality (vitest's deep equality is slow on large typed arrays). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

function stats(core: WasmCore): number[] {
  const ex = core.exports;
  return [ex.stats_events(), ex.stats_late(), ex.stats_invalid(), ex.stats_windows(), ex.stats_keys(), ex.stats_active_keys()];
}

/** Asserts the core is empty and behaves exactly like a freshly configured one. */
function expectEmptyAndUsable(core: WasmCore, cfg: WindowConfig): void {
  expect(core.watermark()).toBeNull();
  expect(stats(core).slice(0, 4)).toEqual([0, 0, 0, 0]);
  expect(core.exports.stats_active_keys()).toBe(0);
  const events = stream(200, 99);
  const fresh = newCore();
  configureCore(fresh, cfg);
  expect(outputBits(core, batches(events, 37))).toEqual(outputBits(fresh, batches(events, 37)));
}

/** A core with `cfg` holding state from the first `n` events of stream(). */
function loaded(cfg: WindowConfig, n: number): WasmCore {
  const core = newCore();
  configureCore(core, cfg);
  for (const b of batches(stream(n), 25)) feedBatch(core, b);
  return core;
}

describe('snapshot / restore', () => {
  describe('rejects bad bytes with a clear Error and leaves an empty, usable core', () => {
    const cases: [string, (good: Uint8Array) => Uint8Array, RegExp][] = [
      ['empty input', () => new Uint8Array(0), /not an eddy snapshot/],
      ['garbage bytes', () => Uint8Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff), /not an eddy snapshot/],
      ['zeros', () => new Uint8Array(64), /not an eddy snapshot/],
      ['JSON text', () => new TextEncoder().encode('{"eddy":"snapshot","version":1}'), /not an eddy snapshot/],
      [
        'wrong magic',
        (g) => {
          const b = g.slice();
          b[0] = b[0]! ^ 0x20;
          return b;
        },
        /not an eddy snapshot/,
      ],
      [
        'wrong version',
        (g) => {
          const b = g.slice();
          b[4] = b[4]! + 1;
          return b;
        },
        /not an eddy snapshot/,
      ],
      ['truncated (length header kept)', (g) => g.slice(0, g.length - 9), /not an eddy snapshot|truncated or corrupt/],
      ['truncated to the header', (g) => g.slice(0, 12), /not an eddy snapshot|truncated or corrupt/],
      [
        'truncated with its length header patched',
        (g) => {
          const b = g.slice(0, g.length - 9);
          new DataView(b.buffer).setUint32(8, b.length, true);
          return b;
        },
        /truncated or corrupt/,
      ],
      [
        'trailing bytes with the length header patched',
        (g) => {
          const b = new Uint8Array(g.length + 5);
          b.set(g);
          new DataView(b.buffer).setUint32(8, b.length, true);
          return b;
        },
        /truncated or corrupt/,
      ],
    ];
    for (const [name, make, message] of cases) {
      it(name, () => {
        const good = loaded(SLIDING, 300).snapshot();
        const core = loaded(SLIDING, 150);
        let err: unknown;
        try {
          core.restore(make(good));
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(Error);
        expect(err).not.toBeInstanceOf(CoreAbort);
        expect((err as Error).message).toMatch(message);
        expectEmptyAndUsable(core, SLIDING);
      });
    }
  });

  for (const cfg of [SLIDING, UPDATE, { ...SLIDING, size: 4, slide: 4, delay: 0, lateness: 0 }, { ...UPDATE, delay: 0.5 }]) {
    it(`continues bit for bit in a fresh core (${cfg.mode}, ${cfg.size}/${cfg.slide}, delay ${cfg.delay}, lateness ${cfg.lateness})`, () => {
      const events = stream(600);
      const bs = batches(events, 40);
      const expected = outputBits(loaded(cfg, 0), bs);
      for (const cut of [1, 5, 14]) {
        const source = newCore();
        configureCore(source, cfg);
        for (const b of bs.slice(0, cut)) feedBatch(source, b);
        const bytes = source.snapshot();
        const resumed = newCore();
        resumed.restore(bytes);
        expect(sameBytes(resumed.snapshot(), bytes), 'a restored core snapshots to the same bytes').toBe(true);
        expect(stats(resumed)).toEqual(stats(source));
        expect(resumed.watermark()).toBe(source.watermark());
        expect(outputBits(resumed, bs.slice(cut))).toEqual(expected.slice(cut));
      }
    });
  }

  it('snapshot of an empty (configured, no events) core restores to an empty core', () => {
    const empty = newCore();
    configureCore(empty, UPDATE);
    const bytes = empty.snapshot();
    expect(bytes.length).toBeGreaterThanOrEqual(12);
    const target = loaded(SLIDING, 200); // different config and state: both replaced
    target.restore(bytes);
    expectEmptyAndUsable(target, UPDATE);
  });

  it('snapshot of a never-configured core works', () => {
    const bytes = newCore().snapshot();
    const target = newCore();
    target.restore(bytes);
    expect(target.watermark()).toBeNull();
    expect(sameBytes(target.snapshot(), bytes)).toBe(true);
  });

  it('restoring over a core with other config and state replaces it entirely', () => {
    const source = loaded(UPDATE, 300);
    const bytes = source.snapshot();
    const target = loaded({ size: 8, slide: 1, delay: 0, lateness: 1, mode: 'append' }, 500);
    target.restore(bytes);
    const rest = batches(stream(600).slice(300), 33);
    expect(outputBits(target, rest)).toEqual(outputBits(source, rest));
  });

  it('a flushed core restores flushed: every later event is late', () => {
    const source = loaded(SLIDING, 300);
    source.flush();
    const target = newCore();
    target.restore(source.snapshot());
    const more = stream(50, 3).map((e) => ({ ...e, ts: e.ts + 1e6 }));
    feedBatch(target, more);
    expect(target.windowRecords().count).toBe(0);
    expect(readLate(target).length).toBe(more.length);
  });

  // A snapshot whose header is fine but whose body is corrupt is rejected only
  // after its window configuration has been applied: the core then runs empty
  // with the REJECTED snapshot's configuration instead of its own.
  it('a rejected snapshot (corrupt body) leaves the core with its own configuration', () => {
    const other: WindowConfig = { size: 10, slide: 10, delay: 0, lateness: 0, mode: 'update' };
    const bad = loaded(other, 100).snapshot().slice(0, -4);
    new DataView(bad.buffer).setUint32(8, bad.length, true); // header length matches: the body is what is short
    const core = loaded(SLIDING, 100);
    expect(() => core.restore(bad)).toThrow(/truncated or corrupt/);
    expectEmptyAndUsable(core, SLIDING);
  });

  it('a snapshot survives a failed restore of garbage into the same core', () => {
    const source = loaded(SLIDING, 300);
    const bytes = source.snapshot();
    const core = newCore();
    expect(() => core.restore(new Uint8Array(40))).toThrow(Error);
    core.restore(bytes);
    const rest = batches(stream(600).slice(300), 50);
    expect(outputBits(core, rest)).toEqual(outputBits(source, rest));
  });
});
