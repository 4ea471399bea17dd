/**
 * assembly/abi.ts is the one place of the core's ABI facts: the built core
 * reports the same widths and limits the host imports, and no other file of
 * assembly/ or src/ defines a constant of the same name.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as abi from '../../assembly/abi.js';
import { loadCore } from '../../src/node/loadCore.js';
import { STATUS_MESSAGES, statusError } from '../../src/core/status.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

describe('the ABI file', () => {
  it('the built core reports the widths and limits the host imports', () => {
    const ex = loadCore().exports;
    expect(ex.core_abi_version()).toBe(abi.CORE_ABI_VERSION);
    expect(ex.out_windows_width()).toBe(abi.WINDOW_WIDTH);
    expect(ex.out_late_width()).toBe(abi.LATE_WIDTH);
    expect(ex.out_stage_width()).toBe(abi.STAGE_WIDTH);
    expect(ex.out_matches_width()).toBe(abi.MATCH_WIDTH);
    expect(ex.scan_rejects_width()).toBe(abi.REJECT_WIDTH);
    expect(ex.scan_field_spans_width()).toBe(abi.SPAN_FIELDS * 12);
    expect(ex.scan_max_key_columns()).toBe(abi.MAX_KEY_COLUMNS);
    expect(ex.stage_thresholds_max()).toBe(abi.MAX_THRESHOLDS);
  });

  it('no other file defines one of its names', () => {
    const names = Object.keys(abi);
    expect(names.length).toBeGreaterThan(80);
    const redefined: string[] = [];
    for (const file of [...tsFiles(join(ROOT, 'assembly')), ...tsFiles(join(ROOT, 'src'))]) {
      if (file.endsWith(join('assembly', 'abi.ts'))) continue;
      const code = readFileSync(file, 'utf8');
      for (const name of names) {
        // `const NAME =` / `, NAME =` in a declaration; the core's u8 copies are `NAME: u8 = <u8>ABI_NAME`
        if (new RegExp(`(\\bconst\\s+|,\\s*)${name}\\s*(:\\s*\\w+\\s*)?=(?!\\s*<u8>ABI_${name}\\b)`).test(code))
          redefined.push(`${relative(ROOT, file)}: ${name}`);
      }
    }
    expect(redefined).toEqual([]);
  });
});

describe('the status codes', () => {
  const codes = Object.entries(abi).filter(([name]) => name.startsWith('E_'));

  it('are unique and each has its message', () => {
    expect(new Set(codes.map(([, code]) => code)).size).toBe(codes.length);
    for (const [name, code] of codes) expect(STATUS_MESSAGES[code], name).toMatch(/\w/);
  });

  it('every configuring export answers with one of them', () => {
    const ex = loadCore().exports;
    expect(ex.window_configure(0, 0, 0, 0, 0)).toBe(abi.E_WINDOW_SIZE);
    expect(ex.stage_zscore(2, 1, 10, 0, 2)).toBe(abi.E_STAGE);
    expect(ex.stage_zscore(0, 1, 1, 0, 2)).toBe(abi.E_ZSCORE);
    expect(ex.stage_holt(0, 1, 0, 0.1, 0.1, 1, 0, 0)).toBe(abi.E_HOLT);
    expect(ex.stage_threshold(0, abi.MAX_THRESHOLDS, 1, NaN)).toBe(abi.E_THRESHOLD_INDEX);
    expect(ex.stage_detector(5, 1)).toBe(abi.E_STAGE);
    expect(ex.stage_window_field(abi.W_END)).toBe(abi.E_WINDOW_FIELD);
    expect(ex.stage_window_field(abi.W_AVG)).toBe(abi.STATUS_OK);
    expect(ex.patterns_define(-1, 64)).toBe(abi.E_PATTERN_COUNT);
    expect(ex.scan_set_field(-1, 0)).toBe(abi.E_SCAN_SLOT);
    expect(ex.scan_csv_columns(-1)).toBe(abi.E_CSV_COLUMNS);
    expect(ex.input_shift(0, 1 << 30)).toBe(abi.E_INPUT_RANGE);
    // value-returning exports: the value, or the negated code
    expect(ex.input_reserve(10)).toBeGreaterThanOrEqual(10);
    expect(ex.input_reserve(-1)).toBe(-abi.E_BATCH_TOO_LARGE);
  });

  it('become errors with their message, settings as RangeError', () => {
    const setting = statusError(abi.E_PATTERN_STEPS, { what: "pattern 'p'" });
    expect(setting).toBeInstanceOf(RangeError);
    expect(setting.message).toBe("pattern 'p': a pattern has 2 to 32 steps");
    const runtime = statusError(abi.E_SNAPSHOT_BODY);
    expect(runtime).not.toBeInstanceOf(RangeError);
    expect(runtime.message).toBe('snapshot is truncated or corrupt');
  });
});
