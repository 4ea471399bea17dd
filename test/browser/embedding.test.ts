/**
 * eddy embedded in a real browser: headless Chromium (playwright-core driving
 * Debian's /usr/bin/chromium) opens examples/browser/index.html from a local
 * static server; the wasm core runs the example query in the page and in a
 * Web Worker, and both must produce exactly the same window results as Node
 * on the same seeded input (the Node side runs the same query through
 * createEddy from src/ with the Node loader). The bundle is also run under
 * Node from bytes, as an edge runtime without fetch-able URLs would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { chromium, type BrowserContext } from 'playwright-core';
import { createEddy } from '../../src/engine/api.js';
import { loadCore, corePath } from '../../src/node/loadCore.js';
// (aliased: vitest rewrites module-scope names, and the functions run in the page need the page's own `window`)
import { window as timeWindow } from '../../src/engine/windowColumn.js';
import { avg, stddev, min, max, count } from '../../src/engine/aggregates.js';
import { generatorSource } from '../../src/sources/generator.js';
import { callbackSink } from '../../src/sinks/callback.js';
// @ts-expect-error -- plain JS module shared with the example page
import { EXAMPLE, runExample } from '../../examples/browser/query.js';
import { exampleMounts, repoRoot, startStaticServer, type StaticServer } from './staticServer.js';

const CHROMIUM = '/usr/bin/chromium';
const root = repoRoot();
const bundle = join(root, 'dist/browser/eddy.js');
const bundledWasm = join(root, 'dist/browser/eddy.wasm');

interface ExampleResult {
  rows: Record<string, unknown>[];
  events: number;
  lateEvents: number;
  elapsedMs: number;
}
const run = runExample as (lib: unknown, eddy: unknown, options?: unknown) => Promise<ExampleResult>;
const nodeLib = { window: timeWindow, avg, stddev, min, max, count, generatorSource, callbackSink };

/** Newest modification time of the files the bundle may be built from (src/ without the dashboard, a bundle of its own). */
function newestSource(dir = join(root, 'src')): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (path === join(root, 'src/dashboard')) continue;
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * `npm test` builds dist/browser first; a bare `vitest run` after editing src
 * may find it missing or stale, so rebuild just the browser bundle then (the
 * same esbuild settings as scripts/buildWeb.mjs).
 */
async function ensureBundle(): Promise<void> {
  const fresh =
    existsSync(bundle) &&
    existsSync(bundledWasm) &&
    statSync(bundle).mtimeMs >= newestSource() &&
    statSync(bundledWasm).mtimeMs >= statSync(corePath('release')).mtimeMs;
  if (fresh) return;
  await build({
    entryPoints: [join(root, 'src/browser/index.ts')],
    outfile: bundle,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    legalComments: 'eof',
    logLevel: 'warning',
  });
  mkdirSync(join(root, 'dist/browser'), { recursive: true });
  copyFileSync(corePath('release'), bundledWasm);
}

let nodeResult: ExampleResult;

beforeAll(async () => {
  await ensureBundle();
  nodeResult = await run(nodeLib, createEddy({ createCore: () => loadCore('release') }));
}, 120_000);

describe('the example query in Node', () => {
  it('gives a non-trivial set of windows (the reference for the browser)', () => {
    expect(nodeResult.events).toBe(EXAMPLE.limit);
    expect(nodeResult.lateEvents).toBeGreaterThan(0);
    expect(nodeResult.rows.length).toBeGreaterThan(600);
    expect(nodeResult.rows.some((r) => r.is_anomaly === true)).toBe(true);
    expect(Object.keys(nodeResult.rows[0]!)).toEqual([
      'window',
      'metric',
      'avg_value',
      'stddev_value',
      'min_value',
      'max_value',
      'count',
      'rolling_avg',
      'rolling_stddev',
      'zscore',
      'is_anomaly',
      'anomaly_score',
    ]);
  });

  it('the browser bundle run under Node from bytes (as an edge runtime would) gives the same results', async () => {
    const lib = (await import(pathToFileURL(bundle).href)) as { createBrowserEddy(wasm: Uint8Array): Promise<unknown> };
    const eddy = await lib.createBrowserEddy(new Uint8Array(readFileSync(bundledWasm)));
    const result = await run(lib, eddy);
    expect(JSON.stringify(result.rows)).toBe(JSON.stringify(nodeResult.rows));
  });
});

