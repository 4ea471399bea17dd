import { it, expect } from 'vitest';
import { loadCore } from '../../src/node/loadCore.js';
import { runSequenceCore, runSequenceReference, matchText } from '../reference/sequence.js';
it('smoke', () => {
  const pats = [{ types: [0, 1, 2], strict: [false, false, false], within: 5 }];
  const ev = [0, 1, 3, 2, 0, 0, 1, 2].map((type, i) => ({ ts: i, key: 0, type }));
  const core = runSequenceCore(() => loadCore(), pats, ev);
  const ref = runSequenceReference(pats, ev);
  console.log(matchText(core.batches), matchText(ref));
  expect(matchText(core.batches)).toEqual(matchText(ref));
});
