/**
 * Helpers for tests against a real `eddy serve` server (startServer) on
 * 127.0.0.1 and a random port: starting one from a partial pipeline config,
 * HTTP requests (fetch, and raw sockets for requests fetch cannot send),
 * /metrics parsing, and a WebSocket client that queues what it receives.
 */
import net from 'node:net';
import http from 'node:http';
import v8 from 'node:v8';
import vm from 'node:vm';
import WebSocket from 'ws';
import { startServer, type ServedHandle } from '../../src/server/startServer.js';
import { parsePipelineConfig } from '../../src/config/pipelineConfig.js';
import { parsePrometheusText, type ParsedFamily } from './prometheusText.js';

export { WebSocket };

/** 2024-01-01T00:00:00Z in epoch ms. */
export const T0 = Date.UTC(2024, 0, 1);

export const NDJSON = 'application/x-ndjson';
export const JSON_TYPE = 'application/json';
export const COLUMNS = 'application/vnd.eddy.columns';

/** A started server, with the addresses to reach it and the lines it logged. */
export interface TestServer {
  handle: ServedHandle;
  port: number;
  /** http://127.0.0.1:port */
  base: string;
  /** ws://127.0.0.1:port */
  wsBase: string;
  /** Lines the server wrote to its error stream (bad input notices). */
  log: string[];
  /** Graceful stop (idempotent). */
  stop(): Promise<void>;
}

let tableCounter = 0;

/**
 * Starts a server for a pipeline config. `source` settings are merged over
 * `{type: 'http', host: '127.0.0.1', port: 0}`; without `sink`, results go to a
 * fresh memory table. `source: {type: 'generator', ...}` replaces the http source.
 */
export async function startTestServer(doc: Record<string, unknown> & { source?: Record<string, unknown> }): Promise<TestServer> {
  const source =
    doc.source?.type !== undefined && doc.source.type !== 'http' && doc.source.type !== 'ws'
      ? doc.source
      : { type: 'http', host: '127.0.0.1', port: 0, ...(doc.source ?? {}) };
  const config = parsePipelineConfig({
    grouping_columns: ['metric'],
    sink: { type: 'memory', queryName: `server_test_${process.pid}_${++tableCounter}`, max_rows: 10_000 },
    ...doc,
    source,
  });
  const log: string[] = [];
  const handle = await startServer(config, process.cwd(), {
    host: '127.0.0.1',
    port: 0,
    err: {
      write: (s: string) => {
        if (log.length < 10_000) log.push(s);
        return true;
      },
    },
  });
  return {
    handle,
    port: handle.port,
    base: `http://127.0.0.1:${handle.port}`,
    wsBase: `ws://127.0.0.1:${handle.port}`,
    log,
    stop: () => handle.stop(),
  };
}

/** An HTTP answer with its body parsed as JSON when it is JSON. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: a parsed JSON body of any shape; each test narrows it with its own expectations
  json: any;
}

/** Sends a request with fetch; the body is parsed as JSON when the answer says it is JSON. */
export async function request(base: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(base + path, init);
  const text = await res.text();
  let json: unknown;
  if ((res.headers.get('content-type') ?? '').includes('json')) json = JSON.parse(text);
  return { status: res.status, headers: res.headers, text, json };
}

/** POST /ingest with a body and headers (Content-Type among them). */
export function ingest(base: string, body: string | Uint8Array, headers: Record<string, string>): Promise<Answer> {
  // a copy in a plain ArrayBuffer (fetch's BodyInit does not take views of a SharedArrayBuffer)
  return request(base, '/ingest', { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers });
}

