import { it } from 'vitest';
import { loadCore } from '../../src/node/loadCore.js';
import { configureCore, feedBatch } from '../reference/windows.js';
import { mulberry32 } from '../support/prng.js';
it('probe', () => {
  const src = loadCore();
  configureCore(src, { size: 5, slide: 2, delay: 3, lateness: 2, mode: 'update' });
  const rnd = mulberry32(5);
  const ev = Array.from({ length: 200 }, (_, i) => ({ ts: i + Math.floor(rnd()*4), key: Math.floor(rnd()*5), value: rnd() }));
  feedBatch(src, ev);
  const good = src.snapshot();
  console.log('len', good.length);
  const res: Record<string, number> = {};
  const examples: Record<string, string> = {};
  for (let trial = 0; trial < 3000; trial++) {
    const b = good.slice();
    const pos = 12 + Math.floor(rnd() * (Math.min(b.length, 200) - 12));
    const kind = trial % 3;
    if (kind === 0) b[pos] = b[pos]! ^ (1 << Math.floor(rnd()*8));
    else if (kind === 1) new DataView(b.buffer).setInt32(pos - (pos % 4), 0x7fffffff, true);
    else new DataView(b.buffer).setInt32(pos - (pos % 4), -5, true);
    const c = loadCore();
    let outcome = 'ok';
    try { c.restore(b); } catch (e) { outcome = 'restore:' + (e as Error).constructor.name + ':' + (e as Error).message.slice(0, 60); }
    if (outcome === 'ok') {
      try { feedBatch(c, ev.map(e => ({ ...e, ts: e.ts + 150 }))); c.flush(); c.snapshot(); } catch (e) { outcome = 'after:' + (e as Error).constructor.name + ':' + (e as Error).message.slice(0, 80); }
    }
    res[outcome] = (res[outcome] ?? 0) + 1;
    examples[outcome] ??= `kind ${kind} pos ${pos}`;
  }
  console.log(res, examples);
});
