/**
 * The core's JSON document scanner against JSON.parse: a query fed a whole
 * JSON document as bytes (an array of events, or one event) gives exactly
 * what the object path gives for `JSON.parse` of it: the same windows, the
 * same rejected elements and reasons; a document that is not valid JSON is
 * rejected whole, with no rows and no keys left behind.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadCore } from '../../src/node/loadCore.js';
import { BatchEngine } from '../../src/engine/batchEngine.js';
import { parsePipelineConfig } from '../../src/config/pipelineConfig.js';
import type { InputError } from '../../src/engine/inputError.js';
import type { Row } from '../../src/engine/source.js';
import { elementNotObjectReason } from '../../src/engine/scanReasons.js';
import { FC_SEED, fcRuns } from '../support/streams.js';

const T0 = Date.UTC(2024, 0, 1);
const plan = () =>
  parsePipelineConfig({
    timestamp_column: 'ts',
    value_column: 'v',
    grouping_columns: ['host'],
    processing: { window_size: '1 minute', watermark_delay: '30 s', aggregations: ['count', 'sum', 'max'] },
    source: { type: 'stdin' },
    sink: { type: 'console' },
  });
const shape = (errors: InputError[]) =>
  errors.map((e) => ({ line: e.line, kind: e.kind, reason: e.reason.startsWith('not valid JSON') ? 'not valid JSON' : e.reason }));

function reference(bytes: Uint8Array): { windows: string[]; errors: ReturnType<typeof shape>; keys: number } {
  const engine = new BatchEngine(plan(), loadCore(), 'test', false);
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return { windows: [], errors: [{ line: undefined, kind: undefined, reason: 'not valid JSON' }], keys: 0 };
  }
  const items = Array.isArray(doc) ? doc : [doc];
  const rows: Row[] = [];
  const lines: number[] = [];
  const errors: InputError[] = [];
  items.forEach((item, i) => {
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      rows.push(item as Row);
      lines.push(i + 1);
    } else errors.push({ source: 'test', line: i + 1, kind: 'malformed', reason: elementNotObjectReason(i + 1) });
  });
  const r = engine.processBatch({ rows, lines, errors });
  return { windows: [...r.windows, ...engine.flush()].map((w) => JSON.stringify(w)), errors: shape(r.errors), keys: engine.numKeys };
}

function bytePath(bytes: Uint8Array): { windows: string[]; errors: ReturnType<typeof shape>; keys: number } {
  const engine = new BatchEngine(plan(), loadCore(), 'test', false);
  const r = engine.processBatch({ rows: [], errors: [], bytes: { data: bytes, format: 'json', whole: true } });
  return { windows: [...r.windows, ...engine.flush()].map((w) => JSON.stringify(w)), errors: shape(r.errors), keys: engine.numKeys };
}

const event = fc.record(
  {
    ts: fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 600_000 }).map((d) => T0 + d) }, fc.constantFrom('soon', null, true)),
    v: fc.oneof({ weight: 5, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) }, fc.constantFrom('4', 'x', null)),
    host: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('a', 'b', 'é', 'x"y') }, fc.constantFrom(1.5, true, null, [1])),
    extra: fc.option(fc.jsonValue({ maxDepth: 3 })),
  },
  { requiredKeys: ['ts', 'v', 'host'] },
);
const element = fc.oneof(
  { weight: 6, arbitrary: event.map((e) => JSON.stringify(e)) },
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
);
const ws = fc.constantFrom('', ' ', '\n', '\t ', '\r\n');
const document = fc
  .tuple(fc.array(fc.tuple(ws, element, ws), { minLength: 1, maxLength: 30 }), fc.boolean(), ws)
  .map(([items, asArray, outer]) =>
    asArray || items.length !== 1 ? `${outer}[${items.map(([a, e, b]) => `${a}${e}${b}`).join(',')}]${outer}` : `${outer}${items[0]![1]}${outer}`,
  );
/** Sometimes broken: cut short, a stray character, a trailing comma. */
const maybeBroken = fc.tuple(document, fc.nat(100), fc.constantFrom('', '', '', 'cut', 'x', ',', ']')).map(([doc, at, how]) => {
  const i = doc.length === 0 ? 0 : at % doc.length;
  if (how === 'cut') return doc.slice(0, i);
  return how === '' ? doc : doc.slice(0, i) + how + doc.slice(i);
});

describe('the JSON document byte path equals JSON.parse and the object path', () => {
  it('for random documents, valid or broken', () => {
    fc.assert(
      fc.property(maybeBroken, (text) => {
        const bytes = new TextEncoder().encode(text);
        expect(bytePath(bytes)).toEqual(reference(bytes));
      }),
      { seed: FC_SEED, numRuns: fcRuns(500) },
    );
  });

  it('for random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(bytePath(bytes)).toEqual(reference(bytes));
      }),
      { seed: FC_SEED, numRuns: fcRuns(1000) },
    );
  });

  it('a broken document after valid events keeps no keys and no rows', () => {
    const good = JSON.stringify(Array.from({ length: 500 }, (_, i) => ({ ts: T0 + i, v: i, host: `h${i}` })));
    const r = bytePath(new TextEncoder().encode(`${good.slice(0, -1)},{"ts":1,`));
    expect(r).toEqual({ windows: [], errors: [{ line: undefined, kind: undefined, reason: 'not valid JSON' }], keys: 0 });
  });
});

describe('the generated documents exercise the scanner', () => {
  it('accept many events, reject bad elements and broken documents', () => {
    let accepted = 0;
    let broken = 0;
    let bad = 0;
    for (const text of fc.sample(maybeBroken, { seed: FC_SEED, numRuns: 200 })) {
      const r = reference(new TextEncoder().encode(text));
      accepted += r.windows.reduce((n, w) => n + (JSON.parse(w) as { count: number }).count, 0);
      if (r.errors.some((e) => e.reason === 'not valid JSON')) broken++;
      else bad += r.errors.length;
    }
    expect(accepted).toBeGreaterThan(150);
    expect(broken).toBeGreaterThan(20);
    expect(bad).toBeGreaterThan(100);
  });
});
