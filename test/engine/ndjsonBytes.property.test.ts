/**
 * The core's NDJSON scanner against JavaScript: a query fed raw bytes (the
 * byte path every real source uses) must give exactly what the same query
 * gives fed `JSON.parse` of each line (the reference: UTF-8 decoded
 * strictly, blank lines skipped, non-objects and bad fields rejected by
 * RowEncoder's rules): the same window records, the same late events, the
 * same rejected lines with the same reasons — for random field order,
 * nesting, escapes, unicode names, duplicate fields, every number spelling,
 * invalid JSON and random bytes, cut into chunks anywhere.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadCore } from '../../src/node/loadCore.js';
import { BatchEngine, type BatchResult } from '../../src/engine/batchEngine.js';
import { parsePipelineConfig } from '../../src/config/pipelineConfig.js';
import type { InputError } from '../../src/engine/inputError.js';
import type { Row } from '../../src/engine/source.js';
import type { ResultRecord } from '../../src/engine/sink.js';
import { isBlank } from '../reference/lineSplitter.js';
import { FC_SEED, fcRuns } from '../support/streams.js';

const T0 = Date.UTC(2024, 0, 1);

function plan(keys: string[]) {
  return parsePipelineConfig({
    timestamp_column: 'ts',
    value_column: 'v',
    grouping_columns: keys,
    processing: { window_size: '1 minute', watermark_delay: '30 s', aggregations: ['count', 'sum', 'avg', 'min', 'max', 'stddev'] },
    source: { type: 'stdin' },
    sink: { type: 'console' },
  });
}

/** The reference: each line through a strict UTF-8 decoder and JSON.parse, then the object path. */
function referenceRun(keys: string[], bytes: Uint8Array): { out: ResultRecord[]; late: ResultRecord[]; errors: InputError[] } {
  const engine = new BatchEngine(plan(keys), loadCore(), 'test', true);
  const rows: Row[] = [];
  const lines: number[] = [];
  const errors: InputError[] = [];
  const strict = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  let line = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    line++;
    let stop = end;
    if (stop > start && bytes[stop - 1] === 0x0d) stop--;
    const slice = bytes.subarray(start, stop);
    start = end + 1;
    let text: string;
    try {
      text = strict.decode(slice);
    } catch {
      errors.push({ source: 'test', line, reason: 'not valid JSON' });
      continue;
    }
    if (isBlank(text)) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      errors.push({ source: 'test', line, reason: 'not valid JSON' });
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      errors.push({
        source: 'test',
        line,
        reason: `expected a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`}`,
      });
      continue;
    }
    rows.push(value as Row);
    lines.push(line);
  }
  const r = engine.processBatch({ rows, lines, errors });
  return { out: [...r.windows, ...engine.flush()], late: r.late, errors: r.errors };
}

/** The byte path: the same bytes in chunks cut at `cuts`. */
function byteRun(keys: string[], bytes: Uint8Array, cuts: number[]): { out: ResultRecord[]; late: ResultRecord[]; errors: InputError[] } {
  const engine = new BatchEngine(plan(keys), loadCore(), 'test', true);
  const out: ResultRecord[] = [];
  const late: ResultRecord[] = [];
  const errors: InputError[] = [];
  const points = [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].sort((a, b) => a - b);
  let from = 0;
  const take = (r: BatchResult) => {
    out.push(...r.windows);
    late.push(...r.late);
    errors.push(...r.errors);
  };
  for (const p of [...points, bytes.length]) {
    take(engine.processBatch({ rows: [], errors: [], bytes: { data: bytes.subarray(from, p), format: 'ndjson' } }));
    from = p;
  }
  take(engine.processBatch({ rows: [], errors: [], bytes: { data: new Uint8Array(0), format: 'ndjson', end: true } }));
  out.push(...engine.flush());
  return { out, late, errors };
}

/** Errors as compared: line, kind and reason (a syntax error's detail is the scanner's own wording). */
const comparable = (errors: InputError[]) =>
  errors.map((e) => ({ line: e.line, kind: e.kind, reason: e.reason.startsWith('not valid JSON') ? 'not valid JSON' : e.reason }));
const canonical = (records: ResultRecord[]) => records.map((r) => JSON.stringify(r));

// ── generators ───────────────────────────────────────────────────────────

/** A number written any way JSON allows. */
const spelled = (x: number) =>
  fc
    .constantFrom(
      String(x),
      x.toExponential(),
      x.toExponential().replace('e', 'E').replace('+', ''),
      Number.isInteger(x) ? `${x}.000` : `${x}0`,
      x.toExponential().replace(/e([+-])(\d)$/, 'e$10$2'),
    )
    .map((t) => (Object.is(x, -0) ? '-0' : t));

const jsonNumber = fc
  .oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -1000, max: 1000 }), fc.constantFrom(-0, 1.5, 1e21, 5e-324))
  .chain((x) => spelled(x).filter((t) => /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(t)));

const text = fc.string({
  unit: fc.oneof(
    fc.constantFrom('a', 'b', 'é', '"', '\\', '/', '\n', '\u0000', '\u2028', '😀', ' ', '\ud800', '\udc00'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 8,
});

/** A JSON string literal for `s`, escaping at random (always when JSON requires it). */
const stringLiteral = (s: string) =>
  fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((escapeAt) => {
    let out = '"';
    for (let i = 0; i < s.length; i++) {
      const c = s[i]!;
      const code = c.charCodeAt(0);
      if (c === '"' || c === '\\' || code < 0x20 || (code >= 0xd800 && code < 0xe000) || escapeAt[i]) {
        out +=
          c === '"'
            ? '\\"'
            : c === '\\'
              ? '\\\\'
              : c === '/' && escapeAt[i]
                ? '\\/'
                : c === '\n'
                  ? '\\n'
                  : `\\u${code
                      .toString(16)
                      .padStart(4, escapeAt[i] ? '0' : '0')
                      .toUpperCase()}`;
      } else out += c;
    }
    return `${out}"`;
  });

