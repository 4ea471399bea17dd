/**
 * The ingest endpoints: POST /ingest (NDJSON, a JSON array or the binary
 * columnar format, as Content-Type says; gzip accepted) and WS /ingest (the
 * same payloads, one per message, acknowledged per message). A payload is
 * decoded, validated and offered to the engine's queue whole: when the queue
 * is full nothing of it is accepted (503 + Retry-After). The status codes are
 * listed in server.ts.
 */
import type { HttpRequest, HttpResponse, WebSocket } from 'uWebSockets.js';
import type { InputError } from '../engine/inputError.js';
import { decodeBody, parsePayload, payloadKind, type PayloadKind } from './ingestBody.js';
import type { IngestUserData, ServerContext, UserData } from './serverContext.js';

/** First errors returned to an ingest client. */
const MAX_ERRORS_REPORTED = 10;

/** What one payload comes to: the response's status and body. */
interface IngestOutcome {
  status: number;
  body: unknown;
}

/** Registers POST /ingest and WS /ingest. */
export function ingestRoutes(ctx: ServerContext): void {
  ctx.app.post('/ingest', (res, req) => httpIngest(ctx, res, req));
  ctx.app.ws<UserData>('/ingest', {
    maxPayloadLength: ctx.options.limits.maxBodyBytes,
    idleTimeout: 120,
    maxBackpressure: 1 << 20,
    upgrade: (res, req, context) => ctx.upgrade(res, req, context, { endpoint: 'ingest', seq: 0 }),
    open: (ws) => ctx.opened(ws),
    message: (ws, message, isBinary) => wsIngest(ctx, ws as WebSocket<IngestUserData>, message, isBinary),
    close: (ws) => ctx.closed(ws),
  });
}

function httpIngest(ctx: ServerContext, res: HttpResponse, req: HttpRequest): void {
  const origin = req.getHeader('origin');
  const m = ctx.served.metrics;
  const { retryAfterSeconds } = ctx.options;
  // Refusals before the body is read close the connection: the unread body must not be taken for the next request.
  if (!ctx.authorized(req)) {
    ctx.json(res, origin, 401, { error: 'missing or wrong bearer token' }, {}, true);
    return;
  }
  if (!ctx.served.push) {
    ctx.json(res, origin, 409, { error: ctx.notIngesting() }, {}, true);
    return;
  }
  if (ctx.shuttingDown) {
    ctx.json(res, origin, 503, { error: 'shutting down' }, { 'Retry-After': String(retryAfterSeconds) }, true);
    return;
  }
  const kind = payloadKind(req.getHeader('content-type'));
  if (kind === undefined) {
    ctx.json(
      res,
      origin,
      415,
      { error: `unsupported Content-Type '${req.getHeader('content-type')}' (application/x-ndjson, application/json or application/vnd.eddy.columns)` },
      {},
      true,
    );
    return;
  }
  const encoding = req.getHeader('content-encoding');
  const limit = ctx.options.limits.maxBodyBytes;
  const declared = Number(req.getHeader('content-length') || '0');
  if (declared > limit) {
    m.ingestRequests.inc(1, { transport: 'http', status: '413' });
    ctx.json(res, origin, 413, { error: `body of ${declared} bytes is over the limit of ${limit}` }, {}, true);
    return;
  }
  const remote = Buffer.from(res.getRemoteAddressAsText()).toString();
  let aborted = false;
  res.onAborted(() => {
    aborted = true;
  });
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
      if (!aborted) ctx.json(res, origin, 413, { error: `body is over the limit of ${limit} bytes` }, {}, true);
      return;
    }
    chunks.push(Buffer.from(chunk.slice(0))); // uWS reuses the chunk's memory after this call
    if (!isLast) return;
    done = true;
    if (aborted) return;
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
    m.ingestBytes.inc(size, { transport: 'http' });
    const outcome = ingest(ctx, kind, body, encoding, `http:${remote}`);
    m.ingestRequests.inc(1, { transport: 'http', status: String(outcome.status) });
    ctx.json(res, origin, outcome.status, outcome.body, outcome.status === 503 ? { 'Retry-After': String(retryAfterSeconds) } : {});
  });
}

function wsIngest(ctx: ServerContext, ws: WebSocket<IngestUserData>, message: ArrayBuffer, isBinary: boolean): void {
  const data = ws.getUserData();
  const seq = ++data.seq;
  const bytes = Buffer.from(message.slice(0)); // the message buffer is only valid during this call
  const m = ctx.served.metrics;
  m.ingestBytes.inc(bytes.byteLength, { transport: 'ws' });
  let kind: PayloadKind = 'columns';
  if (!isBinary) {
    const first = bytes.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
    kind = first === 0x5b /* [ */ ? 'json' : 'ndjson';
  }
  const outcome: IngestOutcome = ctx.shuttingDown
    ? { status: 503, body: { error: 'shutting down' } }
    : ingest(ctx, kind, bytes, '', `ws:${Buffer.from(ws.getRemoteAddressAsText()).toString()}`);
  m.ingestRequests.inc(1, { transport: 'ws', status: String(outcome.status) });
  const ack: Record<string, unknown> = { type: 'ack', seq, status: outcome.status, ...(outcome.body as object) };
  if (outcome.status === 503) ack.retryAfterMs = ctx.options.retryAfterSeconds * 1000;
  ws.send(JSON.stringify(ack));
}

/** One payload: decode, validate, queue. Returns the response status and body. */
function ingest(ctx: ServerContext, kind: PayloadKind, raw: Uint8Array, encoding: string, source: string): IngestOutcome {
  const m = ctx.served.metrics;
  const push = ctx.served.push!;
  const limits = ctx.options.limits;
  const inflated = decodeBody(raw, encoding, limits);
  if ('status' in inflated) return { status: inflated.status, body: { error: inflated.error } };
  const parsed = parsePayload(kind, inflated, ctx.served.scanner!, source, limits);
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

function describeError(e: InputError): Record<string, unknown> {
  return {
    ...(e.line !== undefined ? { line: e.line } : {}),
    ...(e.offset !== undefined ? { row: e.offset } : {}),
    reason: e.reason,
  };
}