const haveChromium = existsSync(CHROMIUM);
describe.skipIf(!haveChromium)(
  haveChromium ? 'the example in headless Chromium' : `the example in headless Chromium — skipped: ${CHROMIUM} is not installed`,
  () => {
    let server: StaticServer;
    let browser: BrowserContext;
    let profile: string;

    beforeAll(async () => {
      server = await startStaticServer({ mounts: exampleMounts(root) });
      profile = mkdtempSync(join(tmpdir(), 'eddy-chromium-'));
      // A fresh profile in a temp folder, removed afterwards.
      browser = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          '--disable-quic',
        ],
        timeout: 60_000,
      });
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      if (profile) rmSync(profile, { recursive: true, force: true });
    });

    it('runs the wasm core in the page and in a Worker, with exactly the results Node gives', async () => {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      // Count compileStreaming calls, to see the page compile the core while it downloads.
      await page.addInitScript(() => {
        const g = globalThis as unknown as { __eddyStreamed: number };
        const original = WebAssembly.compileStreaming.bind(WebAssembly);
        g.__eddyStreamed = 0;
        WebAssembly.compileStreaming = (source) => {
          g.__eddyStreamed++;
          return original(source);
        };
      });
      await page.goto(`${server.origin}/examples/browser/index.html`);
      await page.waitForFunction(
        () => {
          const s = (window as unknown as { eddyExample?: { status: string } }).eddyExample?.status;
          return s === 'done' || s === 'error';
        },
        undefined,
        { timeout: 90_000 },
      );
      const state = await page.evaluate(() => {
        const s = (
          window as unknown as {
            eddyExample: { status: string; error: string | null; identical: boolean; pointsDrawn: number; page: ExampleResult; worker: ExampleResult };
          }
        ).eddyExample;
        return {
          status: s.status,
          error: s.error,
          identical: s.identical,
          pointsDrawn: s.pointsDrawn,
          page: JSON.stringify(s.page.rows),
          worker: JSON.stringify(s.worker?.rows),
          events: s.page.events,
          workerEvents: s.worker?.events,
          late: s.page.lateEvents,
        };
      });
      expect(state.error).toBeNull();
      expect(state.status).toBe('done');
      expect(problems).toEqual([]);
      const expected = JSON.stringify(nodeResult.rows);
      expect(state.events).toBe(nodeResult.events);
      expect(state.late).toBe(nodeResult.lateEvents);
      expect(state.page).toBe(expected);
      expect(state.workerEvents).toBe(nodeResult.events);
      expect(state.worker).toBe(expected);
      expect(state.identical).toBe(true);
      expect(state.pointsDrawn).toBe(nodeResult.rows.length);
      // The page fetched the core once (with the wasm MIME type, so compileStreaming could take it)
      // and handed the compiled module to the worker, which fetched nothing.
      expect(server.log.filter((l) => l.includes('eddy.wasm'))).toEqual(['GET /dist/browser/eddy.wasm 200']);
      expect(await page.evaluate(() => (globalThis as unknown as { __eddyStreamed: number }).__eddyStreamed)).toBe(1);
      if (process.env.EDDY_SCREENSHOT) await page.screenshot({ path: process.env.EDDY_SCREENSHOT, fullPage: true });
      expect(server.log.filter((l) => !l.endsWith(' 200'))).toEqual([]);
      await page.close();
    }, 120_000);

    it('a Worker fetches and compiles the core itself when given no module', async () => {
      const page = await browser.newPage();
      await page.goto(`${server.origin}/examples/browser/index.html`);
      await page.waitForFunction(() => (window as unknown as { eddyExample?: { status: string } }).eddyExample?.status !== 'running', undefined, {
        timeout: 90_000,
      });
      const rows = await page.evaluate(async (limit) => {
        const worker = new Worker('/examples/browser/worker.js', { type: 'module' });
        const result = await new Promise<{ rows?: unknown[]; error?: string }>((resolve) => {
          worker.onmessage = (e) => resolve(e.data as { rows?: unknown[]; error?: string });
          worker.onerror = (e) => resolve({ error: e.message });
          worker.postMessage({ options: { ...(window as unknown as { eddyExample: { options: object } }).eddyExample.options, limit } });
        });
        worker.terminate();
        if (result.error) throw new Error(result.error);
        return JSON.stringify(result.rows);
      }, 8_000);
      const node = await run(nodeLib, createEddy({ createCore: () => loadCore('release') }), { ...EXAMPLE, limit: 8_000 });
      expect(rows).toBe(JSON.stringify(node.rows));
      expect(JSON.parse(rows).length).toBeGreaterThan(50);
      await page.close();
    }, 120_000);
  },
);
