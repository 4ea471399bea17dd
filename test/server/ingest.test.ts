/**
 * Ingest through a real server (127.0.0.1, random port): POST /ingest in
 * every format (NDJSON, JSON array, gzip of both, the binary columnar
 * format), WebSocket /ingest (text NDJSON, text JSON array, binary columnar,
 * one ack per message), per-connection order, the equivalence of the server
 * path with the file source, and the /live filters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeColumns } from '../../src/server/columnarFormat.js';
import { parsePipelineConfig } from '../../src/config/pipelineConfig.js';
import { startPipeline } from '../../src/config/buildPipeline.js';
import { loadCore } from '../../src/node/loadCore.js';
import { memoryTable } from '../../src/sinks/memoryTable.js';
import { mulberry32 } from '../support/prng.js';
import { COLUMNS, JSON_TYPE, NDJSON, T0, WsClient, ingest, metricNow, ndjson, startTestServer, type TestServer, type WsMessage } from '../support/server.js';

type Row = Record<string, unknown>;

const ev = (i: number, metric = 'cpu', value = i): Row => ({ timestamp: T0 + i * 1000, metric, value });

describe('POST /ingest: formats and answers', () => {
  let s: TestServer;
  let acceptedSoFar = 0;
  beforeAll(async () => {
    s = await startTestServer({ processing: { window_size: '1 minute', watermark_delay: '10 minutes' } });
  });
  afterAll(async () => {
    await s.stop();
  });

  it('NDJSON: counts accepted and rejected rows, reports the first errors with their line numbers', async () => {
    const body = [
      JSON.stringify(ev(1)),
      '', // blank lines are skipped but keep the numbering
      JSON.stringify(ev(2, 'mem')),
      JSON.stringify({ timestamp: T0, metric: 'cpu', value: 'x' }),
      '{"timestamp": 1, "metric": "cpu"', // truncated
      JSON.stringify(ev(3)) + '\r', // CRLF line ending
      '42',
    ].join('\n');
    const a = await ingest(s.base, body, { 'content-type': NDJSON });
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toBe('application/json');
    expect(a.json.accepted).toBe(3);
    expect(a.json.rejected).toBe(3);
    expect(a.json.errors.map((e: { line: number }) => e.line)).toEqual([4, 5, 7]);
    expect(a.json.errors[0].reason).toMatch(/field 'value': not a number/);
    expect(a.json.errors[1].reason).toMatch(/not valid JSON/);
    expect(a.json.errors[2].reason).toMatch(/expected a JSON object/);
    acceptedSoFar += 3;
  });

  it('NDJSON media type aliases and parameters are accepted', async () => {
    for (const type of ['application/x-ndjson; charset=utf-8', 'application/ndjson', 'application/jsonl', 'text/plain;charset=UTF-8', 'APPLICATION/X-NDJSON']) {
      const a = await ingest(s.base, ndjson([ev(4), ev(5)]), { 'content-type': type });
      expect(a.status, type).toBe(200);
      expect(a.json.accepted, type).toBe(2);
      acceptedSoFar += 2;
    }
  });

  it('reports only the first 10 errors but counts them all', async () => {
    const lines = Array.from({ length: 25 }, (_, i) => (i % 2 === 0 ? JSON.stringify(ev(i)) : `{"bad":${i}`));
    const a = await ingest(s.base, lines.join('\n'), { 'content-type': NDJSON });
    expect(a.status).toBe(200);
    expect(a.json.accepted).toBe(13);
    expect(a.json.rejected).toBe(12);
    expect(a.json.errors).toHaveLength(10);
    expect(a.json.errors.map((e: { line: number }) => e.line)).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    acceptedSoFar += 13;
  });

  it('JSON array: elements are numbered from 1; a single object is one event', async () => {
    const a = await ingest(s.base, JSON.stringify([ev(6), 'nope', ev(7, 'mem'), { timestamp: 'yesterday', metric: 'cpu', value: 1 }]), {
      'content-type': JSON_TYPE,
    });
    expect(a.status).toBe(200);
    expect(a.json).toMatchObject({ accepted: 2, rejected: 2 });
    expect(a.json.errors).toEqual([
      { line: 2, reason: 'element 2 is not a JSON object' },
      { line: 4, reason: expect.stringMatching(/field 'timestamp': cannot parse "yesterday"/) },
    ]);
    const one = await ingest(s.base, JSON.stringify(ev(8)), { 'content-type': 'application/json; charset=utf-8' });
    expect(one.status).toBe(200);
    expect(one.json).toEqual({ accepted: 1, rejected: 0, errors: [] });
    acceptedSoFar += 3;
  });

  it('every row rejected → 400 with the counts; an empty body → 200 with nothing accepted', async () => {
    const a = await ingest(s.base, JSON.stringify([{ metric: 'cpu', value: 1 }]), { 'content-type': JSON_TYPE });
    expect(a.status).toBe(400);
    expect(a.json).toEqual({ accepted: 0, rejected: 1, errors: [{ line: 1, reason: "field 'timestamp': missing" }] });
    const empty = await ingest(s.base, '', { 'content-type': NDJSON });
    expect(empty.status).toBe(200);
    expect(empty.json).toEqual({ accepted: 0, rejected: 0, errors: [] });
  });

  it('gzip: NDJSON and JSON array bodies are inflated', async () => {
    const a = await ingest(s.base, gzipSync(ndjson([ev(9), ev(10), { timestamp: T0, value: 1 }])), { 'content-type': NDJSON, 'content-encoding': 'gzip' });
    expect(a.status).toBe(200);
    expect(a.json).toEqual({ accepted: 2, rejected: 1, errors: [{ line: 3, reason: "field 'metric': missing" }] });
    const b = await ingest(s.base, gzipSync(JSON.stringify([ev(11), ev(12), ev(13)])), { 'content-type': JSON_TYPE, 'content-encoding': 'GZIP' });
    expect(b.status).toBe(200);
    expect(b.json).toEqual({ accepted: 3, rejected: 0, errors: [] });
    acceptedSoFar += 5;
  });

  it('the binary columnar format (also gzipped)', async () => {
    const n = 1000;
    const frame = encodeColumns({
      ts: Float64Array.from({ length: n }, (_, i) => T0 + i),
      value: Float64Array.from({ length: n }, (_, i) => i / 7),
      key: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 'cpu' : i % 3 === 1 ? 'mem' : 'disk')),
    });
    const a = await ingest(s.base, frame, { 'content-type': COLUMNS });
    expect(a.status).toBe(200);
    expect(a.json).toEqual({ accepted: n, rejected: 0, errors: [] });
    const b = await ingest(s.base, gzipSync(frame), { 'content-type': COLUMNS, 'content-encoding': 'gzip' });
    expect(b.status).toBe(200);
    expect(b.json.accepted).toBe(n);
    // an empty frame is valid and accepts nothing
    const empty = await ingest(s.base, encodeColumns({ ts: [], value: [], key: [] }), { 'content-type': COLUMNS });
    expect(empty.status).toBe(200);
    expect(empty.json).toEqual({ accepted: 0, rejected: 0, errors: [] });
    acceptedSoFar += 2 * n;
  });

  it('columnar rows with a non-finite time or value are reported as rejected, by row', async () => {
    const frame = encodeColumns({ ts: [T0, NaN, T0 + 2, T0 + 3], value: [1, 2, Infinity, 4], key: ['cpu', 'cpu', 'mem', 'mem'] });
    const a = await ingest(s.base, frame, { 'content-type': COLUMNS });
    expect(a.status).toBe(200);
    expect(a.json.accepted).toBe(2);
    expect(a.json.rejected).toBe(2);
    expect(a.json.errors).toEqual([
      { row: 1, reason: expect.stringMatching(/ts/) },
      { row: 2, reason: expect.stringMatching(/value/) },
    ]);
    const allBad = await ingest(s.base, encodeColumns({ ts: [NaN], value: [1], key: ['cpu'] }), { 'content-type': COLUMNS });
    expect(allBad.status).toBe(400);
    expect(allBad.json).toMatchObject({ accepted: 0, rejected: 1 });
    acceptedSoFar += 2;
  });

  it('eddy_input_events_total counts exactly the accepted events, and the engine processes them all', async () => {
    expect(await metricNow(s.base, 'eddy_input_events_total')).toBe(acceptedSoFar);
    await s.stop();
    const totals = s.handle.query.lastProgress!.totals;
    expect(totals.inputRows).toBe(acceptedSoFar);
    // the server accepted only rows the engine takes: nothing is rejected later
    expect(totals.errors).toBe(0);
    expect(totals.processedRows + totals.lateRows).toBe(acceptedSoFar);
  });
});

describe('WebSocket /ingest', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ processing: { window_size: '1 minute', watermark_delay: '10 minutes' } });
  });
  afterAll(async () => {
    await s.stop();
  });

  it('text NDJSON, text JSON array and binary columnar messages: one ack each, with seq, accepted, rejected, errors', async () => {
    const c = await WsClient.connect(`${s.wsBase}/ingest`);
    await c.send(ndjson([ev(1), ev(2)]) + '{"timestamp":1}\n');
    await c.send(`  \n[${JSON.stringify(ev(3))}, 7]`); // leading whitespace, then '[' → a JSON array
    await c.send(encodeColumns({ ts: [T0 + 1, T0 + 2, T0 + 3], value: [1, 2, 3], key: ['a', 'b', 'a'] }));
    await c.send('{"nope":'); // every row bad → status 400, the socket stays open
    await c.send(ndjson([ev(4)]));
    const acks = [];
    for (let i = 0; i < 5; i++) acks.push(await c.next((m: WsMessage) => m.type === 'ack'));
    expect(acks.map((a) => a.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(acks[0]).toEqual({ type: 'ack', seq: 1, status: 200, accepted: 2, rejected: 1, errors: [{ line: 3, reason: "field 'value': missing" }] });
    expect(acks[1]).toEqual({ type: 'ack', seq: 2, status: 200, accepted: 1, rejected: 1, errors: [{ line: 2, reason: 'element 2 is not a JSON object' }] });
    expect(acks[2]).toEqual({ type: 'ack', seq: 3, status: 200, accepted: 3, rejected: 0, errors: [] });
    expect(acks[3]).toMatchObject({ type: 'ack', seq: 4, status: 400, accepted: 0, rejected: 1 });
    expect(acks[4]).toMatchObject({ seq: 5, status: 200, accepted: 1 });
    // a second connection numbers its own messages from 1
    const d = await WsClient.connect(`${s.wsBase}/ingest`);
    await d.send(ndjson([ev(5)]));
    expect(await d.next((m: WsMessage) => m.type === 'ack')).toMatchObject({ seq: 1, accepted: 1 });
    expect(await metricNow(s.base, 'eddy_input_events_total')).toBe(8);
    expect(await metricNow(s.base, 'eddy_ingest_requests_total', { transport: 'ws', status: '200' })).toBe(5);
    expect(await metricNow(s.base, 'eddy_ingest_requests_total', { transport: 'ws', status: '400' })).toBe(1);
    await c.close();
    await d.close();
  });
});

describe('order: events from one connection reach the engine in the order sent', () => {
  // 1-second tumbling windows and no watermark delay: any event overtaken by a
  // later one from another message would be late. One event per message.
  let s: TestServer;
  const table = `order_${process.pid}`;
  beforeAll(async () => {
    s = await startTestServer({
      processing: { window_size: '1 second', watermark_delay: '0 s', flush_on_stop: true },
      sink: { type: 'memory', queryName: table },
    });
  });
  afterAll(async () => {
    await s.stop();
  });

  it('200 WebSocket messages sent without waiting, then 50 HTTP requests on one connection', async () => {
    const c = await WsClient.connect(`${s.wsBase}/ingest`);
    const n = 200;
    for (let i = 0; i < n; i++) {
      const row = ev(i, 'ord', i);
      // vary the format so each path is exercised in the sequence
      if (i % 3 === 0) c.ws.send(encodeColumns({ ts: [row.timestamp as number], value: [i], key: ['ord'] }));
      else if (i % 3 === 1) c.ws.send(JSON.stringify([row]));
      else c.ws.send(JSON.stringify(row));
    }
    const acks = [];
    for (let i = 0; i < n; i++) acks.push(await c.next((m: WsMessage) => m.type === 'ack'));
    expect(acks.map((a) => a.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(acks.every((a) => a.status === 200 && a.accepted === 1)).toBe(true);
    for (let i = n; i < n + 50; i++) {
      const a = await ingest(s.base, JSON.stringify(ev(i, 'ord', i)), { 'content-type': NDJSON });
      expect(a.json.accepted).toBe(1);
    }
    await c.close();
    await s.stop();
    const totals = s.handle.query.lastProgress!.totals;
    expect(totals.lateRows).toBe(0);
    expect(totals.processedRows).toBe(n + 50);
    const windows = memoryTable(table)!.rows();
    expect(windows).toHaveLength(n + 50);
    windows.forEach((w, i) => {
      expect(w.count).toBe(1);
      expect(w.avg_value).toBe(i);
    });
  });
});

// ─── equivalence with the file source ──────────────────────────────────────

const EQ_PROCESSING = {
  window_size: '1 minute',
  slide_duration: '20 seconds',
  watermark_delay: '30 seconds',
  flush_on_stop: true,
  anomaly_threshold: 1.5,
  forecast: { alpha: 0.5, horizon: 3 },
};

/** A few hundred events: four keys, 15% out of order (within the delay), 5% late, a few invalid rows, some ISO timestamps and unknown fields. */
function equivalenceEvents(seed: number, count: number): { rows: Row[]; invalid: Set<number> } {
  const rnd = mulberry32(seed);
  const keys = ['cpu', 'mem', 'disk', 'net'];
  const rows: Row[] = [];
  const invalid = new Set<number>();
  let t = T0;
  for (let i = 0; i < count; i++) {
    t += Math.floor(rnd() * 4000);
    let ts = t;
    const r = rnd();
    if (r < 0.15)
      ts = t - Math.floor(rnd() * 25_000); // out of order, still on time
    else if (r < 0.2) ts = t - 100_000 - Math.floor(rnd() * 60_000); // all its windows closed: late
    const metric = keys[Math.floor(rnd() * keys.length)]!;
    const value = (rnd() - 0.3) * 100 * (metric === 'disk' ? 1000 : 1);
    if (rnd() < 0.02) {
      invalid.add(i);
      rows.push({ timestamp: 'not a time', metric, value });
      continue;
    }
    const row: Row = { timestamp: i % 7 === 3 ? new Date(ts).toISOString() : ts, metric, value };
    if (i % 11 === 0) Object.assign(row, { host: `h${i}`, tags: { rack: i } }); // unknown fields: ignored
    rows.push(row);
  }
  return { rows, invalid };
}

