/**
 * The operational endpoints: CORS preflight (OPTIONS on any path), GET
 * /health (liveness), GET /ready (readiness: 503 before the engine runs and
 * while shutting down), GET /progress (the query's last and recent progress)
 * and GET /metrics (Prometheus text format).
 */
import { PROMETHEUS_CONTENT_TYPE } from './metrics.js';
import type { ServerContext } from './serverContext.js';

/** Registers the preflight answer, /health, /ready, /progress and /metrics. */
export function opsRoutes(ctx: ServerContext): void {
  const app = ctx.app;
  app.options('/*', (res, req) => {
    const origin = req.getHeader('origin');
    res.cork(() => {
      res.writeStatus('204 No Content');
      ctx.cors(res, origin);
      res.writeHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      res.writeHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, Content-Encoding');
      res.writeHeader('Access-Control-Max-Age', '600');
      res.endWithoutBody();
    });
  });
  app.get('/health', (res, req) => ctx.json(res, req.getHeader('origin'), 200, { status: 'ok' }));
  app.get('/ready', (res, req) => {
    const ready = !ctx.shuttingDown && ctx.served.query.ready;
    ctx.json(res, req.getHeader('origin'), ready ? 200 : 503, { ready, ...(ctx.shuttingDown ? { reason: 'shutting down' } : {}) });
  });
  app.get('/progress', (res, req) => {
    const q = ctx.served.query;
    ctx.json(res, req.getHeader('origin'), 200, { lastProgress: q.lastProgress, recentProgress: q.recentProgress });
  });
  app.get('/metrics', (res, req) => {
    const origin = req.getHeader('origin');
    let text: string;
    try {
      text = ctx.served.metrics.registry.render();
    } catch (e) {
      ctx.json(res, origin, 500, { error: `metrics: ${(e as Error).message}` });
      return;
    }
    res.cork(() => {
      res.writeStatus('200 OK');
      ctx.cors(res, origin);
      res.writeHeader('Content-Type', PROMETHEUS_CONTENT_TYPE);
      res.end(text);
    });
  });
}
