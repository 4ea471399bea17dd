/**
 * The browser entry (src/browser/index.ts) must run where there is no Node:
 * nothing in its import graph may use node:* modules, Node built-ins,
 * require, Buffer, process or __dirname, and esbuild must bundle it for the
 * browser platform without any Node shim. Besides src/, the graph holds
 * assembly/abi.ts (plain constants shared with the wasm core).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const srcRoot = new URL('../../src/', import.meta.url);

/** Source files reachable from `entry` (relative to src/), with every bare or Node-only specifier found. */
function walk(entry: string): { files: Set<string>; problems: string[] } {
  const files = new Set<string>();
  const problems: string[] = [];
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(new URL(file, srcRoot), 'utf8');
    // Comments may mention Buffer or process; code may not.
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
    for (const [pattern, what] of [
      [/\brequire\s*\(/, 'require()'],
      [/\bBuffer\b/, 'Buffer'],
      [/\bprocess\s*\./, 'process'],
      [/\b__dirname\b|\b__filename\b/, '__dirname/__filename'],
      [/\bglobal\s*\./, 'global (use globalThis)'],
    ] as const) {
      if (pattern.test(code)) problems.push(`${file}: uses ${what}`);
    }
    // Static imports and re-exports (`import … from`, `export … from`, side-effect `import '…'`) and dynamic import().
    const specifiers = [
      ...code.matchAll(/\bfrom\s*'([^']+)'/g),
      ...code.matchAll(/\bimport\s*'([^']+)'/g),
      ...code.matchAll(/\bimport\s*\(\s*'([^']+)'\s*\)/g),
    ].map((m) => m[1]!);
    for (const spec of specifiers) {
      if (!spec.startsWith('.')) {
        const builtin = spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0]!);
        problems.push(`${file}: imports ${builtin ? 'the Node module' : 'the package'} '${spec}'`);
        continue;
      }
      if (!spec.endsWith('.js')) {
        problems.push(`${file}: relative import '${spec}' without the .js suffix`);
        continue;
      }
      const next = new URL(spec.replace(/\.js$/, '.ts'), new URL(file, srcRoot));
      // files outside src/ (assembly/abi.ts) are named relative to src/ too: ../assembly/abi.ts
      const repoRoot = new URL('../', srcRoot).href;
      visit(next.href.startsWith(srcRoot.href) ? next.href.slice(srcRoot.href.length) : `../${next.href.slice(repoRoot.length)}`);
    }
  };
  visit(entry);
  return { files, problems };
}

describe('browser entry: no Node-only code in its import graph', () => {
  it('walks src/browser/index.ts and finds no node:*, built-in, package, require, Buffer or process', () => {
    const { files, problems } = walk('browser/index.ts');
    expect(problems).toEqual([]);
    // The walk really went through the engine, the core and the exported sources and sinks.
    for (const file of [
      'engine/api.ts',
      'engine/query.ts',
      'core/wasmCore.ts',
      'sources/generator.ts',
      'sources/array.ts',
      'sinks/memory.ts',
      'sinks/callback.ts',
      'server/columnarFormat.ts',
    ]) {
      expect(files.has(file), file).toBe(true);
    }
    // …and not into the Node-only parts.
    for (const file of files) expect(file, file).not.toMatch(/^(node|cli|kafka|checkpoint)\/|sinks\/(file|console)\.ts$|sources\/(file|stdin)\.ts$/);
  });

  it('the walker catches Node-only imports (a file that has them fails)', () => {
    const { problems } = walk('node/loadCore.ts');
    expect(problems.join('\n')).toMatch(/imports the Node module 'node:fs'/);
    expect(problems.join('\n')).toMatch(/uses process/);
  });

  it("esbuild bundles it with platform 'browser', no Node shims, only files under src/", async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('browser/index.ts', srcRoot))],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.length).toBeGreaterThan(20);
    // src/ and the ABI facts the core and the host share (assembly/abi.ts)
    for (const input of inputs) expect(input, input).toMatch(/^(src\/[a-zA-Z/]+|assembly\/abi)\.ts$/);
    const js = result.outputFiles[0]!.text;
    expect(js).not.toMatch(/\brequire\(|__require|\bprocess\.env|\bBuffer\.|from\s*"node:/);
    // The wasm is found beside the bundle at run time, not inlined.
    expect(js).toContain('new URL("./eddy.wasm", import.meta.url)');
  });
});