const canonical = (r: unknown): string => JSON.stringify(r);
const sortedCanonical = (rs: readonly unknown[]): string[] => rs.map(canonical).sort();

/** Windows of each key in the order they were emitted. */
function perKey(records: readonly Row[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of records) (out[String(r.metric)] ??= []).push(canonical(r));
  return out;
}

describe('equivalence: the server produces exactly what the file source produces', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-eq-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the same events, sent in mixed formats over HTTP and WebSocket, give the same windows and late events on /live', async () => {
    const { rows, invalid } = equivalenceEvents(20240101, 600);

    // ── reference: the file source, same pipeline config, memory sinks
    const file = join(dir, 'events.ndjson');
    writeFileSync(file, ndjson(rows));
    const refName = `eq_ref_${process.pid}`;
    const refConfig = parsePipelineConfig({
      name: 'eq',
      source: { type: 'file', path: file },
      grouping_columns: ['metric'],
      processing: EQ_PROCESSING,
      sink: { type: 'memory', queryName: refName },
      late_sink: { type: 'memory', queryName: `${refName}_late` },
    });
    const refQuery = startPipeline(refConfig, { createCore: () => loadCore(), log: () => undefined }, { baseDir: dir });
    await refQuery.awaitTermination();
    const refWindows = memoryTable(refName)!.rows();
    const refLate = memoryTable(`${refName}_late`)!.rows();
    // the data exercises what it is meant to
    expect(refWindows.length).toBeGreaterThan(150);
    expect(refLate.length).toBeGreaterThan(10);
    expect(refQuery.lastProgress!.totals.errors).toBe(invalid.size);
    expect(invalid.size).toBeGreaterThan(0);
    expect(refWindows.some((w) => w.is_anomaly === true)).toBe(true);

    // ── the server, with subscribers connected before ingest
    const s = await startTestServer({ name: 'eq', processing: EQ_PROCESSING });
    try {
      const live = await WsClient.connect(`${s.wsBase}/live?kinds=windows`);
      const lateLive = await WsClient.connect(`${s.wsBase}/live?kinds=late`);
      expect(await live.next()).toEqual({ type: 'hello', query: 'eq', kind: 'windows', keyColumns: ['metric'] });
      await lateLive.next((m: WsMessage) => m.type === 'hello');
      const wsIngest = await WsClient.connect(`${s.wsBase}/ingest`);

      const rnd = mulberry32(7);
      const formats = ['ndjson', 'json', 'ndjson-gzip', 'json-gzip', 'columns', 'ws-ndjson', 'ws-json', 'ws-columns'] as const;
      const used = new Set<string>();
      let seq = 0;
      let acceptedTotal = 0;
      for (let at = 0; at < rows.length; ) {
        const size = 1 + Math.floor(rnd() * 40);
        const chunk = rows.slice(at, at + size);
        const badLines = chunk
          .map((_, i) => i)
          .filter((i) => invalid.has(at + i))
          .map((i) => i + 1);
        let format: (typeof formats)[number] = formats[Math.floor(rnd() * formats.length)]!;
        // the columnar format has no place for an unparseable timestamp
        if (badLines.length > 0 && format.endsWith('columns')) format = 'ndjson';
        used.add(format);
        const frame = (): Uint8Array =>
          encodeColumns({
            ts: chunk.map((r) => (typeof r.timestamp === 'number' ? r.timestamp : Date.parse(r.timestamp as string))),
            value: chunk.map((r) => r.value as number),
            key: chunk.map((r) => r.metric as string),
          });
        let answer: WsMessage;
        switch (format) {
          case 'ndjson':
            answer = (await ingest(s.base, ndjson(chunk), { 'content-type': NDJSON })).json;
            break;
          case 'json':
            answer = (await ingest(s.base, JSON.stringify(chunk), { 'content-type': JSON_TYPE })).json;
            break;
          case 'ndjson-gzip':
            answer = (await ingest(s.base, gzipSync(ndjson(chunk)), { 'content-type': NDJSON, 'content-encoding': 'gzip' })).json;
            break;
          case 'json-gzip':
            answer = (await ingest(s.base, gzipSync(JSON.stringify(chunk)), { 'content-type': JSON_TYPE, 'content-encoding': 'gzip' })).json;
            break;
          case 'columns':
            answer = (await ingest(s.base, frame(), { 'content-type': COLUMNS })).json;
            break;
          case 'ws-ndjson':
            await wsIngest.send(ndjson(chunk));
            break;
          case 'ws-json':
            await wsIngest.send(JSON.stringify(chunk));
            break;
          case 'ws-columns':
            await wsIngest.send(frame());
            break;
        }
        if (format.startsWith('ws-')) {
          answer = await wsIngest.next((m: WsMessage) => m.type === 'ack');
          expect(answer.seq).toBe(++seq);
        }
        expect(answer.accepted, `${format} chunk at ${at}`).toBe(chunk.length - badLines.length);
        expect(answer.rejected).toBe(badLines.length);
        expect(answer.errors.map((e: { line: number }) => e.line)).toEqual(badLines);
        acceptedTotal += answer.accepted;
        at += size;
      }
      expect(used.size).toBe(formats.length);
      await wsIngest.close();

      // graceful stop: the queue drains, open windows are flushed, subscribers get them, then close 1001
      await s.stop();
      expect((await live.closed).code).toBe(1001);
      expect((await lateLive.closed).code).toBe(1001);

      const results = live.messages.filter((m: WsMessage) => m.type === 'results');
      expect(results.every((m: WsMessage) => Object.keys(m).sort().join() === 'batch,type,windows')).toBe(true);
      const serverWindows: Row[] = results.flatMap((m: WsMessage) => m.windows);
      const serverLate: Row[] = lateLive.messages.filter((m: WsMessage) => m.type === 'results').flatMap((m: WsMessage) => m.late);

      expect(serverWindows.length).toBe(refWindows.length);
      expect(sortedCanonical(serverWindows)).toEqual(sortedCanonical(refWindows));
      // each key's windows in the same order (the rolling analytics depend on it)
      expect(perKey(serverWindows)).toEqual(perKey(refWindows));
      expect(sortedCanonical(serverLate)).toEqual(sortedCanonical(refLate));
      expect(s.handle.query.lastProgress!.totals.inputRows).toBe(acceptedTotal);
      expect(s.handle.query.lastProgress!.totals.lateRows).toBe(refLate.length);
    } finally {
      await s.stop();
    }
  });
});

