/**
 * `npm run bench:browser`: the wasm core's throughput in headless Chromium
 * against Node, on the workload and kernel of bench/core.bench.ts (10,000
 * keys, batches of 65,536 events, windows 5 min sliding by 1 min, watermark
 * delay 10 min; the columns already in wasm memory, only `batch_process`
 * timed).
 *
 * Both sides run the same code on the same bytes: the kernel is
 * bench/browser/kernel.ts (the page loads its build as a module), the core is
 * dist/browser/eddy.wasm (the page through dist/browser/eddy.js and
 * createBrowserEddy, Node through WasmCore.create), and the workload is
 * generated once here and shipped to the page as one eddy columnar frame
 * (encodeColumns → decodeColumns). Both must emit the same windows before
 * anything is timed. The page is served cross-origin isolated (COOP/COEP),
 * so performance.now() has Chromium's fine resolution (5 µs, not 100 µs).
 *
 * Timing alternates Node and Chromium in rounds, so a load spike on a busy
 * machine hurts both; the figure per side is events over the summed timed
 * calls (slow batches included), with the median batch beside it.
 *
 * Environment: BENCH_TIME_MS (timed work per side, default 3000),
 * BENCH_ROUNDS (default 6), EDDY_CHROMIUM (default /usr/bin/chromium).
 * Prints a table, then one JSON line with the figures (last line).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { WasmCore } from '../src/core/wasmCore.js';
import { W_COUNT, W_KEY, W_SUM } from '../src/core/exports.js';
import { encodeColumns } from '../src/server/columnarFormat.js';
import { repoRoot, startStaticServer } from '../test/browser/staticServer.js';
import { KernelRunner, checkRun, median, type KernelSettings, type KernelTiming } from './browser/kernel.js';
import { makeWorkload } from './workload.js';

const KEYS = 10_000;
const BATCH = 65_536;
const BATCHES = 24;
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 3000);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 6));
const WARMUP_MS = 500;
const CHROMIUM = process.env.EDDY_CHROMIUM ?? '/usr/bin/chromium';

const root = repoRoot();
const bundlePath = join(root, 'dist/browser/eddy.js');
const wasmPath = join(root, 'dist/browser/eddy.wasm');
const kernelPath = join(root, 'dist/bench/browser/kernel.js');
for (const path of [bundlePath, wasmPath, kernelPath]) {
  if (!existsSync(path)) throw new Error(`${path} is missing: run npm run build (npm run bench:browser does)`);
}
if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install it (apt install chromium) or set EDDY_CHROMIUM`);

const settings: KernelSettings = {
  batch: BATCH,
  keys: KEYS,
  sizeMs: 5 * 60_000,
  slideMs: 60_000,
  delayMs: 10 * 60_000,
  fields: { count: W_COUNT, sum: W_SUM, key: W_KEY },
};

// ── workload: bench/workload.ts as columns, key_i → i ───────────────────────
const events = makeWorkload(KEYS, BATCHES, BATCH).flat();
const data = {
  ts: Float64Array.from(events, (e) => e.timestamp),
  key: Int32Array.from(events, (e) => Number(e.metric.slice(4))),
  value: Float64Array.from(events, (e) => e.value),
};
const frame = encodeColumns({ ...data, keys: Array.from({ length: KEYS }, (_, i) => `key_${i}`) });

// ── Node ────────────────────────────────────────────────────────────────────
const wasm = readFileSync(wasmPath);
const module = await WebAssembly.compile(wasm);
const nodeCheck = checkRun(WasmCore.fromModule(module), data, settings);
const nodeRunner = new KernelRunner(WasmCore.fromModule(module), data, settings);

// ── Chromium ────────────────────────────────────────────────────────────────
const server = await startStaticServer({
  mounts: { '/dist/browser/': join(root, 'dist/browser'), '/bench/': join(root, 'dist/bench/browser') },
  files: {
    '/bench/index.html': {
      body: '<!doctype html><meta charset="utf-8"><title>eddy bench</title><link rel="icon" href="data:,">',
      type: 'text/html; charset=utf-8',
    },
    '/bench/workload.bin': { body: frame, type: 'application/vnd.eddy.columns' },
  },
  // Cross-origin isolation: Chromium then gives performance.now() 5 µs resolution instead of 100 µs.
  headers: { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' },
});
const profile = mkdtempSync(join(tmpdir(), 'eddy-bench-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
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
});

interface PageSide {
  check: { windows: number; counted: number; checksum: number };
  isolated: boolean;
  resolutionMs: number;
  userAgent: string;
}

try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await page.goto(`${server.origin}/bench/index.html`);
  const side = await page.evaluate(async (s: KernelSettings): Promise<PageSide> => {
    // Runs in the page: the shipped bundle, the same kernel module, the same frame.
    type Lib = typeof import('../src/browser/index.js');
    type Kernel = typeof import('./browser/kernel.js');
    const lib = (await import('/dist/browser/eddy.js' as string)) as Lib;
    const kernel = (await import('/bench/kernel.js' as string)) as Kernel;
    const eddy = await lib.createBrowserEddy();
    const decoded = lib.decodeColumns(new Uint8Array(await (await fetch('/bench/workload.bin')).arrayBuffer()));
    if (lib.isColumnarError(decoded)) throw new Error(decoded.error);
    const d = { ts: decoded.ts, key: decoded.key, value: decoded.value };
    const check = kernel.checkRun(eddy.createCore(), d, s);
    (globalThis as unknown as { runner: unknown }).runner = new kernel.KernelRunner(eddy.createCore(), d, s);
    // Smallest step performance.now() shows.
    let resolutionMs = Infinity;
    for (let i = 0, last = performance.now(); i < 200_000 && resolutionMs > 0.001; i++) {
      const t = performance.now();
      if (t > last) {
        resolutionMs = Math.min(resolutionMs, t - last);
        last = t;
      }
    }
    return { check, isolated: globalThis.crossOriginIsolated, resolutionMs, userAgent: navigator.userAgent };
  }, settings);

  if (JSON.stringify(side.check) !== JSON.stringify(nodeCheck)) {
    throw new Error(`Chromium and Node disagree on the windows: ${JSON.stringify({ chromium: side.check, node: nodeCheck })}`);
  }
  console.log(`checked: ${nodeCheck.windows} windows, ${nodeCheck.counted} window memberships, identical in Chromium and Node`);

  const pageRun = (ms: number): Promise<KernelTiming> => page.evaluate((m) => (globalThis as unknown as { runner: KernelRunner }).runner.run(m, 3), ms);

  // Warm up both (wasm tier-up, state for 10,000 keys), then alternate timed rounds.
  nodeRunner.run(WARMUP_MS, 3);
  await pageRun(WARMUP_MS);
  const perRound = TIME_MS / ROUNDS;
  const node: KernelTiming[] = [],
    browser: KernelTiming[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    node.push(nodeRunner.run(perRound, 3));
    browser.push(await pageRun(perRound));
  }

  const sum = (runs: KernelTiming[]) => {
    const batchMs = runs.flatMap((x) => x.batchMs);
    const evts = runs.reduce((n, x) => n + x.events, 0);
    const ms = runs.reduce((n, x) => n + x.timedMs, 0);
    return {
      events: evts,
      ms,
      batches: batchMs.length,
      perS: evts / (ms / 1000),
      nsMean: (ms * 1e6) / evts,
      nsMedian: (median(batchMs) * 1e6) / BATCH,
      rounds: runs.map((x) => x.events / (x.timedMs / 1000)),
    };
  };
  const c = sum(browser),
    n = sum(node);
  const chromiumVersion = context.browser()?.version() ?? side.userAgent;

  const bundle = readFileSync(bundlePath);
  const gz = (b: Uint8Array) => gzipSync(b, { level: 9 }).length;
  const sizes = { wasm_bytes: wasm.length, wasm_gzip_bytes: gz(wasm), bundle_bytes: bundle.length, bundle_gzip_bytes: gz(bundle) };

  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  console.table([
    {
      engine: `Chromium ${chromiumVersion} (page)`,
      'events/s': fmt(c.perS),
      'ns/event': c.nsMean.toFixed(2),
      'ns/event (median batch)': c.nsMedian.toFixed(2),
      'batches timed': c.batches,
      'events/s per round': c.rounds.map(fmt).join(' / '),
    },
    {
      engine: `Node ${process.version}`,
      'events/s': fmt(n.perS),
      'ns/event': n.nsMean.toFixed(2),
      'ns/event (median batch)': n.nsMedian.toFixed(2),
      'batches timed': n.batches,
      'events/s per round': n.rounds.map(fmt).join(' / '),
    },
  ]);
  console.log(
    `workload: ${KEYS} keys, batches of ${BATCH}, windows 5 min / 1 min, delay 10 min; kernel only (batch_process on columns in wasm memory); ${ROUNDS} alternating rounds, ${TIME_MS} ms timed per side`,
  );
  console.log(
    `page timer: ${side.isolated ? 'cross-origin isolated' : 'NOT cross-origin isolated'}, performance.now() resolution ${(side.resolutionMs * 1000).toFixed(1)} µs`,
  );
  console.log(
    `sizes: wasm ${sizes.wasm_bytes} B (${sizes.wasm_gzip_bytes} B gzip -9), bundle dist/browser/eddy.js ${sizes.bundle_bytes} B (${sizes.bundle_gzip_bytes} B gzip -9)`,
  );
  console.log(
    JSON.stringify({
      bench: 'browser',
      chromium_events_per_s: Math.round(c.perS),
      node_events_per_s: Math.round(n.perS),
      ratio: Number((c.perS / n.perS).toFixed(3)),
      ...sizes,
      chromium_ns_per_event_median: Number(c.nsMedian.toFixed(3)),
      node_ns_per_event_median: Number(n.nsMedian.toFixed(3)),
      chromium_version: chromiumVersion,
      node_version: process.version,
      keys: KEYS,
      batch: BATCH,
    }),
  );
} finally {
  await context.close();
  await server.close();
  rmSync(profile, { recursive: true, force: true });
}
