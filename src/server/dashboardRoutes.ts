/**
 * The live dashboard: GET / (and /index.html), /dashboard.js, /dashboard.css
 * (+ source maps), read once from the built bundle and served from memory
 * at these fixed routes; 503 with a hint when the dashboard is not built.
 * GET /dashboard.json describes the pipeline for the page (slide, forecast
 * horizon, threshold bands, sequence names). The page's data comes from
 * WS /live and GET /progress.
 */
import type { HttpResponse } from 'uWebSockets.js';
import type { QueryPlan } from '../engine/plan.js';
import type { RunningQuery } from '../engine/query.js';
import { loadDashboardAssets, type DashboardAssets } from '../dashboard/assets.js';
import { JSON_TYPE, statusLine, type ServerContext } from './serverContext.js';

const PAGE_PATHS = ['/', '/index.html', '/dashboard.js', '/dashboard.css', '/dashboard.js.map', '/dashboard.css.map'];
const PAGE_POLICY = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

/** Registers the page's files and GET /dashboard.json. */
export function dashboardRoutes(ctx: ServerContext): void {
  const assets = loadDashboardAssets();
  for (const path of PAGE_PATHS) ctx.app.get(path, (res) => servePage(res, assets, path));
  ctx.app.get('/dashboard.json', (res, req) => ctx.json(res, req.getHeader('origin'), 200, dashboardInfo(ctx.served.plan, ctx.served.query)));
}

/** One of the page's files, from memory. */
function servePage(res: HttpResponse, assets: DashboardAssets, path: string): void {
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
      res.writeHeader('Content-Security-Policy', PAGE_POLICY);
      res.writeHeader('X-Frame-Options', 'DENY');
    }
    res.end(file.body);
  });
}

/** What the dashboard needs to know of the pipeline besides the hello message. */
function dashboardInfo(plan: QueryPlan, query: RunningQuery): Record<string, unknown> {
  const a = plan.analytics;
  return {
    query: plan.name,
    // a new run (a restarted server): the page starts its charts over
    runId: (query as { runId?: string }).runId ?? null,
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
