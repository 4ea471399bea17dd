/**
 * What the server's route modules share (server.ts composes them): the
 * server's settings, the pipeline served, the open WebSockets and the
 * shutdown flag, and the helpers every route answers with (JSON replies with
 * CORS, the bearer-token check, WebSocket upgrades and their accounting).
 */
import type { HttpRequest, HttpResponse, TemplatedApp, WebSocket, us_socket_context_t } from 'uWebSockets.js';
import type { QueryPlan } from '../engine/plan.js';
import type { RunningQuery } from '../engine/query.js';
import type { PushSource } from '../sources/push.js';
import type { IngestScanner } from './ingestScanner.js';
import { DEFAULT_LIMITS, type IngestLimits } from './ingestBody.js';
import type { LiveHub, LiveFilter } from './liveHub.js';
import type { ServerMetrics } from './serverMetrics.js';

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

/** A WebSocket on /ingest: its acknowledgements are numbered. */
export interface IngestUserData {
  endpoint: 'ingest';
  seq: number;
}
/** A WebSocket on /live, with its subscription. */
export interface LiveUserData {
  endpoint: 'live';
  filter: LiveFilter;
}
export type UserData = IngestUserData | LiveUserData;

export const JSON_TYPE = 'application/json';

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The HTTP status line of a code ('404 Not Found'). */
export function statusLine(status: number): string {
  return `${status} ${STATUS_TEXT[status] ?? ''}`.trim();
}

/** The state and helpers the route modules share (see the module comment). */
export class ServerContext {
  /** Open WebSockets (closed at shutdown). */
  readonly sockets = new Set<WebSocket<UserData>>();
  /** Set by the server's stop(): no new connections or ingest. */
  shuttingDown = false;

  constructor(
    readonly app: TemplatedApp,
    readonly served: ServedPipeline,
    readonly options: ServerOptions,
  ) {}

  cors(res: HttpResponse, origin: string): void {
    const allowed = this.options.corsOrigin;
    if (allowed === undefined) return;
    if (allowed === '*') res.writeHeader('Access-Control-Allow-Origin', '*');
    else if (origin === allowed) {
      res.writeHeader('Access-Control-Allow-Origin', allowed);
      res.writeHeader('Vary', 'Origin');
    }
  }

  /** Answers with a JSON body; `close` also closes the connection (a request body left unread). */
  json(res: HttpResponse, origin: string, status: number, body: unknown, headers: Record<string, string> = {}, close = false): void {
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
  authorized(req: HttpRequest): boolean {
    const token = this.options.token;
    if (token === undefined) return true;
    const auth = req.getHeader('authorization');
    if (auth === `Bearer ${token}`) return true;
    return req.getQuery('token') === token;
  }

  /** Upgrades to a WebSocket unless shutting down, unauthorized, or ingest without a push source. */
  upgrade(res: HttpResponse, req: HttpRequest, context: us_socket_context_t, data: UserData): void {
    const origin = req.getHeader('origin');
    if (this.shuttingDown) {
      this.json(res, origin, 503, { error: 'shutting down' });
      return;
    }
    if (!this.authorized(req)) {
      this.json(res, origin, 401, { error: 'missing or wrong bearer token' });
      return;
    }
    if (data.endpoint === 'ingest' && !this.served.push) {
      this.json(res, origin, 409, { error: this.notIngesting() });
      return;
    }
    res.upgrade(data, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
  }

  opened(ws: WebSocket<UserData>): void {
    this.sockets.add(ws);
    this.served.metrics.connections.inc(1, { endpoint: ws.getUserData().endpoint });
  }

  closed(ws: WebSocket<UserData>): void {
    this.sockets.delete(ws);
    this.served.metrics.connections.dec(1, { endpoint: ws.getUserData().endpoint });
  }

  /** Why /ingest answers 409 for this pipeline. */
  notIngesting(): string {
    return `this pipeline reads from ${this.served.query.sourceDescription}; ingest needs a source of type http or ws`;
  }
}
