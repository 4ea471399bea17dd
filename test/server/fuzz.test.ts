/**
 * Fuzzing the ingest endpoints of a real server with fast-check (fixed seeds;
 * fast-check prints the seed and the shrunk counterexample on failure):
 * random bodies (bytes, JSON values, NDJSON-ish text, JSON arrays, columnar
 * frames intact or mutated), random content types and encodings. Every answer
 * is a documented 2xx/4xx (or 503 busy), never a 5xx or a dropped connection;
 * afterwards the server is healthy, and every event it said it accepted was
 * processed by the engine (and nothing it accepted was rejected later).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { encodeColumns } from '../../src/server/columnarFormat.js';
import { COLUMNS, NDJSON, T0, WsClient, ingest, metricNow, ndjson, request, startTestServer, type TestServer, type WsMessage } from '../support/server.js';

const SEED = 0x5eed_2024;
const RUNS = 300;
const LIMIT = 64 * 1024;
const DOCUMENTED = [200, 400, 413, 415, 503];

const printable = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz/+-.;= ,*_0123456789ABCDEFXYZ'.split(''));

const contentType = fc.oneof(
  fc.constantFrom(
    'application/x-ndjson',
    'application/json',
    COLUMNS,
    'text/plain',
    'application/ndjson',
    'application/jsonl',
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'application/x-ndjson;charset=latin1',
    '',
  ),
  fc.string({ unit: printable, maxLength: 40 }),
  fc.string({ unit: printable, maxLength: 20 }).map((s) => `application/${s}`),
);

const encoding = fc.oneof(
  fc.constantFrom(undefined, 'gzip', 'GZIP', ' gzip ', 'identity', '', 'br', 'deflate', 'gzip, identity', 'x-gzip'),
  fc.string({ unit: printable, maxLength: 12 }),
);

const keys = fc.constantFrom('cpu', 'mem', 'disk', 'net', '', 'ключ', '\u001f', 'a\nb');

/** A field value: usually right, sometimes any JSON value. */
const timestamp = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: T0, max: T0 + 86_400_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: T0 / 1000, max: T0 / 1000 + 86_400 }) },
  { weight: 1, arbitrary: fc.integer({ min: T0, max: T0 + 86_400_000 }).map((t) => new Date(t).toISOString()) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);
const value = fc.oneof(
  { weight: 4, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom('12.5', 'NaN', 'Infinity', '1e400', '', ' 7 ') },
);
const event = fc.record(
  {
    timestamp,
    metric: fc.oneof({ weight: 5, arbitrary: keys }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }),
    value,
    extra: fc.jsonValue({ maxDepth: 3 }),
  },
  { requiredKeys: [] },
);

const line = fc.oneof(
  { weight: 5, arbitrary: event.map((e) => JSON.stringify(e)) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 1, arbitrary: event.map((e) => JSON.stringify(e)).chain((t) => fc.nat({ max: t.length }).map((n) => t.slice(0, n))) },
);

