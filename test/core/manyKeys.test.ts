/**
 * State grows with the keys: one million keys in one core, every one of them
 * holding data in open windows, all emitted correctly at the end.
 */
import { describe, it, expect } from 'vitest';
import { loadCore } from '../../src/node/loadCore.js';
import { W_COUNT, W_KEY, W_SUM } from '../../src/core/exports.js';

describe('many keys', () => {
  it('handles 1,000,000 keys (allocated as they appear, snapshot and restore included)', () => {
    const KEYS = 1_000_000;
    const BATCH = 1 << 16;
    const core = loadCore();
    core.configure({ sizeMs: 60_000, slideMs: 60_000, delayMs: 0, latenessMs: 0, mode: 'append' });
    // every key gets two events in window [0, 60 s): values k and k + 1
    for (let round = 0; round < 2; round++) {
      for (let from = 0; from < KEYS; from += BATCH) {
        const n = Math.min(BATCH, KEYS - from);
        const cols = core.reserve(n);
        for (let i = 0; i < n; i++) {
          cols.ts[i] = 1000 * round;
          cols.key[i] = from + i;
          cols.value[i] = from + i + round;
        }
        expect(core.process(n)).toBe(0);
      }
    }
    expect(core.exports.stats_keys()).toBe(KEYS);
    expect(core.exports.stats_active_keys()).toBe(KEYS);

    const restored = loadCore();
    restored.restore(core.snapshot());
    for (const c of [core, restored]) {
      expect(c.flush()).toBe(KEYS);
      const r = c.windowRecords();
      let bad = 0;
      for (let i = 0; i < KEYS; i++) {
        const at = r.offset + i * r.width;
        const k = r.data[at + W_KEY]!;
        if (r.data[at + W_COUNT] !== 2 || r.data[at + W_SUM] !== 2 * k + 1) bad++;
      }
      expect(bad).toBe(0);
    }
  }, 60_000);
});
