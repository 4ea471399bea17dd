/**
 * Hostile input against a real server: every bad request gets its documented
 * status and error, the server stays up (a valid request right after is
 * accepted and /health answers), and every valid event sent alongside is
 * processed — counted by /metrics and by the query's totals after a graceful
 * stop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { encodeColumns } from '../../src/server/columnarFormat.js';
import { mulberry32 } from '../support/prng.js';
import {
  COLUMNS,
  JSON_TYPE,
  NDJSON,
  T0,
  WsClient,
  ingest,
  metricNow,
  ndjson,
  rawExchange,
  request,
  startTestServer,
  type TestServer,
  type WsMessage,
} from '../support/server.js';

type Row = Record<string, unknown>;

const TOKEN = 'hunter2-token';
const ORIGIN = 'https://dashboard.example';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const LIMIT = 1024 * 1024; // max_body_bytes of the hostile server

function randomBytes(seed: number, n: number, avoid: number[] = []): Uint8Array {
  const rnd = mulberry32(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let b = Math.floor(rnd() * 256);
    while (avoid.includes(b)) b = (b + 1) % 256;
    out[i] = b;
  }
  return out;
}

let clock = 0;
/** Fresh valid events (distinct timestamps, never late with the 1-hour delay). */
function valid(n: number, metric = 'cpu'): Row[] {
  return Array.from({ length: n }, () => ({ timestamp: T0 + ++clock * 10, metric, value: clock % 17 }));
}

