/**
 * Window configuration: bad settings are rejected with readable RangeErrors,
 * a rejected configure leaves the core as it was, and a good one empties it.
 */
import { describe, expect, it } from 'vitest';
import { loadCore } from '../../src/node/loadCore.js';
import type { WindowSettings } from '../../src/core/wasmCore.js';
import { E_WINDOW_MODE } from '../../src/core/exports.js';
import { configureCore, feedBatch, readLate, readWindowBits, type WindowConfig } from '../reference/windows.js';

const GOOD: WindowSettings = { sizeMs: 60_000, slideMs: 10_000, delayMs: 5_000, latenessMs: 1_000, mode: 'append' };

describe('configure', () => {
  const rejected: [string, Partial<WindowSettings>, RegExp][] = [
    ['size 0', { sizeMs: 0, slideMs: 0 }, /window size must be a whole number of milliseconds ≥ 1/],
    ['negative size', { sizeMs: -1000 }, /window size/],
    ['fractional size', { sizeMs: 1000.5, slideMs: 1000.5 }, /window size must be a whole number/],
    ['NaN size', { sizeMs: NaN }, /window size/],
    ['infinite size', { sizeMs: Infinity }, /window size/],
    ['slide > size', { sizeMs: 1000, slideMs: 2000 }, /window slide must be a whole number of milliseconds between 1 and the window size/],
    ['slide 0', { slideMs: 0 }, /window slide/],
    ['fractional slide', { slideMs: 2.5 }, /window slide must be a whole number/],
    ['negative delay', { delayMs: -1 }, /watermark delay must be a finite duration ≥ 0/],
    ['NaN delay', { delayMs: NaN }, /watermark delay/],
    ['infinite delay', { delayMs: Infinity }, /watermark delay/],
    ['negative lateness', { latenessMs: -0.5 }, /allowed lateness must be a finite duration ≥ 0/],
    ['infinite lateness', { latenessMs: Infinity }, /allowed lateness/],
    // panes per key = ceil((size + delay + lateness) / gcd(size, slide))
    ['65537 panes (size 65537, slide 1)', { sizeMs: 65_537, slideMs: 1, delayMs: 0, latenessMs: 0 }, /more than 65536 panes per key/],
    ['65537 panes (delay pushes it over)', { sizeMs: 1000, slideMs: 1, delayMs: 64_537, latenessMs: 0 }, /more than 65536 panes per key/],
    [
      '65537 panes (lateness pushes it over)',
      { sizeMs: 60_000, slideMs: 60_000, delayMs: 0, latenessMs: 65_536 * 60_000 - 60_000 + 1 },
      /more than 65536 panes/,
    ],
    ['65536.5 panes (a fractional pane count rounds up)', { sizeMs: 2, slideMs: 2, delayMs: 131_071, latenessMs: 0 }, /more than 65536 panes/],
    ['coprime size and slide (pane 1 ms)', { sizeMs: 86_400_000, slideMs: 7 }, /65536 panes per key.*use a larger slide or a shorter delay/],
  ];
  for (const [name, patch, message] of rejected) {
    it(`rejects ${name} with a readable RangeError`, () => {
      const core = loadCore();
      let err: unknown;
      try {
        core.configure({ ...GOOD, ...patch });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RangeError);
      expect((err as Error).message).toMatch(message);
    });
  }

  const accepted: [string, Partial<WindowSettings>][] = [
    ['tumbling', { sizeMs: 60_000, slideMs: 60_000 }],
    ['slide = 1 ms', { sizeMs: 10, slideMs: 1 }],
    ['size not a multiple of slide', { sizeMs: 5, slideMs: 2 }],
    ['exactly 65536 panes', { sizeMs: 65_536, slideMs: 1, delayMs: 0, latenessMs: 0 }],
    ['exactly 65536 panes with delay and lateness', { sizeMs: 1000, slideMs: 1, delayMs: 64_000, latenessMs: 536 }],
    ['fractional delay and lateness', { delayMs: 0.5, latenessMs: 2.25 }],
    ['zero delay and lateness', { delayMs: 0, latenessMs: 0 }],
    ['update mode', { mode: 'update' }],
  ];
  for (const [name, patch] of accepted) {
    it(`accepts ${name}`, () => {
      expect(() => loadCore().configure({ ...GOOD, ...patch })).not.toThrow();
    });
  }

  it('the raw export rejects an unknown mode code with E_WINDOW_MODE', () => {
    expect(loadCore().exports.window_configure(1000, 1000, 0, 0, 2)).toBe(E_WINDOW_MODE);
    expect(loadCore().exports.window_configure(1000, 1000, 0, 0, -1)).toBe(E_WINDOW_MODE);
  });

  // WasmCore.configure maps every mode other than 'update' to append, so the
  // core's "output mode must be append or update" check is unreachable from the host.
  it('rejects an unknown mode string (from untyped callers) with a RangeError', () => {
    const bad = { ...GOOD, mode: 'upsert' } as unknown as WindowSettings;
    expect(() => loadCore().configure(bad)).toThrow(RangeError);
  });

  it('a rejected configure leaves config and state untouched', () => {
    const cfg: WindowConfig = { size: 5, slide: 2, delay: 1, lateness: 1, mode: 'append' };
    const events = Array.from({ length: 60 }, (_, i) => ({ ts: i - (i % 3), key: i % 4, value: i * 1.5 }));
    const run = (interfere: boolean): string[] => {
      const core = loadCore();
      configureCore(core, cfg);
      const out: string[] = [];
      for (let i = 0; i < events.length; i += 20) {
        if (interfere) expect(() => core.configure({ ...GOOD, slideMs: 0 })).toThrow(RangeError);
        feedBatch(core, events.slice(i, i + 20));
        out.push(Array.from(readWindowBits(core)).join(','), JSON.stringify(readLate(core)), String(core.watermark()));
      }
      core.flush();
      out.push(Array.from(readWindowBits(core)).join(','));
      return out;
    };
    expect(run(true)).toEqual(run(false));
  });

  it('a successful configure empties all state', () => {
    const core = loadCore();
    core.configure(GOOD);
    feedBatch(core, [{ ts: 1_000_000, key: 3, value: 1 }]);
    expect(core.watermark()).toBe(995_000);
    core.configure({ ...GOOD, mode: 'update' });
    expect(core.watermark()).toBeNull();
    expect(core.exports.stats_events()).toBe(0);
    expect(core.exports.stats_active_keys()).toBe(0);
    core.flush();
    expect(core.windowRecords().count).toBe(0);
  });
});
