/**
 * Scored events carry their type field's value. On the byte paths the core
 * reads the type only as a pattern id, so it records where the field was
 * and the host reads the value from the bytes when it builds a record: the
 * records equal the object path's for NDJSON, CSV and Kafka messages,
 * whatever JSON value (or CSV cell) the type field holds.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadCore } from '../../src/node/loadCore.js';
import { BatchEngine, type EngineMessage } from '../../src/engine/batchEngine.js';
import type { Row } from '../../src/engine/source.js';
import { csvRow } from '../../src/engine/csvText.js';
import { FC_SEED, fcRuns } from '../support/streams.js';
import { typedEventsPlan } from '../support/typedEventsPlan.js';

const T0 = Date.UTC(2024, 0, 1);
const engine = () => new BatchEngine(typedEventsPlan(), loadCore(), 'test', false);
const records = (r: { events: unknown[] }) => r.events.map((e) => JSON.stringify(e));

const typeValue = fc.oneof(fc.constantFrom('A', 'B', 'C', '', 'é\u2028', 'q"u\\o'), fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined));
const events = fc
  .array(fc.tuple(fc.nat(100_000), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom('a', 'b'), typeValue), { minLength: 1, maxLength: 40 })
  .map((list) => list.map(([dt, v, host, kind]) => ({ ts: T0 + dt, v, host, ...(kind === undefined ? {} : { kind }) })));

describe('type values of scored events on the byte paths', () => {
  it('NDJSON and Kafka messages give the records the object path gives', () => {
    fc.assert(
      fc.property(events, (rows) => {
        const expected = records(engine().processBatch({ rows: rows as Row[], errors: [] }));
        const ndjson = new TextEncoder().encode(rows.map((r) => JSON.stringify(r)).join('\n'));
        expect(records(engine().processBatch({ rows: [], errors: [], bytes: { data: ndjson, format: 'ndjson', whole: true } }))).toEqual(expected);
        const messages: EngineMessage[] = rows.map((r, i) => ({ offset: String(i), timestamp: '0', value: new TextEncoder().encode(JSON.stringify(r)) }));
        expect(records(engine().processMessages(messages, { keyFromMessage: false, timeFromMessage: false }))).toEqual(expected);
      }),
      { seed: FC_SEED, numRuns: fcRuns(150) },
    );
  });

  it('CSV gives the records of the CSV reader', () => {
    const cell = fc.constantFrom('A', 'B', '', 'x y', '"q,""u"""', '7');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(100_000), fc.integer(), cell), { minLength: 1, maxLength: 30 }), (list) => {
        const lines = list.map(([dt, v, kind]) => `${T0 + dt},${v},h,${kind}`);
        const names = ['ts', 'v', 'host', 'kind'];
        const rows = lines.map((l) => csvRow(names, l) as Row);
        const expected = records(engine().processBatch({ rows, errors: [] }));
        const csv = new TextEncoder().encode(`${names.join(',')}\n${lines.join('\n')}\n`);
        expect(records(engine().processBatch({ rows: [], errors: [], bytes: { data: csv, format: 'csv', whole: true } }))).toEqual(expected);
      }),
      { seed: FC_SEED, numRuns: fcRuns(100) },
    );
  });
});
