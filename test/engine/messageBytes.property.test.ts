/**
 * The core's Kafka message scanner against JSON.parse: a query fed the raw
 * values of a fetch (each an object, an array of objects, NDJSON or a
 * pretty-printed object, or broken) gives what the object path gives for
 * the rows a JSON.parse reader takes from the same messages — the same
 * windows, the same errors with their message offsets and event places —
 * with the key and time options on and off. A message that is not valid
 * JSON leaves no rows and no keys behind.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadCore } from '../../src/node/loadCore.js';
import { BatchEngine, type EngineMessage, type MessageOptions } from '../../src/engine/batchEngine.js';
import { parsePipelineConfig } from '../../src/config/pipelineConfig.js';
import type { InputError } from '../../src/engine/inputError.js';
import type { Row } from '../../src/engine/source.js';
import { EMPTY_MESSAGE_REASON, elementNotObjectReason } from '../../src/engine/scanReasons.js';
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
type Shape = { offset: number | undefined; line: number | undefined; kind: string; reason: string };
/** Errors compared by where and what; a syntax error's wording (its column) is the scanner's own. */
const shape = (errors: InputError[]): Shape[] =>
  errors
    .map((e) => ({
      offset: e.offset,
      line: e.line,
      kind: e.kind ?? 'malformed',
      reason: e.reason.startsWith('not valid JSON') ? 'not valid JSON' : e.reason.startsWith('expected a JSON object') ? 'not an object' : e.reason,
    }))
    .sort((a, b) => a.offset! - b.offset! || (a.line ?? 0) - (b.line ?? 0));

interface Outcome {
  windows: string[];
  errors: Shape[];
  keys: number;
}

/** The rows of one message by the reader's rules, with JSON.parse; undefined items mark the values that are not objects. */
function referenceItems(text: string): { form: 'array' | 'lines' | 'one'; items: unknown[] } | 'empty' | 'invalid' {
  if (text.trim() === '') return 'empty';
  try {
    if (text.trimStart()[0] === '[') return { form: 'array', items: JSON.parse(text) as unknown[] };
    if (text.includes('\n')) {
      try {
        return {
          form: 'lines',
          items: text
            .split('\n')
            .filter((l) => l.trim() !== '')
            .map((l) => JSON.parse(l) as unknown),
        };
      } catch {
        return { form: 'one', items: [JSON.parse(text) as unknown] };
      }
    }
    return { form: 'one', items: [JSON.parse(text) as unknown] };
  } catch {
    return 'invalid';
  }
}

function reference(messages: EngineMessage[], o: MessageOptions): Outcome {
  const engine = new BatchEngine(plan(), loadCore(), 'test', false);
  const rows: Row[] = [];
  const origin: { offset: number; item: number | undefined }[] = [];
  const errors: InputError[] = [];
  for (const m of messages) {
    const offset = Number(m.offset);
    const read = referenceItems(m.value === null ? '' : new TextDecoder().decode(m.value));
    if (read === 'empty' || read === 'invalid') {
      errors.push({ source: 'test', offset, kind: 'malformed', reason: read === 'empty' ? EMPTY_MESSAGE_REASON : 'not valid JSON' });
      continue;
    }
    const several = read.items.length > 1;
    read.items.forEach((item, i) => {
      const line = several ? i + 1 : undefined;
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        errors.push({
          source: 'test',
          offset,
          line,
          kind: 'malformed',
          reason: read.form === 'array' ? elementNotObjectReason(i + 1) : 'expected a JSON object',
        });
        return;
      }
      const row = { ...item } as Row;
      if (o.keyFromMessage && m.key != null) row.host = new TextDecoder().decode(m.key);
      if (o.timeFromMessage) row.ts = Number(m.timestamp);
      rows.push(row);
      origin.push({ offset, item: line });
    });
  }
  const r = engine.processBatch({ rows, errors: [], firstLine: 1 });
  for (const e of r.errors) {
    const at = origin[e.line! - 1]!;
    errors.push({ ...e, offset: at.offset, line: at.item });
  }
  return { windows: [...r.windows, ...engine.flush()].map((w) => JSON.stringify(w)), errors: shape(errors), keys: engine.numKeys };
}

