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
        if (new RegExp(`(\\bconst\\s+|,\\s*)${name}\\s*(:\\s*\\w+\\s*)?=(?!\\s*<u8>ABI_${name}\\b)`).test(code)) redefined.push(`${relative(ROOT, file)}: ${name}`);
      }
    }
    expect(redefined).toEqual([]);
  });
});