// ─── /live filters ───────────────────────────────────────────────────────────

describe('/live filters', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      processing: { window_size: '1 minute', watermark_delay: '0 s', anomalies: { rows: 5, threshold: 1.5 } },
    });
  });
  afterAll(async () => {
    await s.stop();
  });

  /** One event per key per minute from minute `from` to `to` (exclusive); cpu spikes at `spike`. */
  const minutes = (from: number, to: number, spike = -1): Row[] => {
    const rows: Row[] = [];
    for (let m = from; m < to; m++) {
      for (const metric of ['cpu', 'mem'])
        rows.push({ timestamp: T0 + m * 60_000 + 1000, metric, value: metric === 'cpu' && m === spike ? 500 : 10 + (m % 3) });
    }
    return rows;
  };

  const results = (c: WsClient): WsMessage[] => c.messages.filter((m: WsMessage) => m.type === 'results');

  it('kinds and keys at connect time, then a {"subscribe":…} message changes the filter', async () => {
    const all = await WsClient.connect(`${s.wsBase}/live`);
    const anomalies = await WsClient.connect(`${s.wsBase}/live?kinds=anomalies`);
    const cpu = await WsClient.connect(`${s.wsBase}/live?keys=cpu`);
    const changing = await WsClient.connect(`${s.wsBase}/live?kinds=windows&keys=cpu`);
    for (const c of [all, anomalies, cpu, changing]) expect((await c.next()).type).toBe('hello');

    // phase 1: minutes 0..19 (the spike at 12); the event at minute 20 closes minute 19
    let a = await ingest(s.base, ndjson(minutes(0, 21, 12)), { 'content-type': NDJSON });
    expect(a.json.accepted).toBe(42);
    const first = await all.next((m: WsMessage) => m.type === 'results');
    const phase1Batch = first.batch;
    await anomalies.next((m: WsMessage) => m.type === 'results' && m.batch === phase1Batch);
    await cpu.next((m: WsMessage) => m.type === 'results' && m.batch === phase1Batch);
    await changing.next((m: WsMessage) => m.type === 'results' && m.batch === phase1Batch);

    const allWindows: Row[] = first.windows;
    expect(allWindows).toHaveLength(40);
    const expectedAnomalies = allWindows.filter((w) => w.is_anomaly === true || (w.anomaly_score as number) >= 0.5);
    expect(expectedAnomalies.some((w) => w.metric === 'cpu' && w.is_anomaly === true)).toBe(true);
    expect(first.anomalies).toEqual(expectedAnomalies);

    // kinds=anomalies: only the anomalies field, exactly the anomalous records
    for (const m of results(anomalies)) expect(Object.keys(m).sort()).toEqual(['anomalies', 'batch', 'type']);
    expect(results(anomalies).flatMap((m: WsMessage) => m.anomalies)).toEqual(expectedAnomalies);

    // keys=cpu: every kind, only key cpu
    const cpuMsgs = results(cpu);
    expect(cpuMsgs.flatMap((m: WsMessage) => m.windows)).toEqual(allWindows.filter((w) => w.metric === 'cpu'));
    expect(cpuMsgs.flatMap((m: WsMessage) => m.anomalies ?? [])).toEqual(expectedAnomalies.filter((w) => w.metric === 'cpu'));

    // change the filter: windows of mem only
    changing.ws.send(JSON.stringify({ subscribe: { kinds: ['windows'], keys: ['mem'] } }));
    expect(await changing.next((m: WsMessage) => m.type === 'subscribed')).toEqual({ type: 'subscribed', kinds: ['windows'], keys: ['mem'] });
    // a bad subscribe answers an error and leaves the filter as it was
    changing.ws.send(JSON.stringify({ subscribe: { kinds: ['bogus'] } }));
    expect((await changing.next((m: WsMessage) => m.type === 'error')).error).toMatch(/unknown kind 'bogus'/);
    changing.ws.send('not json');
    expect((await changing.next((m: WsMessage) => m.type === 'error')).error).toMatch(/subscribe/);

    // phase 2
    a = await ingest(s.base, ndjson(minutes(21, 26)), { 'content-type': NDJSON });
    expect(a.json.accepted).toBe(10);
    const second = await all.next((m: WsMessage) => m.type === 'results');
    const changed = await changing.next((m: WsMessage) => m.type === 'results');
    expect(changed.batch).toBe(second.batch);
    expect(Object.keys(changed).sort()).toEqual(['batch', 'type', 'windows']);
    expect(changed.windows).toEqual((second.windows as Row[]).filter((w) => w.metric === 'mem'));
    expect(changed.windows.length).toBeGreaterThan(0);
    // before the change it had cpu windows only
    const before = results(changing).filter((m: WsMessage) => m.batch === phase1Batch);
    expect(before.flatMap((m: WsMessage) => m.windows)).toEqual(allWindows.filter((w) => w.metric === 'cpu'));

    for (const c of [all, anomalies, cpu, changing]) await c.close();
  });

  it('an unknown kind is refused at the upgrade with 400', async () => {
    await expect(WsClient.connect(`${s.wsBase}/live?kinds=windows,bogus`)).rejects.toMatchObject({
      status: 400,
      body: expect.stringMatching(/unknown kind 'bogus'/),
    });
    // the server still serves subscribers
    const ok = await WsClient.connect(`${s.wsBase}/live?kinds=late`);
    expect((await ok.next()).type).toBe('hello');
    await ok.close();
  });
});