const ws = fc.constantFrom('', '', ' ', '\t', '\r', '  \n '.trim() === '' ? ' ' : ' ');

/** Any JSON value (as text), nested. */
const anyValue: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    jsonNumber,
    text.chain(stringLiteral),
    fc.constantFrom('true', 'false', 'null'),
    fc.array(tie('v'), { maxLength: 3 }).map((a) => `[${a.join(',')}]`),
    fc.array(fc.tuple(text.chain(stringLiteral), tie('v')), { maxLength: 3 }).map((m) => `{${m.map(([k, v]) => `${k}:${v}`).join(',')}}`),
  ),
})).v;

const timeValue = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .integer({ min: 0, max: 20 * 60_000 })
      .chain((d) =>
        fc.constantFrom(
          String(T0 + d),
          String((T0 + d) / 1000),
          `"${new Date(T0 + d).toISOString()}"`,
          `"${T0 + d}"`,
          `"${new Date(T0 + d).toISOString().replace('T', ' ').replace('Z', '+00:00')}"`,
        ),
      ),
  },
  fc.constantFrom('null', 'true', '"soon"', '{}', '[1]', '1e400', '"99999-01-01"', '-1e15', `${T0}.5`),
);
const valueValue = fc.oneof(
  { weight: 6, arbitrary: jsonNumber },
  jsonNumber.map((t) => `" ${t} "`),
  fc.constantFrom('null', '""', '"NaN"', '"abc"', 'true', '1e999', '-1e999', '[]', '"1e999"', '" Infinity"', '".5"', '"5."'),
);
const keyValue = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('a', 'b', 'é', 'x y', '\ud800').chain(stringLiteral) },
  { weight: 2, arbitrary: fc.constantFrom('1', '1.50', '15e-1', '1.5', '-0', '0', '100', '1e2', '1E21', 'true', 'false') },
  fc.constantFrom('true', 'false', 'null', '{"a":1}', '[1]'),
);
/** A member name, written plainly or with escapes ("v" as "\u0076"). */
const nameOf = (name: string) => fc.constantFrom(`"${name}"`, `"\\u${name.charCodeAt(0).toString(16).padStart(4, '0')}${name.slice(1)}"`);