function bytePath(messages: EngineMessage[], o: MessageOptions): Outcome {
  const engine = new BatchEngine(plan(), loadCore(), 'test', false);
  const r = engine.processMessages(messages, o);
  return { windows: [...r.windows, ...engine.flush()].map((w) => JSON.stringify(w)), errors: shape(r.errors), keys: engine.numKeys };
}

const event = fc.record(
  {
    ts: fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 600_000 }).map((d) => T0 + d) }, fc.constantFrom('soon', null)),
    v: fc.oneof({ weight: 5, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) }, fc.constantFrom('4', 'x', null)),
    host: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('a', 'b', 'é', 'x"y') }, fc.constantFrom(1.5, true, null, [1])),
    extra: fc.option(fc.jsonValue({ maxDepth: 2 })),
  },
  { requiredKeys: ['ts', 'v', 'host'] },
);
const item = fc.oneof({ weight: 15, arbitrary: event as fc.Arbitrary<unknown> }, fc.jsonValue({ maxDepth: 1 }));
const ws = fc.constantFrom('', ' ', '\n', '\r\n', '\u00a0');
/** One message value in one of the producer formats, sometimes broken. */
const value = fc
  .tuple(
    fc.array(item, { minLength: 0, maxLength: 6 }),
    fc.constantFrom('object', 'array', 'ndjson', 'ndjson-blank', 'pretty', 'empty'),
    ws,
    fc.nat(200),
    fc.constantFrom('', '', '', '', 'cut', 'x', ','),
  )
  .map(([items, format, pad, at, how]) => {
    const first = items[0] ?? {};
    let text =
      format === 'object'
        ? JSON.stringify(first)
        : format === 'pretty'
          ? JSON.stringify(first, null, 2)
          : format === 'array'
            ? JSON.stringify(items)
            : format === 'empty'
              ? pad
              : items.map((x) => JSON.stringify(x)).join(format === 'ndjson-blank' ? '\n \n' : '\n');
    text = format === 'empty' ? text : `${pad}${text}`;
    const i = text.length === 0 ? 0 : at % text.length;
    if (how === 'cut') return text.slice(0, i);
    return how === '' ? text : text.slice(0, i) + how + text.slice(i);
  });
const message = fc.tuple(fc.option(value, { freq: 12 }), fc.option(fc.constantFrom('k1', 'k2', 'ключ'), { freq: 2 }), fc.integer({ min: 0, max: 600_000 }));
const messages = fc.array(message, { minLength: 1, maxLength: 25 }).map((list): EngineMessage[] =>
  list.map(([v, k, dt], i) => ({
    offset: String(100 + i),
    timestamp: String(T0 + dt),
    value: v === null ? null : new TextEncoder().encode(v),
    key: k === null ? null : new TextEncoder().encode(k),
  })),
);
const options = fc.record({ keyFromMessage: fc.boolean(), timeFromMessage: fc.boolean() });

