/**
 * WS /live: results as they are produced, filtered by `?kinds=…&keys=…` or a
 * `{"subscribe": {"kinds": [...], "keys": [...]}}` message. The socket says
 * hello (query name, kind, key columns) when it opens; the LiveHub
 * (liveHub.ts) fans results out to subscribers and bounds each one.
 */
import type { WebSocket } from 'uWebSockets.js';
import { parseFilter, type LiveFilter } from './liveHub.js';
import type { LiveUserData, ServerContext, UserData } from './serverContext.js';

const SUBSCRIBE_USAGE = 'expected {"subscribe": {"kinds": [...], "keys": [...]}}';

/** Registers WS /live. */
export function liveRoutes(ctx: ServerContext): void {
  const { hub, plan } = ctx.served;
  ctx.app.ws<UserData>('/live', {
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
        ctx.json(res, req.getHeader('origin'), 400, { error: (e as Error).message });
        return;
      }
      ctx.upgrade(res, req, context, { endpoint: 'live', filter });
    },
    open: (ws) => {
      ctx.opened(ws);
      const data = ws.getUserData() as LiveUserData;
      hub.subscribe(ws, data.filter);
      ws.send(JSON.stringify({ type: 'hello', query: plan.name, kind: plan.kind ?? 'windows', keyColumns: plan.keyColumns }));
    },
    message: (ws, message) => onSubscribe(ctx, ws, message),
    drain: (ws) => hub.drain(ws),
    close: (ws) => {
      hub.unsubscribe(ws);
      ctx.closed(ws);
    },
  });
}

/** A {"subscribe": {"kinds": [...], "keys": [...]}} message: changes the socket's filter. */
function onSubscribe(ctx: ServerContext, ws: WebSocket<UserData>, message: ArrayBuffer): void {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(message).toString('utf8'));
  } catch {
    ws.send(JSON.stringify({ type: 'error', error: SUBSCRIBE_USAGE }));
    return;
  }
  const sub = (doc as { subscribe?: { kinds?: string[]; keys?: string[] } } | null)?.subscribe;
  if (typeof sub !== 'object' || sub === null) {
    ws.send(JSON.stringify({ type: 'error', error: SUBSCRIBE_USAGE }));
    return;
  }
  try {
    const filter = parseFilter(sub.kinds, sub.keys);
    ctx.served.hub.refilter(ws, filter);
    ws.send(JSON.stringify({ type: 'subscribed', kinds: [...(filter.kinds ?? [])], keys: [...(filter.keys ?? [])] }));
  } catch (e) {
    ws.send(JSON.stringify({ type: 'error', error: (e as Error).message }));
  }
}
