/**
 * The layers of src/ point one way: cli → server / kafka / config → engine →
 * core, with sources and sinks depending on the engine's contracts (Source,
 * Sink, records) and never the reverse. No import cycle between files, and
 * the library entry (`eddy`, src/index.ts) loads neither uWebSockets.js nor
 * kafkajs (kafkajs is imported when the first Kafka client is made).
 *
 * Folder rules live in ALLOWED: a folder may import itself and the folders
 * listed. CONTRIBUTING.md shows the same map.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** What each folder of src/ may import besides itself ('.' is src/index.ts). */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  engine: ['core'],
  node: ['core'],
  checkpoint: ['engine', 'core'],
  sources: ['engine', 'core'],
  sinks: ['engine', 'core'],
  dashboard: [],
  config: ['engine', 'core', 'node', 'sources', 'sinks', 'kafka', 'checkpoint'],
  kafka: ['engine', 'core', 'sinks', 'checkpoint', 'config'],
  server: ['engine', 'core', 'node', 'sources', 'sinks', 'config', 'dashboard'],
  browser: ['engine', 'core', 'sources', 'sinks', 'server'],
  cli: ['engine', 'core', 'node', 'sources', 'sinks', 'config', 'kafka', 'server', 'checkpoint'],
  '.': ['engine', 'core', 'node', 'sources', 'sinks', 'config', 'server', 'checkpoint'],
};
/** The only files of server/ that the engine-level entries (browser, index) may reach: format code with no uWebSockets.js. */
const SERVER_FORMATS = new Set(['server/columnarFormat.ts']);

interface Import {
  target: string;
  typeOnly: boolean;
  dynamic: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [relative(SRC, path)] : [];
  });
}

/** A file's imports: relative ones resolved to src/-relative .ts paths, packages by name. */
function importsOf(file: string): Import[] {
  const code = readFileSync(join(SRC, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"])\/\/.*$/gm, '$1');
  const out: Import[] = [];
  const add = (spec: string, typeOnly: boolean, dynamic: boolean): void => {
    const target = spec.startsWith('.') ? normalize(join(dirname(file), spec.replace(/\.js$/, '.ts'))) : spec;
    out.push({ target, typeOnly, dynamic });
  };
  for (const m of code.matchAll(/^\s*(import|export)(\s+type)?\b[^;]*?\bfrom\s*'([^']+)'/gm)) add(m[3]!, m[2] !== undefined, false);
  for (const m of code.matchAll(/^\s*import\s*'([^']+)'/gm)) add(m[1]!, false, false);
  for (const m of code.matchAll(/\bimport\s*\(\s*'([^']+)'\s*\)/g)) add(m[1]!, false, true);
  return out;
}

const folderOf = (file: string): string => (file.includes('/') ? file.split('/')[0]! : '.');

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

/** Imports between folders that the layer map does not allow. */
function violations(g: ReadonlyMap<string, readonly Import[]>): string[] {
  const wrong: string[] = [];
  for (const [file, imports] of g) {
    const from = folderOf(file);
    for (const { target } of imports) {
      if (!g.has(target)) continue; // a package
      const to = folderOf(target);
      if (to === from) continue;
      const allowed = ALLOWED[from];
      if (allowed === undefined) wrong.push(`${file}: folder ${from} has no layer rule`);
      else if (!allowed.includes(to)) wrong.push(`${file} imports ${target} (${from} → ${to})`);
      else if (to === 'server' && (from === 'browser' || from === '.') && !SERVER_FORMATS.has(target))
        wrong.push(`${file} imports ${target}: only server formats from ${from}`);
    }
  }
  return wrong;
}

describe('layers of src/', () => {
  it('every import between folders is one the layer map allows', () => {
    expect(violations(graph)).toEqual([]);
  });

  it('catches a wrong arrow (the engine importing a source, the library entry importing the CLI)', () => {
    const bad = new Map(graph);
    bad.set('engine/batchEngine.ts', [...graph.get('engine/batchEngine.ts')!, { target: 'sources/file.ts', typeOnly: true, dynamic: false }]);
    bad.set('index.ts', [...graph.get('index.ts')!, { target: 'cli/main.ts', typeOnly: false, dynamic: false }]);
    expect(violations(bad)).toEqual(['engine/batchEngine.ts imports sources/file.ts (engine → sources)', 'index.ts imports cli/main.ts (. → cli)']);
  });

  it('has no import cycle between files (type imports included)', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]): void => {
      const s = state.get(file);
      if (s === 'done') return;
      if (s === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const { target } of graph.get(file) ?? []) if (graph.has(target)) visit(target, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it("the library entry 'eddy' loads neither uWebSockets.js nor kafkajs (statically), and the walk sees them where they are", () => {
    const reach = (entry: string): { files: Set<string>; packages: Set<string> } => {
      const seen = new Set<string>();
      const packages = new Set<string>();
      const walk = (file: string): void => {
        if (seen.has(file)) return;
        seen.add(file);
        for (const { target, typeOnly, dynamic } of graph.get(file) ?? []) {
          if (typeOnly || dynamic) continue; // erased, or loaded on use
          if (graph.has(target)) walk(target);
          else if (!target.startsWith('node:')) packages.add(target);
        }
      };
      walk(entry);
      return { files: seen, packages };
    };
    const library = reach('index.ts');
    expect([...library.packages]).not.toContain('uWebSockets.js');
    expect([...library.packages]).not.toContain('kafkajs');
    expect(library.files.has('engine/api.ts')).toBe(true);
    // the check can fail: the server entry does load uWebSockets.js
    expect([...reach('server/index.ts').packages]).toContain('uWebSockets.js');
  });
});