describe('hostile input (token, CORS origin, 1 MiB body limit)', () => {
  let s: TestServer;
  /** Valid events the server accepted, by our count. */
  let sent = 0;

  const post = (body: string | Uint8Array, headers: Record<string, string>) => ingest(s.base, body, { ...AUTH, ...headers });

  /** The server still serves: /health answers and a valid request is accepted. */
  async function stillServing(): Promise<void> {
    const health = await request(s.base, '/health');
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ status: 'ok' });
    const a = await post(ndjson(valid(2)), { 'content-type': NDJSON });
    expect(a.status).toBe(200);
    expect(a.json.accepted).toBe(2);
    sent += 2;
  }

  beforeAll(async () => {
    s = await startTestServer({
      source: { token: TOKEN, cors_origin: ORIGIN, max_body_bytes: LIMIT },
      processing: { window_size: '1 minute', watermark_delay: '1 hour' },
    });
  });
  afterAll(async () => {
    await s.stop();
  });

  it('truncated JSON: an array body → 400; a truncated NDJSON line is rejected alone', async () => {
    const rows = valid(5);
    const text = JSON.stringify(rows);
    const a = await post(text.slice(0, text.length - 7), { 'content-type': JSON_TYPE });
    expect(a.status).toBe(400);
    expect(a.json.error).toMatch(/^body is not valid JSON/);
    const lines = ndjson(valid(4)).split('\n');
    lines[2] = lines[2]!.slice(0, 20);
    const b = await post(lines.join('\n'), { 'content-type': NDJSON });
    expect(b.status).toBe(200);
    expect(b.json).toMatchObject({ accepted: 3, rejected: 1, errors: [{ line: 3, reason: expect.stringMatching(/^not valid JSON/) }] });
    sent += 3;
    await stillServing();
  });

  it('binary garbage with each content type → 400, valid lines around it still accepted', async () => {
    const garbage = randomBytes(1, 4096);
    for (const [type, error] of [
      [JSON_TYPE, /^body is not valid JSON/],
      [COLUMNS, /^columnar frame: /],
    ] as const) {
      const a = await post(garbage, { 'content-type': type });
      expect(a.status, type).toBe(400);
      expect(a.json.error, type).toMatch(error);
    }
    const n = await post(garbage, { 'content-type': NDJSON });
    expect(n.status).toBe(400);
    expect(n.json.accepted).toBe(0);
    expect(n.json.rejected).toBeGreaterThan(0);
    for (const type of [NDJSON, JSON_TYPE, COLUMNS]) {
      const g = await post(garbage, { 'content-type': type, 'content-encoding': 'gzip' });
      expect(g.status, `gzip ${type}`).toBe(400);
      expect(g.json.error).toMatch(/^gzip body cannot be inflated/);
    }
    // a garbage line (no newline inside) between valid lines
    const line = Buffer.from(randomBytes(2, 2000, [0x0a]));
    const body = Buffer.concat([Buffer.from(ndjson(valid(3))), line, Buffer.from('\n' + ndjson(valid(3)))]);
    const mixed = await post(body, { 'content-type': NDJSON });
    expect(mixed.status).toBe(200);
    expect(mixed.json).toMatchObject({ accepted: 6, rejected: 1, errors: [{ line: 4 }] });
    sent += 6;
    await stillServing();
  });

  it('a 10 MB single line over the 1 MiB body limit → 413', async () => {
    const line = JSON.stringify({ timestamp: T0, metric: 'cpu', value: 1, pad: 'x'.repeat(10_000_000) });
    const a = await post(line, { 'content-type': NDJSON });
    expect(a.status).toBe(413);
    expect(a.json.error).toMatch(/over the limit of 1048576/);
    await stillServing();
  });

  it('deeply nested JSON (100k levels) → 400, never a crash', async () => {
    const depth = 100_000;
    const cases: [string, string, number][] = [
      ['['.repeat(depth), JSON_TYPE, 400], // unterminated
      ['['.repeat(depth) + ']'.repeat(depth), JSON_TYPE, 400], // valid JSON, an array element that is not an object
      ['{"a":'.repeat(depth) + '1' + '}'.repeat(depth), JSON_TYPE, 400], // an object without the fields
      ['['.repeat(depth) + ']'.repeat(depth), NDJSON, 400],
    ];
    for (const [body, type, status] of cases) {
      const a = await post(body, { 'content-type': type });
      expect(a.status, `${body.slice(0, 10)}… as ${type}`).toBe(status);
    }
    // nested values in the fields the engine reads are reported; an unknown nested field is ignored
    const deep = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const lines: [string, string | undefined][] = [
      [`{"timestamp":${T0},"metric":"cpu","value":${deep}}`, "field 'value'"],
      [`{"timestamp":${deep},"metric":"cpu","value":1}`, "field 'timestamp'"],
      [`{"timestamp":${T0},"metric":${deep},"value":1}`, "field 'metric'"],
      [JSON.stringify(valid(1)[0]).slice(0, -1) + `,"extra":${deep}}`, undefined],
    ];
    for (const [line, field] of lines) {
      // each beside a valid line (one per request: a 100k-deep line is ~600 kB)
      const b = await post(line + '\n' + ndjson(valid(1)), { 'content-type': NDJSON });
      expect(b.status).toBe(200);
      if (field === undefined) {
        expect(b.json).toEqual({ accepted: 2, rejected: 0, errors: [] });
        sent += 2;
      } else {
        expect(b.json).toMatchObject({ accepted: 1, rejected: 1 });
        expect(b.json.errors[0].line).toBe(1);
        expect(b.json.errors[0].reason.startsWith(`${field}:`)).toBe(true);
        sent += 1;
      }
    }
    const c = await post(`[${JSON.stringify(valid(1)[0])}, ${'['.repeat(depth) + ']'.repeat(depth)}]`, { 'content-type': JSON_TYPE });
    expect(c.status).toBe(200);
    expect(c.json).toMatchObject({ accepted: 1, rejected: 1, errors: [{ line: 2, reason: 'element 2 is not a JSON object' }] });
    sent += 1;
    await stillServing();
  });

  it('wrong types are rejected with their reason; unknown fields are ignored', async () => {
    const rows: Row[] = [
      { timestamp: T0, metric: 'cpu', value: { v: 1 } },
      { timestamp: T0, metric: 'cpu', value: 'high' },
      { timestamp: T0, metric: 'cpu', value: true },
      { timestamp: '2024-13-45T99:00:00Z', metric: 'cpu', value: 1 },
      { timestamp: [T0], metric: 'cpu', value: 1 },
      { timestamp: T0, metric: ['cpu'], value: 1 },
      { timestamp: T0, metric: 'cpu', value: null },
      ...valid(3).map((r, i) => ({ ...r, unknown: i, nested: { deep: [1, 2, { x: null }] }, ['__proto__']: 'x' })),
    ];
    const a = await post(ndjson(rows), { 'content-type': NDJSON });
    expect(a.status).toBe(200);
    expect(a.json.accepted).toBe(3);
    expect(a.json.rejected).toBe(7);
    const reasons = a.json.errors.map((e: { reason: string }) => e.reason);
    expect(reasons[0]).toMatch(/field 'value': not a number \(\{"v":1\}\)/);
    expect(reasons[1]).toMatch(/field 'value': not a number \("high"\)/);
    expect(reasons[2]).toMatch(/field 'value': not a number \(true\)/);
    expect(reasons[3]).toMatch(/field 'timestamp': cannot parse "2024-13-45T99:00:00Z"/);
    expect(reasons[4]).toMatch(/field 'timestamp': cannot parse/);
    expect(reasons[5]).toMatch(/field 'metric': expected a string, number or boolean, got an array/);
    expect(reasons[6]).toMatch(/field 'value': missing/);
    sent += 3;
    // the same through a JSON array
    const b = await post(JSON.stringify([...rows.slice(0, 2), ...valid(2)]), { 'content-type': JSON_TYPE });
    expect(b.json).toMatchObject({ accepted: 2, rejected: 2 });
    sent += 2;
    await stillServing();
  });

  it('an event time far outside years 0000–9999 is rejected alone; the pipeline keeps running', async () => {
    // each of these used to end the query (a RangeError formatting dates, or a wasm trap), so every later event was lost
    const far = [1e16, -8.64e15, 1.7976931348623157e308, '10000-01-01T00:00:00Z', 253_402_300_800_000];
    const rows: Row[] = [...valid(1), ...far.map((timestamp) => ({ timestamp, metric: 'cpu', value: 1 })), ...valid(1)];
    const a = await post(ndjson(rows), { 'content-type': NDJSON });
    expect(a.status).toBe(200);
    expect(a.json).toMatchObject({ accepted: 2, rejected: far.length });
    expect(a.json.errors.map((e: { line: number }) => e.line)).toEqual([2, 3, 4, 5, 6]);
    expect(a.json.errors[0].reason).toBe("field 'timestamp': 10000000000000000 is outside the years 0000 to 9999");
    expect(a.json.errors[3].reason).toMatch(/cannot parse "10000-01-01T00:00:00Z"/);
    sent += 2;
    const [ok] = valid(1);
    const frame = encodeColumns({ ts: [1.7976931348623157e308, ok!.timestamp as number, -1e300], value: [1, 2, 3], key: ['cpu', 'cpu', 'cpu'] });
    const b = await post(frame, { 'content-type': COLUMNS });
    expect(b.status).toBe(200);
    expect(b.json).toEqual({
      accepted: 1,
      rejected: 2,
      errors: [
        { row: 0, reason: "column 'ts': 1.7976931348623157e+308 is outside the years 0000 to 9999" },
        { row: 2, reason: "column 'ts': -1e+300 is outside the years 0000 to 9999" },
      ],
    });
    sent += 1;
    await stillServing();
    await new Promise((r) => setTimeout(r, 50));
    expect(s.handle.query.exception).toBeNull();
    expect(s.handle.query.isActive).toBe(true);
  });

  it('a columnar frame with inconsistent lengths → 400 naming the problem', async () => {
    const frame = encodeColumns({ ts: [T0, T0 + 1, T0 + 2], value: [1, 2, 3], key: ['cpu', 'mem', 'cpu'] });
    const short = await post(frame.subarray(0, frame.length - 4), { 'content-type': COLUMNS });
    expect(short.status).toBe(400);
    expect(short.json.error).toMatch(/^columnar frame: length \d+ bytes, header says \d+/);
    // the header claims more rows than the frame holds
    const lying = frame.slice();
    new DataView(lying.buffer).setUint32(8, 1000, true);
    const l = await post(lying, { 'content-type': COLUMNS });
    expect(l.status).toBe(400);
    expect(l.json.error).toMatch(/header says/);
    // a key index outside the dictionary
    const badKey = frame.slice();
    new DataView(badKey.buffer).setInt32(32 + 16 * 3 + 4, 7, true);
    const k = await post(badKey, { 'content-type': COLUMNS });
    expect(k.status).toBe(400);
    expect(k.json.error).toBe('columnar frame: key[1] = 7 is outside the key dictionary (2 entries)');
    const ok = await post(encodeColumns({ ts: [T0 + 1], value: [1], key: ['cpu'] }), { 'content-type': COLUMNS });
    expect(ok.json.accepted).toBe(1);
    sent += 1;
    await stillServing();
  });

  it('a wrong or missing token → 401 (HTTP and WebSocket); ?token= works for WebSocket', async () => {
    const body = ndjson(valid(1));
    const auths: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }, { authorization: TOKEN }, { authorization: `Basic ${TOKEN}` }];
    for (const auth of auths) {
      const a = await ingest(s.base, body, { 'content-type': NDJSON, ...auth });
      expect(a.status).toBe(401);
      expect(a.json).toEqual({ error: 'missing or wrong bearer token' });
    }
    for (const path of ['/ingest', '/live', '/ingest?token=wrong']) {
      await expect(WsClient.connect(`${s.wsBase}${path}`)).rejects.toMatchObject({ status: 401 });
    }
    const ws = await WsClient.connect(`${s.wsBase}/ingest?token=${TOKEN}`);
    await ws.send(ndjson(valid(2)));
    expect(await ws.next((m: WsMessage) => m.type === 'ack')).toMatchObject({ status: 200, accepted: 2 });
    sent += 2;
    await ws.close();
    const live = await WsClient.connect(`${s.wsBase}/live`, AUTH);
    expect((await live.next()).type).toBe('hello');
    await live.close();
    await stillServing();
  });

  it('an oversized body → 413: by Content-Length, by a chunked body without one, and a lying Content-Length never gets in', async () => {
    const big = ndjson(valid(30_000)); // ~1.5 MB of valid events: all refused
    expect(big.length).toBeGreaterThan(LIMIT);
    const a = await post(big, { 'content-type': NDJSON });
    expect(a.status).toBe(413);
    expect(a.json.error).toBe(`body of ${big.length} bytes is over the limit of ${LIMIT}`);

    // chunked: the server counts the bytes it reads
    const bytes = new TextEncoder().encode(big);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let at = 0; at < bytes.length; at += 64 * 1024) c.enqueue(bytes.subarray(at, at + 64 * 1024));
        c.close();
      },
    });
    const b = await request(s.base, '/ingest', { method: 'POST', body: stream, headers: { ...AUTH, 'content-type': NDJSON }, duplex: 'half' } as RequestInit);
    expect(b.status).toBe(413);
    expect(b.json.error).toBe(`body is over the limit of ${LIMIT} bytes`);

    // a small Content-Length with a big chunked body: refused (uWS drops such a request), nothing accepted
    const before = await metricNow(s.base, 'eddy_input_events_total');
    let chunked = '';
    for (let at = 0; at < big.length; at += 8000) {
      const piece = big.slice(at, at + 8000);
      chunked += `${Buffer.byteLength(piece).toString(16)}\r\n${piece}\r\n`;
    }
    const lying = await rawExchange(s.port, [
      `POST /ingest HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: ${NDJSON}\r\nContent-Length: 64\r\nTransfer-Encoding: chunked\r\n\r\n`,
      chunked + '0\r\n\r\n',
    ]);
    expect(lying.ended).not.toBe('open');
    expect(lying.status === undefined || (lying.status >= 400 && lying.status < 500)).toBe(true);
    expect(await metricNow(s.base, 'eddy_input_events_total')).toBe(before);
    await stillServing();
  });

  it('unsupported Content-Type or Content-Encoding → 415', async () => {
    for (const type of ['text/html', 'application/xml', 'multipart/form-data; boundary=x', 'application/octet-stream']) {
      const a = await post(ndjson(valid(1)), { 'content-type': type });
      expect(a.status, type).toBe(415);
      expect(a.json.error).toMatch(/^unsupported Content-Type/);
    }
    for (const encoding of ['br', 'deflate', 'gzip, gzip', 'x-unknown']) {
      const a = await post(ndjson(valid(1)), { 'content-type': NDJSON, 'content-encoding': encoding });
      expect(a.status, encoding).toBe(415);
      expect(a.json.error).toMatch(/^unsupported Content-Encoding/);
    }
    await stillServing();
  });

  it('a gzip bomb (inflates beyond the limit) → 413', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(LIMIT);
    for (const type of [NDJSON, JSON_TYPE, COLUMNS]) {
      const a = await post(bomb, { 'content-type': type, 'content-encoding': 'gzip' });
      expect(a.status, type).toBe(413);
      expect(a.json.error).toBe(`body is larger than ${LIMIT} bytes once inflated`);
    }
    // just under the limit once inflated is fine
    const fine = gzipSync(Buffer.concat([Buffer.from(ndjson(valid(2))), Buffer.alloc(LIMIT - 4096, 0x0a)]));
    const ok = await post(fine, { 'content-type': NDJSON, 'content-encoding': 'gzip' });
    expect(ok.status).toBe(200);
    expect(ok.json.accepted).toBe(2);
    sent += 2;
    await stillServing();
  });

  it('a WebSocket message over the limit closes that socket; others carry on', async () => {
    const other = await WsClient.connect(`${s.wsBase}/ingest`, AUTH);
    const ws = await WsClient.connect(`${s.wsBase}/ingest`, AUTH);
    await ws.send(ndjson(valid(1)));
    expect(await ws.next((m: WsMessage) => m.type === 'ack')).toMatchObject({ seq: 1, accepted: 1 });
    sent += 1;
    const oversized = ndjson(valid(25_000));
    expect(oversized.length).toBeGreaterThan(LIMIT);
    ws.ws.send(oversized);
    const { code } = await ws.closed;
    expect([1006, 1009]).toContain(code);
    expect(ws.messages.filter((m: WsMessage) => m.type === 'ack')).toHaveLength(1);
    await other.send(ndjson(valid(2)));
    expect(await other.next((m: WsMessage) => m.type === 'ack')).toMatchObject({ seq: 1, accepted: 2 });
    sent += 2;
    await other.close();
    await stillServing();
  });

  it('CORS: a preflight → 204 with the configured origin; another origin gets no allow header', async () => {
    const pre = await request(s.base, '/ingest', {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, content-encoding' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(pre.headers.get('vary')).toBe('Origin');
    expect(pre.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toMatch(/authorization.*content-type.*content-encoding/);
    const evil = await request(s.base, '/ingest', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(evil.status).toBe(204);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    // actual responses carry it too, errors included
    const health = await request(s.base, '/health', { headers: { origin: ORIGIN } });
    expect(health.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const denied = await ingest(s.base, '{}', { origin: ORIGIN, 'content-type': NDJSON });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    await stillServing();
  });

  it('an unknown path → 404 (any method)', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['GET', '/ingest'],
      ['POST', '/metrics'],
      ['PUT', '/ingest'],
      ['DELETE', '/health'],
      ['GET', '/../../etc/passwd'],
    ] as const) {
      const a = await request(s.base, path, { method, headers: AUTH });
      expect(a.status, `${method} ${path}`).toBe(404);
      expect(a.json.error).toMatch(/^no route/);
    }
    await stillServing();
  });

  it('every valid event sent alongside was processed: /metrics, then the totals after a graceful stop', async () => {
    expect(sent).toBeGreaterThan(30);
    expect(await metricNow(s.base, 'eddy_input_events_total')).toBe(sent);
    await s.stop();
    const totals = s.handle.query.lastProgress!.totals;
    expect(totals.inputRows).toBe(sent);
    expect(totals.processedRows).toBe(sent);
    expect(totals.lateRows).toBe(0);
    expect(totals.errors).toBe(0);
  });
});