/** GET /metrics, parsed strictly. */
export async function scrape(base: string): Promise<Map<string, ParsedFamily>> {
  const res = await fetch(`${base}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return parsePrometheusText(await res.text());
}

/**
 * Sum of the samples named `sample` (default: the family name) of family
 * `name` whose labels include `labels`; 0 when there are none.
 */
export function metric(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string> = {}, sample = name): number {
  const family = families.get(name);
  if (!family) throw new Error(`no metric family ${name}`);
  let total = 0;
  for (const s of family.samples) {
    if (s.name !== sample) continue;
    if (Object.entries(labels).every(([k, v]) => s.labels[k] === v)) total += s.value;
  }
  return total;
}

/** Reads one metric value from a fresh scrape. */
export async function metricNow(base: string, name: string, labels: Record<string, string> = {}, sample = name): Promise<number> {
  return metric(await scrape(base), name, labels, sample);
}

/** What a raw exchange on a socket produced. */
export interface RawExchange {
  /** Everything the server sent. */
  response: string;
  /** Status of the first response, or undefined when none came. */
  status: number | undefined;
  /** How the socket ended: closed by the server, reset, or still open at the deadline. */
  ended: 'closed' | 'reset' | 'open';
}

/**
 * Writes `chunks` to a fresh TCP connection (one write each, in order) and
 * collects the answer until the server closes the connection or `waitMs` passes.
 */
export function rawExchange(port: number, chunks: (string | Uint8Array)[], waitMs = 1500): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let ended: RawExchange['ended'] = 'open';
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const response = Buffer.concat(received).toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(response);
      resolve({ response, status: m ? Number(m[1]) : undefined, ended });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (d: Buffer) => received.push(d));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      ended = e.code === 'ECONNRESET' || e.code === 'EPIPE' ? 'reset' : 'closed';
      finish();
    });
    socket.on('close', () => {
      if (ended === 'open') ended = 'closed';
      finish();
    });
    socket.on('connect', () => {
      for (const c of chunks) socket.write(c);
    });
  });
}

/**
 * An HTTP/1.1 keep-alive connection of its own (node:http, one socket): for
 * load (much faster than fetch per request) and for requests that must reach
 * the server after its listen socket closed (during shutdown).
 */
export class KeepAliveClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  constructor(private readonly port: number) {}

  request(
    method: string,
    path: string,
    body?: Uint8Array | string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
    return new Promise((resolve, reject) => {
      const all: Record<string, string | number> = { ...headers };
      if (body !== undefined) all['content-length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
      const req = http.request({ host: '127.0.0.1', port: this.port, path, method, agent: this.agent, headers: all }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  async get(path: string): Promise<{ status: number; body: string }> {
    const r = await this.request('GET', path);
    return { status: r.status, body: r.text };
  }

  close(): void {
    this.agent.destroy();
  }
}

/** A parsed WebSocket message (JSON text) or the raw text when it is not JSON. */
// biome-ignore lint/suspicious/noExplicitAny: a parsed JSON message of any shape; each test narrows it with its own expectations
export type WsMessage = any;

/**
 * A `ws` client that queues every message it receives, so tests can wait for
 * the next one matching a predicate, and records how the socket closed.
 */
export class WsClient {
  readonly ws: WebSocket;
  readonly messages: WsMessage[] = [];
  /** Resolves with the close code when the socket closes. */
  readonly closed: Promise<{ code: number; reason: string }>;
  closeCode: number | undefined;
  private cursor = 0;
  private waiters: (() => void)[] = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? undefined : data.toString();
      let parsed: unknown = text;
      if (text !== undefined) {
        try {
          parsed = JSON.parse(text);
        } catch {
          // keep the text
        }
      }
      this.messages.push(parsed);
      this.wakeAll();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeCode = code;
        this.wakeAll();
        resolve({ code, reason: reason.toString() });
      });
    });
    ws.on('error', () => undefined); // 'close' follows
  }

  /** Connects; rejects with the HTTP status when the upgrade is refused. */
  static connect(url: string, headers: Record<string, string> = {}): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers, maxPayload: 256 * 1024 * 1024 });
      const client = new WsClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
        });
        res.on('end', () => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode} ${body}`), { status: res.statusCode, body })));
      });
      ws.once('error', (e) => reject(e));
    });
  }

  private wakeAll(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private wait(timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received: ${JSON.stringify(this.messages).slice(-2000)}`)),
        timeoutMs,
      );
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** The next message (after those already taken) that matches, skipping others. */
  async next(match: (m: WsMessage) => boolean = () => true, timeoutMs = 10_000, what = 'a message'): Promise<WsMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.messages.length) {
        const m = this.messages[this.cursor++];
        if (match(m)) return m;
      }
      if (this.closeCode !== undefined) throw new Error(`socket closed (${this.closeCode}) while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await this.wait(left, what);
    }
  }

  /** Sends and waits until the data was handed to the OS. */
  send(data: string | Uint8Array, binary = typeof data !== 'string'): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.send(data, { binary }, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Closes (if open) and waits for the close. */
  async close(): Promise<void> {
    if (this.closeCode === undefined) this.ws.close();
    await this.closed;
  }
}

/** Polls `check` until it returns true (or throws after `timeoutMs`). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'a condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Events as NDJSON text (one object per line, trailing newline). */
export function ndjson(rows: readonly unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

/**
 * Runs a full garbage collection (V8's gc, reached without --expose-gc), so
 * memory measured before and after a load compares live memory, not garbage.
 */
export function forceGc(): void {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  gc();
}

/** Live memory of the process: JS heap in use plus memory outside it (Buffers, ArrayBuffers). */
export function liveBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}
