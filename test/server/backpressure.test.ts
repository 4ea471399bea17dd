/**
 * Backpressure, end to end on a real server:
 *  - producers outrunning the engine get 503 + Retry-After (nothing of that
 *    payload accepted); every event answered 200 is processed; memory stays
 *    bounded while far more bytes pass through than it grows;
 *  - a /live subscriber that stops reading never slows ingestion: its queue
 *    stays bounded, the oldest messages are dropped and announced with
 *    {"type":"dropped","count":n}, and later results still reach it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { encodeColumns } from '../../src/server/columnarFormat.js';
import {
  COLUMNS,
  KeepAliveClient,
  T0,
  WsClient,
  eventually,
  forceGc,
  liveBytes,
  metricNow,
  startTestServer,
  type TestServer,
  type WsMessage,
} from '../support/server.js';

const MB = 1024 * 1024;

describe('a bounded engine queue (max_queued_events 5000) under producers that outrun the engine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-bp-'));
  const out = join(dir, 'windows.ndjson');
  let s: TestServer;
  beforeAll(async () => {
    // The file sink syncs each batch to disk: the engine waits for I/O while requests keep arriving.
    s = await startTestServer({
      source: { max_queued_events: 5000 },
      processing: { window_size: '1 second', watermark_delay: '1 minute', flush_on_stop: true },
      sink: { type: 'file', path: out },
    });
  });
  afterAll(async () => {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('some requests get 503 with Retry-After; the 200s add up to exactly what the engine processed; RSS stays bounded', async () => {
    const CONNECTIONS = 8;
    const ROWS = 4000; // two payloads do not fit the queue together
    const KEYS = 50;
    let frameNo = 0;
    const frame = (): Uint8Array => {
      const f = frameNo++;
      // event time advances 500 ms per frame: concurrent frames stay well within the 1-minute delay
      return encodeColumns({
        ts: Float64Array.from({ length: ROWS }, (_, i) => T0 + f * 500 + i / 8),
        value: Float64Array.from({ length: ROWS }, (_, i) => (i * 7) % 101),
        key: Float64Array.from({ length: ROWS }, (_, i) => i % KEYS),
        keys: Array.from({ length: KEYS }, (_, k) => `host-${k}`),
      });
    };
    let accepted = 0;
    let ok = 0;
    let busy = 0;
    let bytes = 0;
    const retryAfter = new Set<string>();
    const clients = Array.from({ length: CONNECTIONS }, () => new KeepAliveClient(s.port));
    const produce = async (client: KeepAliveClient, until: () => boolean): Promise<void> => {
      while (!until()) {
        const body = frame();
        const r = await client.request('POST', '/ingest', body, { 'content-type': COLUMNS });
        bytes += body.byteLength;
        const json = JSON.parse(r.text) as { accepted: number; error?: string };
        if (r.status === 200) {
          ok++;
          accepted += json.accepted;
          expect(json.accepted).toBe(ROWS);
        } else {
          expect(r.status).toBe(503);
          expect(json.accepted).toBe(0);
          expect(json.error).toMatch(/queue is full/);
          retryAfter.add(String(r.headers['retry-after']));
          busy++;
        }
      }
    };
    try {
      // warm up (heap, buffers, sockets), then measure while 48 MB go through (or 20 s pass, on a very busy machine)
      await Promise.all(clients.map((c) => produce(c, () => bytes >= 8 * MB)));
      forceGc();
      const rss0 = process.memoryUsage().rss;
      const live0 = liveBytes();
      const phaseStart = bytes;
      const deadline = Date.now() + 20_000;
      await Promise.all(clients.map((c) => produce(c, () => bytes - phaseStart >= 48 * MB || Date.now() > deadline)));
      forceGc();
      const growth = process.memoryUsage().rss - rss0;
      const liveGrowth = liveBytes() - live0;
      const phaseBytes = bytes - phaseStart;

      expect(busy).toBeGreaterThan(0);
      expect(ok).toBeGreaterThan(0);
      expect([...retryAfter]).toEqual(['1']);
      expect(phaseBytes).toBeGreaterThan(16 * MB);
      // The server holds a bounded queue, not what it was sent. Live memory (after a full GC) is the
      // sharp measure; RSS also moves with the heap's and the allocator's sizing, hence the looser bound.
      const grew = `RSS grew ${(growth / MB).toFixed(1)} MB, live memory ${(liveGrowth / MB).toFixed(1)} MB, while ${(phaseBytes / MB).toFixed(0)} MB were sent`;
      expect(growth, grew).toBeLessThan(phaseBytes);
      expect(liveGrowth, grew).toBeLessThan(phaseBytes / 10);

      expect(await metricNow(s.base, 'eddy_ingest_busy_total')).toBe(busy);
      expect(await metricNow(s.base, 'eddy_ingest_requests_total', { transport: 'http', status: '503' })).toBe(busy);
      expect(await metricNow(s.base, 'eddy_input_events_total')).toBe(accepted);
      expect(await metricNow(s.base, 'eddy_queue_events')).toBeLessThanOrEqual(5000);
    } finally {
      for (const c of clients) c.close();
    }

    await s.stop();
    const totals = s.handle.query.lastProgress!.totals;
    expect(totals.inputRows).toBe(accepted);
    expect(totals.processedRows + totals.lateRows).toBe(accepted);
    expect(totals.errors).toBe(0);
    // and the sink has them: every on-time event in exactly one (tumbling) window, flushed at stop
    const windows = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { count: number });
    expect(windows.reduce((n, w) => n + w.count, 0)).toBe(totals.processedRows);
  }, 60_000);
});

/** A /live client that only counts what it receives (a fast subscriber that keeps nothing). */
function countingSubscriber(url: string): Promise<{ ws: WebSocket; stats: { messages: number; bytes: number; lastBatch: number } }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const stats = { messages: 0, bytes: 0, lastBatch: 0 };
    ws.on('message', (data: Buffer) => {
      stats.messages++;
      stats.bytes += data.length;
      const m = /^\{"type":"results","batch":(\d+)/.exec(data.subarray(0, 64).toString());
      if (m) stats.lastBatch = Number(m[1]);
    });
    ws.once('open', () => resolve({ ws, stats }));
    ws.once('error', reject);
  });
}

