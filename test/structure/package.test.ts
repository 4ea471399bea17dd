/**
 * What `npm pack` puts in the tarball: the built library, CLI (with its
 * built-in config files), core and browser bundle, the core's sources, docs
 * and licence — no tests, benches
 * or scripts. Every `exports` entry names a types file and a file the
 * tarball holds.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('package.json', `file://${ROOT}`), 'utf8')) as {
  files: string[];
  bin: Record<string, string>;
  exports: Record<string, { types?: string; default?: string } | string>;
};

describe('npm package', () => {
  it('packs the library, the CLI, the cores and the licence, and no tests or benches', () => {
    // --ignore-scripts: `prepare` would rebuild everything; the test run has just built it
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    const files = new Set((JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path));
    for (const f of [
      'LICENSE',
      'README.md',
      'package.json',
      'build/eddy.wasm',
      'dist/src/index.js',
      'dist/src/cli/main.js',
      'dist/browser/eddy.js',
      'assembly/index.ts',
      'src/dashboard/index.html',
      'dist/src/config/builtin/run.json',
      'dist/src/config/builtin/demo.json',
      'dist/src/config/builtin/serve.json',
      'docs/config-reference.md',
    ]) {
      expect(files.has(f), f).toBe(true);
    }
    const stray = [...files].filter((f) => /^(test|bench|scripts|dist\/test|dist\/bench|examples|\.ci|node_modules)\//.test(f));
    expect(stray).toEqual([]);
    expect(files.has(pkg.bin.eddy!.replace(/^\.\//, ''))).toBe(true);
    for (const [entry, target] of Object.entries(pkg.exports)) {
      expect(typeof target, entry).toBe('object');
      const { types, default: main } = target as { types: string; default: string };
      expect(types, `${entry} types`).toMatch(/\.d\.ts$/);
      for (const f of [types, main]) expect(files.has(f.replace(/^\.\//, '')), `${entry}: ${f}`).toBe(true);
    }
  }, 60_000);
});
