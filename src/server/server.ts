/**
 * eddy's server, on uWebSockets.js: ingest over HTTP and WebSocket, live
 * results, metrics, progress, health.
 *
 *   POST /ingest      NDJSON, JSON array or the binary columnar format (Content-Type decides; gzip accepted)
 *   WS   /ingest      the same payloads, one per message, acknowledged per message
 *   WS   /live        results as they are produced (?kinds=…&keys=…, or a {"subscribe":…} message)
 *   GET  /metrics     Prometheus text format
 *   GET  /progress    {"lastProgress":…,"recentProgress":[…]}
 *   GET  /health      liveness; GET /ready: readiness (503 before the engine runs and while shutting down)
 *   GET  /            the live dashboard (with /dashboard.js, /dashboard.css, /dashboard.json); 503 when not built
 *
 * Status codes of POST /ingest: 200 (events accepted; the body counts
 * accepted and rejected rows with the first errors), 400 (every row rejected,
 * or the payload is malformed), 401 (token missing or wrong), 409 (the
 * pipeline's source is not http/ws), 413 (body over the limit), 415
 * (unsupported Content-Type or Content-Encoding), 503 + Retry-After (the
 * engine's queue is full: nothing of that payload was accepted; retry).
 * No endpoint reads or writes files.
 */
import uWS from 'uWebSockets.js';
import { ListenError } from './listenError.js';
import type { HttpRequest, HttpResponse, TemplatedApp, WebSocket, us_listen_socket } from 'uWebSockets.js';
import type { QueryPlan } from '../engine/plan.js';
import type { RunningQuery } from '../engine/query.js';
import type { PushSource } from '../sources/push.js';
import type { InputError } from '../engine/inputError.js';
import type { IngestScanner } from './ingestScanner.js';
import { DEFAULT_LIMITS, decodeBody, parsePayload, payloadKind, type IngestLimits, type PayloadKind } from './ingestBody.js';
import { LiveHub, parseFilter, type LiveFilter } from './liveHub.js';
import { ServerMetrics } from './serverMetrics.js';
import { PROMETHEUS_CONTENT_TYPE } from './metrics.js';
import { loadDashboardAssets } from '../dashboard/assets.js';

/** Server settings (all optional but the plan). */
export interface ServerOptions {
  host: string;
  port: number;
  /** Bearer token required on /ingest and /live. */
  token?: string;
  /** Origin allowed by CORS (the dashboard's), or '*'. */
  corsOrigin?: string;
  limits: IngestLimits;
  /** Seconds a client should wait after a 503. */
  retryAfterSeconds: number;
}

export const DEFAULT_SERVER_OPTIONS: ServerOptions = {
  host: '127.0.0.1',
  port: 8080,
  limits: DEFAULT_LIMITS,
  retryAfterSeconds: 1,
};

/** What the server serves. */
export interface ServedPipeline {
  plan: QueryPlan;
  query: RunningQuery;
  /** The ingest queue, when the pipeline's source is http/ws. */
  push?: PushSource;
  /** Reads NDJSON and JSON payloads (with push): a scanner with a core of its own. */
  scanner?: IngestScanner;
  hub: LiveHub;
  metrics: ServerMetrics;
}

/** First errors returned to an ingest client. */
const MAX_ERRORS_REPORTED = 10;

interface IngestUserData {
  endpoint: 'ingest';
  seq: number;
}
interface LiveUserData {
  endpoint: 'live';
  filter: LiveFilter;
}
type UserData = IngestUserData | LiveUserData;

const JSON_TYPE = 'application/json';

export class EddyServer {
  private readonly app: TemplatedApp;
  private listenSocket: us_listen_socket | null = null;
  private readonly sockets = new Set<WebSocket<UserData>>();
  private shuttingDown = false;
  /** The port bound (after start()). */
  port = 0;

  constructor(private readonly served: ServedPipeline, private readonly options: ServerOptions) {
    this.app = uWS.App();
    this.routes();
  }