describe('the Kafka message byte path equals JSON.parse and the object path', () => {
  it('for random fetches of messages in every format, valid or broken', () => {
    fc.assert(
      fc.property(messages, options, (list, o) => {
        expect(bytePath(list, o)).toEqual(reference(list, o));
      }),
      { seed: FC_SEED, numRuns: fcRuns(400) },
    );
  });

  it('values sliced from one fetch buffer (as kafkajs gives them) read as separate copies do', () => {
    fc.assert(
      fc.property(messages, fc.array(fc.uint8Array({ maxLength: 12 }), { minLength: 30, maxLength: 30 }), (list, junk) => {
        // the values one after the other in one buffer with junk between them, as a fetch response lays them out
        const parts: Uint8Array[] = [];
        const at: number[] = [];
        let size = 0;
        list.forEach((m, i) => {
          parts.push(junk[i % junk.length]!);
          size += junk[i % junk.length]!.length;
          at.push(size);
          if (m.value) {
            parts.push(m.value);
            size += m.value.length;
          }
        });
        const buffer = new Uint8Array(size);
        let w = 0;
        for (const p of parts) {
          buffer.set(p, w);
          w += p.length;
        }
        const sliced = list.map((m, i) => ({ ...m, value: m.value === null ? null : buffer.subarray(at[i]!, at[i]! + m.value.length) }));
        const o = { keyFromMessage: false, timeFromMessage: false };
        expect(bytePath(sliced, o)).toEqual(bytePath(list, o));
      }),
      { seed: FC_SEED, numRuns: fcRuns(200) },
    );
  });

  it('for random bytes as values', () => {
    const raw = fc
      .array(fc.option(fc.uint8Array({ maxLength: 60 }), { freq: 10 }), { minLength: 1, maxLength: 10 })
      .map((vs): EngineMessage[] => vs.map((v, i) => ({ offset: String(i), timestamp: String(T0), value: v, key: null })));
    fc.assert(
      fc.property(raw, (list) => {
        // invalid UTF-8 is not valid JSON on both sides
        const o = { keyFromMessage: false, timeFromMessage: false };
        const valid = list.map((m) => {
          if (m.value === null) return m;
          try {
            new TextDecoder('utf-8', { fatal: true }).decode(m.value);
            return m;
          } catch {
            return { ...m, value: new TextEncoder().encode('{"broken') };
          }
        });
        expect(bytePath(list, o).errors.map((e) => e.offset)).toEqual(bytePath(valid, o).errors.map((e) => e.offset));
        expect(bytePath(valid, o)).toEqual(reference(valid, o));
      }),
      { seed: FC_SEED, numRuns: fcRuns(500) },
    );
  });

  it('a message broken after valid events keeps none of its rows or keys; the messages around it are read', () => {
    const good = (i: number) => JSON.stringify({ ts: T0 + i, v: i, host: `h${i}` });
    const list: EngineMessage[] = [
      { offset: '7', timestamp: '0', value: new TextEncoder().encode(good(1)) },
      { offset: '8', timestamp: '0', value: new TextEncoder().encode(`${Array.from({ length: 300 }, (_, i) => good(i + 10)).join('\n')}\n{"ts":`) },
      { offset: '9', timestamp: '0', value: new TextEncoder().encode(`[${good(2)}]`) },
    ];
    const r = bytePath(list, { keyFromMessage: false, timeFromMessage: false });
    expect(r.keys).toBe(2);
    expect(r.errors).toEqual([{ offset: 8, line: undefined, kind: 'malformed', reason: 'not valid JSON' }]);
    expect(r.windows.map((w) => (JSON.parse(w) as { host: string }).host)).toEqual(['h1', 'h2']);
  });
});

describe('the generated fetches exercise the scanner', () => {
  it('accept many events and reject every kind of problem', () => {
    let accepted = 0;
    const reasons = new Set<string>();
    for (const [list, o] of fc.sample(fc.tuple(messages, options), { seed: FC_SEED, numRuns: 200 })) {
      const r = reference(list, o);
      accepted += r.windows.reduce((n, w) => n + (JSON.parse(w) as { count: number }).count, 0);
      for (const e of r.errors) reasons.add(e.reason.startsWith('element') ? 'element' : e.kind === 'malformed' ? e.reason : e.kind);
    }
    expect(accepted).toBeGreaterThan(300);
    for (const r of ['not valid JSON', EMPTY_MESSAGE_REASON, 'not an object', 'element', 'missing_field', 'not_a_number', 'bad_key', 'bad_timestamp'])
      expect(reasons).toContain(r);
  });
});
