/**
 * A chunk scanned once and processed in slices (a paced replay, `eddy
 * detect`: BatchEngine.scanBatch + processScanned) gives the outputs of
 * processing it in one call: the same scored events with their type values
 * and row numbers, the same pattern matches, the rejects with the first
 * slice, however the rows are cut.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadCore } from '../../src/node/loadCore.js';
import { BatchEngine, type BatchResult } from '../../src/engine/batchEngine.js';
import { FC_SEED, fcRuns } from '../support/streams.js';
import { typedEventsPlan } from '../support/typedEventsPlan.js';

const T0 = Date.UTC(2024, 0, 1);
const engine = () => new BatchEngine(typedEventsPlan(), loadCore(), 'test', false);
/** A result's outputs, read at once (its row numbers are a view of the core's columns, valid until the next call). */
const read = (r: BatchResult) => ({
  events: r.events.map((e) => JSON.stringify(e)),
  matches: r.matches.map((m) => JSON.stringify(m)),
  rows: Array.from(r.sourceRows),
  errors: r.errors.map((e) => `${e.line}: ${e.reason}`),
});
type Read = ReturnType<typeof read>;
const outputs = (results: Read[]) => ({
  events: results.flatMap((r) => r.events),
  matches: results.flatMap((r) => r.matches),
  rows: results.flatMap((r) => r.rows),
  errors: results.flatMap((r) => r.errors),
});

const line = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.nat(300_000), fc.integer({ min: -50, max: 50 }), fc.constantFrom('a', 'b'), fc.constantFrom('A', 'B', 'C', 'é"x'))
      .map(([dt, v, host, kind]) => JSON.stringify({ ts: T0 + dt, v, host, kind })),
  },
  { weight: 1, arbitrary: fc.constantFrom('{"ts": oops', '[1]', '{"ts":"never","v":1,"host":"a"}', '') },
);

describe('scanBatch + processScanned', () => {
  it('any cut of a scanned chunk into slices equals one processBatch', () => {
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 20 }),
        (lines, cuts) => {
          const bytes = { data: new TextEncoder().encode(lines.join('\n')), format: 'ndjson' as const, whole: true };
          const expected = outputs([read(engine().processBatch({ rows: [], errors: [], bytes }))]);
          const e = engine();
          const scanned = e.scanBatch({ rows: [], errors: [], bytes });
          expect(scanned.times.length).toBe(scanned.rows);
          const results: Read[] = [];
          let done = 0;
          for (let c = 0; done < scanned.rows || results.length === 0; c++) {
            const n = Math.min(cuts[c % cuts.length]!, scanned.rows - done);
            results.push(read(e.processScanned(n)));
            done += n;
            if (c > 10_000) throw new Error('no progress');
          }
          expect(outputs(results)).toEqual(expected);
          expect(() => e.processScanned(1)).toThrow(/no 1 scanned rows left/);
        },
      ),
      { seed: FC_SEED, numRuns: fcRuns(150) },
    );
  });
});