const ndjsonText = fc
  .tuple(fc.array(line, { maxLength: 40 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
  .map(([lines, eol, trailing]) => lines.join(eol) + (trailing ? eol : ''));

const jsonArrayText = fc
  .array(fc.oneof({ weight: 4, arbitrary: event }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }), { maxLength: 40 })
  .map((items) => JSON.stringify(items));

const columnar = fc
  .integer({ min: 0, max: 60 })
  .chain((n) =>
    fc.record({
      ts: fc.array(fc.oneof({ weight: 9, arbitrary: fc.integer({ min: T0, max: T0 + 86_400_000 }) }, { weight: 1, arbitrary: fc.double() }), {
        minLength: n,
        maxLength: n,
      }),
      value: fc.array(fc.double(), { minLength: n, maxLength: n }),
      key: fc.array(keys, { minLength: n, maxLength: n }),
      // mutations: [byte offset (fraction of the length), new byte]
      mutations: fc.array(fc.tuple(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
      cut: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
    }),
  )
  .map(({ ts, value: values, key, mutations, cut }) => {
    const frame = encodeColumns({ ts, value: values, key }).slice();
    for (const [at, byte] of mutations) frame[Math.floor(at * frame.length)] = byte;
    return cut === undefined ? frame : frame.subarray(0, Math.floor(cut * frame.length));
  });

const body: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }),
  fc.json({ maxDepth: 4 }).map((t) => Buffer.from(t)),
  ndjsonText.map((t) => Buffer.from(t)),
  jsonArrayText.map((t) => Buffer.from(t)),
  columnar,
  // large: over the limit or close to it
  fc.tuple(ndjsonText, fc.integer({ min: 1, max: 200 })).map(([t, n]) => Buffer.from(`${t}\n`.repeat(n))),
);

const requestArb = fc.record({
  body,
  contentType,
  encoding,
  gzip: fc.boolean(),
});

/** What one request made of the answer, checked. */
function checkAnswer(status: number, text: string, what: string): number {
  expect(DOCUMENTED, `${what}: status ${status} ${text.slice(0, 200)}`).toContain(status);
  const json = JSON.parse(text) as { accepted?: number; rejected?: number; errors?: unknown[]; error?: string };
  if (status === 200) {
    expect(Number.isInteger(json.accepted) && json.accepted! >= 0).toBe(true);
    expect(json.errors!.length).toBe(Math.min(10, json.rejected!));
    return json.accepted!;
  }
  if (status === 400 && json.accepted !== undefined) {
    expect(json.accepted).toBe(0);
    expect(json.rejected).toBeGreaterThan(0);
  } else {
    expect(typeof json.error).toBe('string');
  }
  return 0;
}

describe('fuzz: POST /ingest', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      source: { max_body_bytes: LIMIT, max_line_chars: 512 },
      processing: { window_size: '1 minute', watermark_delay: '10 minutes' },
    });
  });
  afterAll(async () => {
    await s.stop();
  });

  it(`${RUNS} random requests: documented statuses only, no dropped connection; then healthy and every accepted event processed`, async () => {
    let accepted = 0;
    let requests = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requestArb, async (r) => {
        const headers: Record<string, string> = { 'content-type': r.contentType };
        if (r.encoding !== undefined) headers['content-encoding'] = r.encoding;
        const payload = r.gzip && r.encoding !== undefined && r.encoding.trim().toLowerCase() === 'gzip' ? gzipSync(r.body) : r.body;
        let res: Response;
        try {
          res = await fetch(`${s.base}/ingest`, { method: 'POST', body: new Uint8Array(payload), headers });
        } catch (e) {
          throw new Error(`connection dropped: ${String((e as { cause?: unknown }).cause ?? e)}`);
        }
        const text = await res.text();
        requests++;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        accepted += checkAnswer(res.status, text, `${r.contentType} / ${r.encoding}`);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // the run reached the interesting answers
    for (const status of [200, 400, 413, 415]) expect(statuses.get(status) ?? 0, `answers ${status}: ${JSON.stringify([...statuses])}`).toBeGreaterThan(0);
    expect(accepted).toBeGreaterThan(100);

    expect((await request(s.base, '/health')).status).toBe(200);
    const ok = await ingest(s.base, ndjson([{ timestamp: T0, metric: 'cpu', value: 1 }]), { 'content-type': NDJSON });
    expect(ok.status).toBe(200);
    expect(ok.json.accepted).toBe(1);
    accepted += 1;
    expect(await metricNow(s.base, 'eddy_input_events_total')).toBe(accepted);
    expect(await metricNow(s.base, 'eddy_ingest_requests_total', { transport: 'http' })).toBeGreaterThanOrEqual(requests - (statuses.get(415) ?? 0));

    await s.stop();
    const totals = s.handle.query.lastProgress!.totals;
    expect(totals.inputRows).toBe(accepted);
    // nothing the server accepted was rejected by the engine afterwards
    expect(totals.errors).toBe(0);
    expect(totals.processedRows + totals.lateRows).toBe(accepted);
  });
});

describe('fuzz: WebSocket /ingest', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      source: { max_body_bytes: LIMIT, max_line_chars: 512 },
      processing: { window_size: '1 minute', watermark_delay: '10 minutes' },
    });
  });
  afterAll(async () => {
    await s.stop();
  });

  it('random messages on one socket: one ack per message, in order, documented statuses; over the limit closes it', async () => {
    const message = fc.oneof(
      ndjsonText.map((t) => ({ data: t as string | Uint8Array })),
      jsonArrayText.map((t) => ({ data: t as string | Uint8Array })),
      fc.json({ maxDepth: 3 }).map((t) => ({ data: t as string | Uint8Array })),
      columnar.map((f) => ({ data: f as string | Uint8Array })),
      fc.uint8Array({ maxLength: 1024 }).map((b) => ({ data: b as string | Uint8Array })),
    );
    let accepted = 0;
    let ws = await WsClient.connect(`${s.wsBase}/ingest`);
    let seq = 0;
    await fc.assert(
      fc.asyncProperty(message, async ({ data }) => {
        const size = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
        await ws.send(data);
        if (size > LIMIT) {
          await ws.closed;
          ws = await WsClient.connect(`${s.wsBase}/ingest`);
          seq = 0;
          return;
        }
        const ack = await ws.next((m: WsMessage) => m.type === 'ack', 5000, `ack ${seq + 1}`);
        expect(ack.seq).toBe(++seq);
        accepted += checkAnswer(ack.status, JSON.stringify(ack), `ws message of ${size} bytes`);
      }),
      { seed: SEED + 1, numRuns: 150, endOnFailure: true },
    );
    await ws.close();
    expect(accepted).toBeGreaterThan(50);
    expect(await metricNow(s.base, 'eddy_input_events_total')).toBe(accepted);
    await s.stop();
    expect(s.handle.query.lastProgress!.totals).toMatchObject({ inputRows: accepted, errors: 0 });
  });
});