  /** Binds host:port (port 0 picks a free one); resolves with the port, rejects with a ListenError. */
  start(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.app.listen(this.options.host, this.options.port, (socket) => {
        if (!socket) {
          reject(new ListenError(`cannot listen on ${this.options.host}:${this.options.port} (in use or not permitted)`));
          return;
        }
        this.listenSocket = socket;
        this.port = uWS.us_socket_local_port(socket);
        resolve(this.port);
      });
    });
  }

  /**
   * Graceful shutdown: stop accepting (new connections and ingest), let the
   * engine drain what was accepted and flush its sinks, then close every
   * socket. Resolves when done.
   */
  async stop(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    if (this.listenSocket) {
      uWS.us_listen_socket_close(this.listenSocket);
      this.listenSocket = null;
    }
    const { push, query } = this.served;
    if (push) push.close();
    else await query.stop();
    try {
      await query.awaitTermination();
    } finally {
      for (const ws of [...this.sockets]) ws.end(1001, 'server shutting down');
      this.sockets.clear();
    }
  }

  private routes(): void {
    const app = this.app;
    app.options('/*', (res, req) => {
      const origin = req.getHeader('origin');
      res.cork(() => {
        res.writeStatus('204 No Content');
        this.cors(res, origin);
        res.writeHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
        res.writeHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, Content-Encoding');
        res.writeHeader('Access-Control-Max-Age', '600');
        res.endWithoutBody();
      });
    });
    app.get('/health', (res, req) => this.json(res, req.getHeader('origin'), 200, { status: 'ok' }));
    app.get('/ready', (res, req) => {
      const ready = !this.shuttingDown && this.served.query.ready;
      this.json(res, req.getHeader('origin'), ready ? 200 : 503, { ready, ...(this.shuttingDown ? { reason: 'shutting down' } : {}) });
    });
    app.get('/progress', (res, req) => {
      const q = this.served.query;
      this.json(res, req.getHeader('origin'), 200, { lastProgress: q.lastProgress, recentProgress: q.recentProgress });
    });
    app.get('/metrics', (res, req) => {
      const origin = req.getHeader('origin');
      let text: string;
      try {
        text = this.served.metrics.registry.render();
      } catch (e) {
        this.json(res, origin, 500, { error: `metrics: ${(e as Error).message}` });
        return;
      }
      res.cork(() => {
        res.writeStatus('200 OK');
        this.cors(res, origin);
        res.writeHeader('Content-Type', PROMETHEUS_CONTENT_TYPE);
        res.end(text);
      });
    });
    app.post('/ingest', (res, req) => this.httpIngest(res, req));
    app.ws<UserData>('/ingest', {
      maxPayloadLength: this.options.limits.maxBodyBytes,
      idleTimeout: 120,
      maxBackpressure: 1 << 20,
      upgrade: (res, req, context) => this.upgrade(res, req, context, { endpoint: 'ingest', seq: 0 }),
      open: (ws) => this.opened(ws),
      message: (ws, message, isBinary) => this.wsIngest(ws as WebSocket<IngestUserData>, message, isBinary),
      close: (ws) => this.closed(ws),
    });
    app.ws<UserData>('/live', {
      maxPayloadLength: 64 * 1024,
      idleTimeout: 120,
      sendPingsAutomatically: true,
      // the hub bounds each subscriber itself (queue + drop-oldest); uWS must never drop silently
      maxBackpressure: 64 * 1024 * 1024,
      upgrade: (res, req, context) => {
        let filter: LiveFilter;
        try {
          filter = parseFilter(req.getQuery('kinds') || undefined, req.getQuery('keys') || undefined);
        } catch (e) {
          this.json(res, req.getHeader('origin'), 400, { error: (e as Error).message });
          return;
        }
        this.upgrade(res, req, context, { endpoint: 'live', filter });
      },
      open: (ws) => {
        this.opened(ws);
        const data = ws.getUserData() as LiveUserData;
        this.served.hub.subscribe(ws, data.filter);
        ws.send(JSON.stringify({ type: 'hello', query: this.served.plan.name, kind: this.served.plan.kind ?? 'windows', keyColumns: this.served.plan.keyColumns }));
      },
      message: (ws, message) => {
        // {"subscribe": {"kinds": [...], "keys": [...]}} changes the filter
        let doc: unknown;
        try {
          doc = JSON.parse(Buffer.from(message).toString('utf8'));
        } catch {
          ws.send(JSON.stringify({ type: 'error', error: 'expected {"subscribe": {"kinds": [...], "keys": [...]}}' }));
          return;
        }
        const sub = (doc as { subscribe?: { kinds?: string[]; keys?: string[] } } | null)?.subscribe;
        if (typeof sub !== 'object' || sub === null) {
          ws.send(JSON.stringify({ type: 'error', error: 'expected {"subscribe": {"kinds": [...], "keys": [...]}}' }));
          return;
        }
        try {
          const filter = parseFilter(sub.kinds, sub.keys);
          this.served.hub.refilter(ws, filter);
          ws.send(JSON.stringify({ type: 'subscribed', kinds: [...(filter.kinds ?? [])], keys: [...(filter.keys ?? [])] }));
        } catch (e) {
          ws.send(JSON.stringify({ type: 'error', error: (e as Error).message }));
        }
      },
      drain: (ws) => this.served.hub.drain(ws),
      close: (ws) => {
        this.served.hub.unsubscribe(ws);
        this.closed(ws);
      },
    });
    this.dashboardRoutes();
    app.any('/*', (res, req) => this.json(res, req.getHeader('origin'), 404, { error: `no route ${req.getMethod().toUpperCase()} ${req.getUrl()}` }));
  }

  // ---- dashboard routes (begin) ------------------------------------------
  /**
   * The live dashboard: GET / (and /index.html), /dashboard.js, /dashboard.css
   * (+ source maps), read once from the built bundle and served from memory
   * at these fixed routes; 503 with a hint when the dashboard is not built.
   * GET /dashboard.json describes the pipeline for the page (slide, forecast
   * horizon, threshold bands, sequence names). The page's data comes from
   * WS /live and GET /progress.
   */
  private dashboardRoutes(): void {
    const app = this.app;
    const assets = loadDashboardAssets();
    const page = (path: string) => (res: HttpResponse): void => {
      res.cork(() => {
        if ('missing' in assets) {
          res.writeStatus(statusLine(503));
          res.writeHeader('Content-Type', 'text/plain; charset=utf-8');
          res.writeHeader('Cache-Control', 'no-store');
          res.end(`eddy: ${assets.missing}\n`);
          return;
        }
        const file = assets.files.get(path);
        if (!file) {
          res.writeStatus(statusLine(404));
          res.writeHeader('Content-Type', JSON_TYPE);
          res.end(JSON.stringify({ error: `no route GET ${path}` }));
          return;
        }
        res.writeStatus('200 OK');
        res.writeHeader('Content-Type', file.contentType);
        res.writeHeader('Cache-Control', 'no-cache');
        res.writeHeader('X-Content-Type-Options', 'nosniff');
        if (file.contentType.startsWith('text/html')) {
          res.writeHeader('Content-Security-Policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'");
          res.writeHeader('X-Frame-Options', 'DENY');
        }
        res.end(file.body);
      });
    };
    for (const path of ['/', '/index.html', '/dashboard.js', '/dashboard.css', '/dashboard.js.map', '/dashboard.css.map']) app.get(path, page(path));
    app.get('/dashboard.json', (res, req) => this.json(res, req.getHeader('origin'), 200, this.dashboardInfo()));
  }

  /** What the dashboard needs to know of the pipeline besides the hello message. */
  private dashboardInfo(): Record<string, unknown> {
    const plan = this.served.plan;
    const a = plan.analytics;
    return {
      query: plan.name,
      // a new run (a restarted server): the page starts its charts over
      runId: (this.served.query as { runId?: string }).runId ?? null,
      kind: plan.kind ?? 'windows',
      keyColumns: plan.keyColumns,
      valueColumn: plan.valueColumn ?? null,
      analyticsOn: plan.analyticsOn ?? 'avg',
      sizeMs: plan.sizeMs,
      slideMs: plan.slideMs,
      aggregates: plan.aggregates.map((g) => g.fn),
      // the record fields charted: the aggregate the analytics read (avg by default), its stddev band, min, max, count
      fields: {
        value: plan.aggregates.find((g) => g.fn === (plan.analyticsOn ?? 'avg'))?.name ?? plan.aggregates[0]?.name ?? null,
        stddev: plan.aggregates.find((g) => g.fn === 'stddev')?.name ?? null,
        min: plan.aggregates.find((g) => g.fn === 'min')?.name ?? null,
        max: plan.aggregates.find((g) => g.fn === 'max')?.name ?? null,
        count: plan.aggregates.find((g) => g.fn === 'count')?.name ?? null,
      },
      anomalies: a?.zscore ? { threshold: a.zscore.threshold, rows: a.zscore.rows, score: a.score } : null,
      forecast: a?.forecast ? { horizon: a.forecast.horizon, alpha: a.forecast.alpha } : null,
      thresholds: a?.thresholds ?? [],
      sequences: (plan.sequences ?? []).map((q) => q.name),
    };
  }
  // ---- dashboard routes (end) --------------------------------------------

  private cors(res: HttpResponse, origin: string): void {
    const allowed = this.options.corsOrigin;
    if (allowed === undefined) return;
    if (allowed === '*') res.writeHeader('Access-Control-Allow-Origin', '*');
    else if (origin === allowed) {
      res.writeHeader('Access-Control-Allow-Origin', allowed);
      res.writeHeader('Vary', 'Origin');
    }
  }

  /** Answers with a JSON body; `close` also closes the connection (a request body left unread). */
  private json(res: HttpResponse, origin: string, status: number, body: unknown, headers: Record<string, string> = {}, close = false): void {
    const text = JSON.stringify(body);
    res.cork(() => {
      res.writeStatus(statusLine(status));
      this.cors(res, origin);
      res.writeHeader('Content-Type', JSON_TYPE);
      for (const [k, v] of Object.entries(headers)) res.writeHeader(k, v);
      res.end(text, close);
    });
  }

  /** True when the request carries the token (or none is required). WebSocket clients may pass ?token= (browsers cannot set headers). */
  private authorized(req: HttpRequest): boolean {
    const token = this.options.token;
    if (token === undefined) return true;
    const auth = req.getHeader('authorization');
    if (auth === `Bearer ${token}`) return true;
    return req.getQuery('token') === token;
  }

  private upgrade(res: HttpResponse, req: HttpRequest, context: uWS.us_socket_context_t, data: UserData): void {
    const origin = req.getHeader('origin');
    if (this.shuttingDown) return this.json(res, origin, 503, { error: 'shutting down' });
    if (!this.authorized(req)) return this.json(res, origin, 401, { error: 'missing or wrong bearer token' });
    if (data.endpoint === 'ingest' && !this.served.push) return this.json(res, origin, 409, { error: this.notIngesting() });
    res.upgrade(data, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
  }

  private opened(ws: WebSocket<UserData>): void {
    this.sockets.add(ws);
    this.served.metrics.connections.inc(1, { endpoint: ws.getUserData().endpoint });
  }

  private closed(ws: WebSocket<UserData>): void {
    this.sockets.delete(ws);
    this.served.metrics.connections.dec(1, { endpoint: ws.getUserData().endpoint });
  }

  private notIngesting(): string {
    return `this pipeline reads from ${this.served.query.sourceDescription}; ingest needs a source of type http or ws`;
  }

  private httpIngest(res: HttpResponse, req: HttpRequest): void {
    const origin = req.getHeader('origin');
    const m = this.served.metrics;
    // Refusals before the body is read close the connection: the unread body must not be taken for the next request.
    if (!this.authorized(req)) return this.json(res, origin, 401, { error: 'missing or wrong bearer token' }, {}, true);
    if (!this.served.push) return this.json(res, origin, 409, { error: this.notIngesting() }, {}, true);
    if (this.shuttingDown) return this.json(res, origin, 503, { error: 'shutting down' }, { 'Retry-After': String(this.options.retryAfterSeconds) }, true);
    const kind = payloadKind(req.getHeader('content-type'));
    if (kind === undefined) {
      return this.json(res, origin, 415, { error: `unsupported Content-Type '${req.getHeader('content-type')}' (application/x-ndjson, application/json or application/vnd.eddy.columns)` }, {}, true);
    }
    const encoding = req.getHeader('content-encoding');
    const limit = this.options.limits.maxBodyBytes;
    const declared = Number(req.getHeader('content-length') || '0');
    if (declared > limit) {
      m.ingestRequests.inc(1, { transport: 'http', status: '413' });
      return this.json(res, origin, 413, { error: `body of ${declared} bytes is over the limit of ${limit}` }, {}, true);
    }
    const remote = Buffer.from(res.getRemoteAddressAsText()).toString();
    let aborted = false;
    res.onAborted(() => { aborted = true; });
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    res.onData((chunk, isLast) => {
      if (done) return;
      size += chunk.byteLength;
      if (size > limit) {
        // stop reading a body that will not fit: answer and close the connection
        done = true;
        m.ingestRequests.inc(1, { transport: 'http', status: '413' });
        if (!aborted) this.json(res, origin, 413, { error: `body is over the limit of ${limit} bytes` }, {}, true);
        return;
      }
      chunks.push(Buffer.from(chunk.slice(0))); // uWS reuses the chunk's memory after this call
      if (!isLast) return;
      done = true;
      if (aborted) return;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      m.ingestBytes.inc(size, { transport: 'http' });
      const outcome = this.ingest(kind, body, encoding, `http:${remote}`);
      m.ingestRequests.inc(1, { transport: 'http', status: String(outcome.status) });
      this.json(res, origin, outcome.status, outcome.body, outcome.status === 503 ? { 'Retry-After': String(this.options.retryAfterSeconds) } : {});
    });
  }

  private wsIngest(ws: WebSocket<IngestUserData>, message: ArrayBuffer, isBinary: boolean): void {
    const data = ws.getUserData();
    const seq = ++data.seq;
    const bytes = Buffer.from(message.slice(0)); // the message buffer is only valid during this call
    this.served.metrics.ingestBytes.inc(bytes.byteLength, { transport: 'ws' });
    let kind: PayloadKind = 'columns';
    if (!isBinary) {
      const first = bytes.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
      kind = first === 0x5b /* [ */ ? 'json' : 'ndjson';
    }
    const outcome = this.shuttingDown ? { status: 503, body: { error: 'shutting down' } } : this.ingest(kind, bytes, '', `ws:${Buffer.from(ws.getRemoteAddressAsText()).toString()}`);
    this.served.metrics.ingestRequests.inc(1, { transport: 'ws', status: String(outcome.status) });
    const ack: Record<string, unknown> = { type: 'ack', seq, status: outcome.status, ...(outcome.body as object) };
    if (outcome.status === 503) ack.retryAfterMs = this.options.retryAfterSeconds * 1000;
    ws.send(JSON.stringify(ack));
  }

  /** One payload: decode, validate, queue. Returns the response status and body. */
  private ingest(kind: PayloadKind, raw: Uint8Array, encoding: string, source: string): { status: number; body: unknown } {
    const m = this.served.metrics;
    const push = this.served.push!;
    const limits = this.options.limits;
    const inflated = decodeBody(raw, encoding, limits);
    if ('status' in inflated) return { status: inflated.status, body: { error: inflated.error } };
    const parsed = parsePayload(kind, inflated, this.served.scanner!, source, limits);
    if ('status' in parsed) {
      m.rejectedEvents.inc(1, { reason: 'malformed' });
      return { status: parsed.status, body: { error: parsed.error } };
    }
    const accepted = parsed.batch?.rows ?? 0;
    if (parsed.batch) {
      parsed.batch.receivedAt = performance.now();
      if (!push.offer(parsed.batch)) {
        m.busyResponses.inc();
        return { status: 503, body: { error: 'engine queue is full: nothing of this payload was accepted; retry later', accepted: 0 } };
      }
      m.inputEvents.inc(accepted);
    }
    for (const e of parsed.errors) m.rejectedEvents.inc(1, { reason: e.kind ?? 'malformed' });
    const body = { accepted, rejected: parsed.errors.length, errors: parsed.errors.slice(0, MAX_ERRORS_REPORTED).map(describeError) };
    return { status: accepted === 0 && parsed.errors.length > 0 ? 400 : 200, body };
  }
}

function describeError(e: InputError): Record<string, unknown> {
  return {
    ...(e.line !== undefined ? { line: e.line } : {}),
    ...(e.offset !== undefined ? { row: e.offset } : {}),
    reason: e.reason,
  };
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 409: 'Conflict',
  413: 'Payload Too Large', 415: 'Unsupported Media Type', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

function statusLine(status: number): string {
  return `${status} ${STATUS_TEXT[status] ?? ''}`.trim();
}
