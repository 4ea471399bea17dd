/**
 * Holds 1 M keys in one core (bench config: 5 min / 1 min windows, 10 min
 * delay) and prints the process RSS as JSON; run by core.bench.ts in its
 * own process so nothing else inflates the figure.
 *
 * Every key gets events in open windows, so all 1 M key blocks hold data;
 * the host's key interner holds the 1 M names too, as a real query would.
 */
import { loadCore } from '../src/node/loadCore.js';
import { KeyInterner } from '../src/engine/interner.js';

const KEYS = Number(process.env.RSS_KEYS ?? 1_000_000);
const core = loadCore();
core.configure({ sizeMs: 300_000, slideMs: 60_000, delayMs: 600_000, latenessMs: 0, mode: 'append' });
const interner = new KeyInterner();
const BATCH = 65_536;
const t0 = Date.UTC(2024, 0, 1);
let done = 0;
while (done < KEYS) {
  const n = Math.min(BATCH, KEYS - done);
  const cols = core.reserve(n);
  for (let i = 0; i < n; i++) {
    const k = done + i;
    cols.ts[i] = t0 + (k % 60) * 1000;
    cols.key[i] = interner.internOne(`key_${k}`);
    cols.value[i] = k % 100;
  }
  core.process(n);
  done += n;
}
if (core.exports.stats_keys() !== KEYS || core.exports.stats_active_keys() !== KEYS) {
  throw new Error(`expected ${KEYS} active keys, core has ${core.exports.stats_active_keys()}`);
}
(globalThis as { gc?: () => void }).gc?.();
console.log(JSON.stringify({ keys: KEYS, rss_mb: process.memoryUsage().rss / 2 ** 20, wasm_mb: core.memoryBytes() / 2 ** 20 }));