describe('a 10 MB line with the default limits (16 MiB bodies, 1 MiB lines)', () => {
  let s: TestServer;
  let sent = 0;
  beforeAll(async () => {
    s = await startTestServer({ processing: { window_size: '1 minute', watermark_delay: '1 hour' } });
  });
  afterAll(async () => {
    await s.stop();
  });

  const hugeLine = (): string => JSON.stringify({ timestamp: T0, metric: 'cpu', value: 1, pad: 'y'.repeat(10_000_000) });

  it('alone → 400: the line limit rejects it (the body is under the body limit)', async () => {
    const a = await ingest(s.base, hugeLine(), { 'content-type': NDJSON });
    expect(a.status).toBe(400);
    expect(a.json).toEqual({ accepted: 0, rejected: 1, errors: [{ line: 1, reason: 'line longer than 1048576 characters' }] });
  });

  it('between valid lines → 200: only that line is rejected (HTTP and WebSocket)', async () => {
    const body = ndjson(valid(3, 'mem')) + hugeLine() + '\n' + ndjson(valid(4, 'mem'));
    const a = await ingest(s.base, body, { 'content-type': NDJSON });
    expect(a.status).toBe(200);
    expect(a.json).toEqual({ accepted: 7, rejected: 1, errors: [{ line: 4, reason: 'line longer than 1048576 characters' }] });
    sent += 7;
    const ws = await WsClient.connect(`${s.wsBase}/ingest`);
    await ws.send(ndjson(valid(2, 'mem')) + hugeLine() + '\n' + ndjson(valid(2, 'mem')));
    expect(await ws.next((m: WsMessage) => m.type === 'ack')).toEqual({
      type: 'ack',
      seq: 1,
      status: 200,
      accepted: 4,
      rejected: 1,
      errors: [{ line: 3, reason: 'line longer than 1048576 characters' }],
    });
    sent += 4;
    await ws.close();
  });

  it('a body over 16 MiB → 413', async () => {
    const a = await ingest(s.base, 'z'.repeat(16 * 1024 * 1024 + 1), { 'content-type': NDJSON });
    expect(a.status).toBe(413);
    expect((await request(s.base, '/health')).status).toBe(200);
  });

  it('the valid events were processed', async () => {
    expect(await metricNow(s.base, 'eddy_input_events_total')).toBe(sent);
    await s.stop();
    expect(s.handle.query.lastProgress!.totals).toMatchObject({ inputRows: sent, processedRows: sent, errors: 0 });
  });
});

describe('POST /ingest when the source is not http', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ source: { type: 'generator', limit: 500, rate: 'max', seed: 3 } });
  });
  afterAll(async () => {
    await s.stop();
  });

  it('409 naming the source; WebSocket /ingest is refused with 409 too; the rest is served', async () => {
    const a = await ingest(s.base, ndjson(valid(1)), { 'content-type': NDJSON });
    expect(a.status).toBe(409);
    expect(a.json.error).toMatch(/reads from generator; ingest needs a source of type http or ws/);
    await expect(WsClient.connect(`${s.wsBase}/ingest`)).rejects.toMatchObject({ status: 409 });
    await s.handle.query.awaitTermination();
    expect((await request(s.base, '/health')).status).toBe(200);
    const progress = await request(s.base, '/progress');
    expect(progress.json.lastProgress.totals.inputRows).toBe(500);
    const live = await WsClient.connect(`${s.wsBase}/live`);
    expect((await live.next()).type).toBe('hello');
    await live.close();
  });
});