/** One line: an object with the query's fields (maybe missing, repeated, reordered) among others, or something else. */
const line = (keys: string[]) =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .record({
          fields: fc
            .oneof(fc.constant(0), fc.constant(0), fc.constant(0), fc.constant(1))
            .chain((some) =>
              fc.shuffledSubarray([fc.tuple(nameOf('ts'), timeValue), fc.tuple(nameOf('v'), valueValue), ...keys.map((k) => fc.tuple(nameOf(k), keyValue))], {
                minLength: some ? 0 : 2 + keys.length,
                maxLength: 2 + keys.length,
              }),
            )
            .chain((arbs) => fc.tuple(...arbs)),
          extra: fc.array(fc.tuple(text.chain(stringLiteral), anyValue), { maxLength: 3 }),
          dupes: fc.array(fc.tuple(fc.constantFrom('ts', 'v', ...keys).chain(nameOf), fc.oneof(timeValue, valueValue)), { maxLength: 2 }),
          spaces: fc.array(ws, { minLength: 8, maxLength: 8 }),
        })
        .map(({ fields, extra, dupes, spaces }) => {
          const members = [...dupes, ...extra, ...fields].map(([k, v], i) => `${spaces[i % 8]}${k}${spaces[(i + 1) % 8]}:${spaces[(i + 2) % 8]}${v}`);
          return `${spaces[3]}{${members.join(',')}${spaces[4]}}${spaces[5]}`;
        }),
    },
    {
      weight: 2,
      arbitrary: fc.oneof(
        anyValue,
        fc.constantFrom(
          '',
          '   ',
          '{',
          '{"ts":1,}',
          '{"ts":1 "v":2}',
          '[1,2]',
          '{"a":tru}',
          '{"a":"\\x"}',
          '{"a":01}',
          '{"a":1.}',
          '{"a":-}',
          '\u00a0',
          '{}',
          '{"a":"\t"}',
        ),
      ),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 12 }).map((b) => String.fromCharCode(...b)) },
  );

/** Lines to bytes: `latin` lines are written byte for byte (random bytes), the rest as UTF-8; LF or CRLF. */
const document = (keys: string[]) =>
  fc.tuple(fc.array(fc.tuple(line(keys), fc.boolean(), fc.boolean()), { maxLength: 40 }), fc.boolean()).map(([lines, bom]) => {
    const parts: number[] = bom ? [0xef, 0xbb, 0xbf] : [];
    const enc = new TextEncoder();
    for (const [l, crlf] of lines) {
      // lines from uint8Array are latin-1 characters standing for raw bytes
      // biome-ignore lint/suspicious/noControlCharactersInRegex: Latin-1 lines (every code unit ≤ 0xff, control characters included) are sent as raw bytes
      const raw = /^[\u0000-\u00ff]*$/.test(l) && /[\u0080-\u00ff]/.test(l) ? Array.from(l, (c) => c.charCodeAt(0)) : Array.from(enc.encode(l));
      parts.push(...raw.filter((b) => b !== 0x0a), ...(crlf ? [0x0d, 0x0a] : [0x0a]));
    }
    return Uint8Array.from(parts);
  });