interface HubSubscriber {
  queue: string[];
  dropped: number;
}

describe('a slow /live subscriber', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      processing: { window_size: '1 second', watermark_delay: '0 s', aggregations: ['avg', 'min', 'max', 'count'] },
      sink: { type: 'memory', queryName: `bp_live_${process.pid}`, max_rows: 1000 },
    });
  });
  afterAll(async () => {
    await s.stop();
  });

  it('never slows ingestion: its queue stays bounded, drops are counted and announced, later results arrive', async () => {
    const KEYS = 300;
    const WARMUP = 200;
    const BATCHES = 500;
    // long key texts make big records cheaply: each results message is ~140 kB
    const keys = Array.from({ length: KEYS }, (_, k) => `series-${String(k).padStart(4, '0')}-${'x'.repeat(300)}`);
    // batch b: one event per key at second b, closing second b − 1 for every key
    const batch = (b: number): Uint8Array =>
      encodeColumns({
        ts: new Float64Array(KEYS).fill(T0 + b * 1000),
        value: Float64Array.from({ length: KEYS }, (_, k) => k + b),
        key: Float64Array.from({ length: KEYS }, (_, k) => k),
        keys,
      });

    const slow = await WsClient.connect(`${s.wsBase}/live`);
    expect((await slow.next()).type).toBe('hello');
    const fast = await countingSubscriber(`${s.wsBase}/live?kinds=windows`);
    await eventually(async () => (await metricNow(s.base, 'eddy_live_subscribers')) === 2, 5000, 'two subscribers');
    // stop reading: the kernel buffers fill, then uWS's, then the hub's queue
    const socket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();

    const hub = (s.handle.server as unknown as { served: { hub: { subscribers: Set<HubSubscriber>; batch: number } } }).served.hub;
    const producer = await WsClient.connect(`${s.wsBase}/ingest`);
    let acked = 0;
    const send = async (from: number, to: number): Promise<void> => {
      for (let b = from; b < to; b++) {
        await producer.send(batch(b));
        const ack = await producer.next((m: WsMessage) => m.type === 'ack');
        expect(ack).toMatchObject({ seq: ++acked, status: 200, accepted: KEYS });
      }
      // every batch was processed and reached the fast subscriber, whatever the slow one does
      await eventually(() => s.handle.query.lastProgress?.totals.inputRows === to * KEYS, 20_000, 'the engine to process every batch');
      await eventually(() => fast.stats.lastBatch === hub.batch, 20_000, 'the fast subscriber to get every batch');
    };
    try {
      // warm up until the slow subscriber's queue is full and the heap has grown to its working size
      await send(0, WARMUP);
      forceGc();
      const rss0 = process.memoryUsage().rss;
      const live0 = liveBytes();
      const bytes0 = fast.stats.bytes;
      await send(WARMUP, BATCHES);
      forceGc();
      const growth = process.memoryUsage().rss - rss0;
      const liveGrowth = liveBytes() - live0;
      const produced = fast.stats.bytes - bytes0;
      const grew = `RSS grew ${(growth / MB).toFixed(1)} MB, live memory ${(liveGrowth / MB).toFixed(1)} MB, while ${(produced / MB).toFixed(0)} MB of results were produced`;
      expect(produced).toBeGreaterThan(25 * MB);
      expect(growth, grew).toBeLessThan(produced);
      // the queue was already full: nothing more is kept however much is produced
      expect(Math.abs(liveGrowth), grew).toBeLessThan(4 * MB);

      const queues = [...hub.subscribers].map((x) => x.queue.length);
      expect(Math.max(...queues)).toBe(64); // DEFAULT_LIVE_LIMITS.maxQueuedMessages
      expect(Math.min(...queues)).toBe(0); // the fast one
      expect(await metricNow(s.base, 'eddy_live_dropped_messages_total')).toBeGreaterThan(BATCHES - WARMUP);
      expect(slow.messages).toHaveLength(1); // only the hello: it read nothing since

      socket.resume();
      const dropped = await slow.next((m: WsMessage) => m.type === 'dropped', 20_000, 'the dropped notice');
      expect(dropped.count).toBeGreaterThan(0);
      const after = await slow.next((m: WsMessage) => m.type === 'results', 20_000, 'results after the notice');
      expect(after.batch).toBeGreaterThan(0);

      // a new batch reaches it too
      const last = hub.batch + 1;
      await send(BATCHES, BATCHES + 1);
      expect(hub.batch).toBe(last);
      await slow.next((m: WsMessage) => m.type === 'results' && m.batch === last, 20_000, 'the last batch');

      // accounting: every results message was delivered to it or counted as dropped, in order
      const results = slow.messages.filter((m: WsMessage) => m.type === 'results');
      const batches = results.map((m: WsMessage) => m.batch as number);
      expect(batches).toEqual([...batches].sort((a, b) => a - b));
      const announced = slow.messages.filter((m: WsMessage) => m.type === 'dropped').reduce((n: number, m: WsMessage) => n + (m.count as number), 0);
      expect(results.length + announced).toBe(last);
      expect(await metricNow(s.base, 'eddy_live_dropped_messages_total')).toBe(announced);
      // the fast subscriber lost nothing
      expect(fast.stats.messages).toBe(last + 1); // + hello
    } finally {
      await producer.close();
      fast.ws.close();
      await slow.close();
    }
  }, 60_000);
});
