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
 *
 * The routes live by area: opsRoutes.ts (preflight, /health, /ready,
 * /progress, /metrics), ingestRoutes.ts (POST and WS /ingest), liveRoutes.ts
 * (WS /live, over the LiveHub of liveHub.ts), dashboardRoutes.ts (the page
 * and /dashboard.json); serverContext.ts holds what they share. This file
 * composes them and owns listening and shutdown.
 */
import uWS from 'uWebSockets.js';
import type { TemplatedApp, us_listen_socket } from 'uWebSockets.js';
import { ListenError } from './listenError.js';
import { ServerContext, type ServedPipeline, type ServerOptions } from './serverContext.js';
import { opsRoutes } from './opsRoutes.js';
import { ingestRoutes } from './ingestRoutes.js';
import { liveRoutes } from './liveRoutes.js';
import { dashboardRoutes } from './dashboardRoutes.js';

export { DEFAULT_SERVER_OPTIONS, type ServedPipeline, type ServerOptions } from './serverContext.js';

export class EddyServer {
  private readonly app: TemplatedApp;
  private readonly ctx: ServerContext;
  private listenSocket: us_listen_socket | null = null;
  /** The port bound (after start()). */
  port = 0;

  constructor(
    private readonly served: ServedPipeline,
    private readonly options: ServerOptions,
  ) {
    this.app = uWS.App();
    this.ctx = new ServerContext(this.app, served, options);
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
    const ctx = this.ctx;
    if (ctx.shuttingDown) return;
    ctx.shuttingDown = true;
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
      for (const ws of [...ctx.sockets]) ws.end(1001, 'server shutting down');
      ctx.sockets.clear();
    }
  }

  /** Every route, by area; anything else is a JSON 404. */
  private routes(): void {
    const ctx = this.ctx;
    opsRoutes(ctx);
    ingestRoutes(ctx);
    liveRoutes(ctx);
    dashboardRoutes(ctx);
    this.app.any('/*', (res, req) => ctx.json(res, req.getHeader('origin'), 404, { error: `no route ${req.getMethod().toUpperCase()} ${req.getUrl()}` }));
  }
}