describe('the NDJSON byte path equals JSON.parse and the object path', () => {
  for (const keys of [['host'], ['host', 'region'], []]) {
    it(`for random lines, grouping by [${keys.join(', ')}], in chunks cut anywhere`, () => {
      fc.assert(
        fc.property(document(keys), fc.array(fc.nat(4000), { maxLength: 6 }), (bytes, cuts) => {
          const want = referenceRun(keys, bytes);
          const got = byteRun(keys, bytes, cuts);
          expect(comparable(got.errors)).toEqual(comparable(want.errors));
          expect(canonical(got.out)).toEqual(canonical(want.out));
          expect(canonical(got.late)).toEqual(canonical(want.late));
        }),
        { seed: FC_SEED, numRuns: fcRuns(300) },
      );
    });
  }

  it('reports a line over the limit, in one chunk or across many, and reads on', () => {
    const big = `{"ts":${T0},"v":1,"pad":"${'x'.repeat(3000)}"}`;
    const bytes = new TextEncoder().encode(`{"ts":${T0},"v":2}\n${big}\n{"ts":${T0},"v":3}\n`);
    for (const cuts of [[], [10, 100, 1000, 2000, 3000], [bytes.length - 1]]) {
      const engine = new BatchEngine(plan([]), loadCore(), 'test', false);
      const errors: InputError[] = [];
      let from = 0;
      for (const p of [...cuts, bytes.length]) {
        errors.push(...engine.processBatch({ rows: [], errors: [], bytes: { data: bytes.subarray(from, p), format: 'ndjson', maxLineBytes: 1000 } }).errors);
        from = p;
      }
      errors.push(...engine.processBatch({ rows: [], errors: [], bytes: { data: new Uint8Array(0), format: 'ndjson', end: true, maxLineBytes: 1000 } }).errors);
      expect(errors.map((e) => [e.line, e.reason])).toEqual([[2, 'line longer than 1000 bytes']]);
      expect(errors[0]!.raw!.startsWith('{"ts":')).toBe(true);
      const [w] = engine.flush();
      expect(w).toMatchObject({ count: 2, sum_v: 5 });
    }
  });

  it('never reads outside its input: random bytes of every length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(300), { maxLength: 4 }), (bytes, cuts) => {
        const want = referenceRun(['host'], bytes);
        const got = byteRun(['host'], bytes, cuts);
        expect(comparable(got.errors)).toEqual(comparable(want.errors));
        expect(canonical(got.out)).toEqual(canonical(want.out));
      }),
      { seed: FC_SEED, numRuns: fcRuns(2000) },
    );
  });
});

describe('the generated documents exercise the scanner', () => {
  it('accept a fair share of their lines and reject every kind of bad one', () => {
    const samples = fc.sample(document(['host']), { seed: FC_SEED, numRuns: 200 });
    let accepted = 0;
    const reasons = new Set<string>();
    for (const bytes of samples) {
      const r = referenceRun(['host'], bytes);
      accepted += r.out.reduce((n, w) => n + (w.count as number), 0);
      for (const e of r.errors) reasons.add(e.kind ?? e.reason.replace(/,.*/, ''));
    }
    expect(accepted).toBeGreaterThan(200);
    for (const kind of ['not valid JSON', 'expected a JSON object', 'missing_field', 'bad_timestamp', 'not_a_number', 'non_finite', 'bad_key'])
      expect(reasons).toContain(kind);
  });
});

describe('object rows and raw bytes into one engine', () => {
  it('share one key table, also when it grows past the first memory pages (60,000 keys)', () => {
    const keys = 60_000;
    const rows = Array.from({ length: keys }, (_, i) => ({ ts: T0 + (i % 50) * 1000, host: `host-${i}`, v: i }));
    const text = rows.map((r) => JSON.stringify({ ...r, ts: r.ts + 1 })).join('\n');
    const mixed = new BatchEngine(plan(['host']), loadCore(), 'test', false);
    const objectsOnly = new BatchEngine(plan(['host']), loadCore(), 'test', false);
    const out: ResultRecord[] = [];
    const want: ResultRecord[] = [];
    // half the keys arrive first as objects, the other half first as bytes; then each path sees the other's keys
    out.push(...mixed.processBatch({ rows: rows.slice(0, keys / 2), errors: [] }).windows);
    out.push(...mixed.processBatch({ rows: [], errors: [], bytes: { data: new TextEncoder().encode(text), format: 'ndjson', whole: true } }).windows);
    out.push(...mixed.processBatch({ rows: rows.slice(keys / 2), errors: [] }).windows, ...mixed.flush());
    want.push(...objectsOnly.processBatch({ rows: rows.slice(0, keys / 2), errors: [] }).windows);
    want.push(...objectsOnly.processBatch({ rows: rows.map((r) => ({ ...r, ts: r.ts + 1 })), errors: [] }).windows);
    want.push(...objectsOnly.processBatch({ rows: rows.slice(keys / 2), errors: [] }).windows, ...objectsOnly.flush());
    expect(mixed.numKeys).toBe(keys);
    expect(out.length).toBe(keys);
    expect(canonical(out).sort()).toEqual(canonical(want).sort());
    expect(out.every((w) => w.count === 2)).toBe(true);
  });
});
