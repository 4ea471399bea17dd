/**
 * The load generator: Node's `http` client with a keep-alive agent.
 *
 *  - `closedLoop`: C workers, one connection each, each sending its next
 *    request as soon as the previous response arrives (back to back), for a
 *    fixed time; measures throughput.
 *  - `paced`: an open-loop producer sending requests on a fixed schedule
 *    (request i is due at start + i / rate) over a few connections, with a
 *    bound on requests in flight; measures round trips at a given rate.
 *
 * Both count only 200 responses as accepted (the body's `accepted`), and
 * tally every other status; a 503 (engine queue full) is retried after a
 * short pause in the closed loop and skipped in the paced one.
 */
import http from 'node:http';
import type { EventClock, Payload } from './payloads.js';

export interface PostResult {
  status: number;
  text: string;
}

/** A keep-alive client of one server. */
export class Client {
  private readonly agent: http.Agent;

  constructor(
    readonly port: number,
    sockets: number,
    readonly path = '/ingest',
    readonly host = '127.0.0.1',
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, scheduling: 'fifo' });
  }

  post(body: Uint8Array, contentType: string): Promise<PostResult> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.host,
          port: this.port,
          path: this.path,
          method: 'POST',
          agent: this.agent,
          headers: { 'Content-Type': contentType, 'Content-Length': body.byteLength },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** What a load run did. */
export interface LoadStats {
  /** Requests answered (any status). */
  requests: number;
  /** 200 responses. */
  ok: number;
  /** 503 responses (engine queue full). */
  busy: number;
  /** Other statuses, by code. */
  other: Record<string, number>;
  /** Transport errors (connection refused/reset). */
  errors: number;
  firstError?: string;
  /** Sum of `accepted` over 200 responses. */
  accepted: number;
  /** Events sent in 200 responses that were not accepted (rejected rows). */
  rejected: number;
  /** From the first request to the last response. */
  ms: number;
  /** Round trip per request, ms (paced runs only). */
  rtt?: Float64Array;
  /** Times a due request waited because `maxInflight` were in flight (paced runs only). */
  heldBack?: number;
}

function emptyStats(): LoadStats {
  return { requests: 0, ok: 0, busy: 0, other: {}, errors: 0, accepted: 0, rejected: 0, ms: 0 };
}

function record(stats: LoadStats, payload: Payload, r: PostResult): void {
  stats.requests++;
  if (r.status === 200) {
    stats.ok++;
    const accepted = (JSON.parse(r.text) as { accepted?: unknown }).accepted;
    if (typeof accepted !== 'number') throw new Error(`200 response without a numeric 'accepted': ${r.text.slice(0, 200)}`);
    stats.accepted += accepted;
    stats.rejected += payload.events - accepted;
  } else if (r.status === 503) {
    stats.busy++;
  } else {
    const key = String(r.status);
    stats.other[key] = (stats.other[key] ?? 0) + 1;
    if (stats.firstError === undefined) stats.firstError = `HTTP ${r.status}: ${r.text.slice(0, 200)}`;
  }
}

function recordError(stats: LoadStats, e: unknown): void {
  stats.errors++;
  if (stats.firstError === undefined) stats.firstError = (e as Error).message;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Pause after a 503 before the worker's next request. */
const BUSY_PAUSE_MS = 2;

/**
 * C workers posting back to back for `durationMs`; each worker owns one
 * payload (its buffer is reused only once the previous response is in).
 */
export async function closedLoop(client: Client, makePayload: () => Payload, concurrency: number, durationMs: number, clock: EventClock): Promise<LoadStats> {
  const stats = emptyStats();
  const start = performance.now();
  const deadline = start + durationMs;
  const worker = async (): Promise<void> => {
    const payload = makePayload();
    while (performance.now() < deadline) {
      const body = payload.prepare(clock.next(payload.events));
      let r: PostResult;
      try {
        r = await client.post(body, payload.contentType);
      } catch (e) {
        recordError(stats, e);
        if (stats.errors > 100) return;
        await sleep(10);
        continue;
      }
      record(stats, payload, r);
      if (r.status === 503) await sleep(BUSY_PAUSE_MS);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  stats.ms = performance.now() - start;
  return stats;
}

/**
 * An open-loop producer: request i is due at start + i / `ratePerSecond`, for
 * `durationMs` (requests not sent by then are not sent), with at most
 * `maxInflight` at once: a due request waits for a free slot (`heldBack`
 * counts those waits), then the producer catches up. Records each round trip.
 */
export async function paced(
  client: Client,
  makePayload: () => Payload,
  ratePerSecond: number,
  durationMs: number,
  maxInflight: number,
  clock: EventClock,
): Promise<LoadStats> {
  const stats = emptyStats();
  const total = Math.max(1, Math.round((ratePerSecond * durationMs) / 1000));
  const rtt = new Float64Array(total);
  const free: Payload[] = [];
  let sent = 0,
    inflight = 0,
    rtts = 0,
    heldBack = 0;
  const start = performance.now();
  const deadline = start + durationMs;
  let wakeSlot: (() => void) | null = null;
  const slotFreed = () =>
    new Promise<void>((resolve) => {
      wakeSlot = resolve;
    });

  const send = (): void => {
    const payload = free.pop() ?? makePayload();
    const body = payload.prepare(clock.next(payload.events));
    inflight++;
    sent++;
    const t0 = performance.now();
    client
      .post(body, payload.contentType)
      .then(
        (r) => {
          rtt[rtts++] = performance.now() - t0;
          record(stats, payload, r);
        },
        (e: unknown) => recordError(stats, e),
      )
      .finally(() => {
        inflight--;
        free.push(payload);
        const wake = wakeSlot;
        wakeSlot = null;
        wake?.();
      });
  };

  while (sent < total && performance.now() < deadline) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * ratePerSecond) / 1000) + 1);
    while (sent < due && performance.now() < deadline) {
      if (inflight >= maxInflight) {
        heldBack++;
        await slotFreed();
        continue;
      }
      send();
    }
    const nextDue = start + (sent * 1000) / ratePerSecond;
    await sleep(Math.max(0, Math.min(nextDue, deadline) - performance.now()));
  }
  while (inflight > 0) await slotFreed();
  stats.ms = performance.now() - start;
  stats.rtt = rtt.subarray(0, rtts);
  stats.heldBack = heldBack;
  return stats;
}

/** Nearest-rank quantile of samples (sorted copy). */
export function quantile(samples: ArrayLike<number>, q: number): number {
  if (samples.length === 0) return NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}
