/**
 * WasmCore (with the scanner it makes, src/core/) is the only caller of the
 * wasm exports: everything else in src/ goes through its methods, so a
 * status code is checked in one place. `core.exports` is for tests and
 * benches that drive the core directly.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.ts') ? [path] : [];
  });
}

describe('callers of the wasm exports', () => {
  it('no file of src/ outside src/core/ reads core.exports', () => {
    const readers = files(SRC)
      .filter((f) => !relative(SRC, f).startsWith('core'))
      .filter((f) =>
        /\.exports\b(?!\s*[=:])/.test(
          readFileSync(f, 'utf8')
            .replace(/\/\*[\s\S]*?\*\//g, '')
            .replace(/\/\/.*$/gm, ''),
        ),
      )
      .map((f) => relative(SRC, f));
    expect(readers).toEqual([]);
  });
});
