/**
 * Live results for WebSocket subscribers (`/live`): every engine batch's
 * outputs, filtered per subscriber by kind and key, sent as one JSON message
 * per batch.
 *
 * Kinds: `windows` (window results), `events` (scored events of an events
 * query), `anomalies` (records with is_anomaly true or anomaly_score ≥ 0.5,
 * nupic's red zone), `forecasts` (records with Holt fields), `patterns`
 * (sequence matches, and records with threshold patterns), `late` (late
 * events). A key filter lists key texts: the grouping values joined with
 * U+001F (for one grouping column, just its value).
 *
 * A slow subscriber never slows the engine or grows memory without bound:
 * while its socket has more than `maxBufferedBytes` waiting, messages queue
 * for it up to `maxQueuedMessages`; beyond that the oldest is dropped and
 * counted, and the count is sent (`{"type":"dropped","count":n}`) before the
 * next delivered message.
 */
import type { ResultRecord, Sink } from '../sinks/sink.js';
import { KEY_SEPARATOR } from '../engine/columnBatch.js';

/** The kinds a subscriber can ask for. */
export const LIVE_KINDS = ['windows', 'events', 'anomalies', 'forecasts', 'patterns', 'late'] as const;
export type LiveKind = (typeof LIVE_KINDS)[number];

/** anomaly_score at or above this makes a record an anomaly for `anomalies`. */
export const ANOMALY_SCORE_ALERT = 0.5;

/** A subscriber's filter; absent = everything. */
export interface LiveFilter {
  kinds?: ReadonlySet<LiveKind>;
  keys?: ReadonlySet<string>;
}

/** The socket side of a subscriber (a uWS WebSocket satisfies it). */
export interface LiveSocket {
  send(message: string): number;
  getBufferedAmount(): number;
}

interface Subscriber {
  socket: LiveSocket;
  filter: LiveFilter;
  queue: string[];
  dropped: number;
}

/** Bounds of one subscriber. */
export interface LiveLimits {
  maxBufferedBytes: number;
  maxQueuedMessages: number;
}

export const DEFAULT_LIVE_LIMITS: LiveLimits = { maxBufferedBytes: 1 << 20, maxQueuedMessages: 64 };

/** Parses `kinds` and `keys` (comma-separated lists) into a filter; throws on an unknown kind. */
export function parseFilter(kinds: string | readonly string[] | undefined, keys: string | readonly string[] | undefined): LiveFilter {
  const list = (v: string | readonly string[] | undefined) => (v === undefined ? [] : typeof v === 'string' ? v.split(',') : [...v]).map((s) => s.trim()).filter((s) => s !== '');
  const filter: LiveFilter = {};
  const k = list(kinds);
  for (const kind of k) {
    if (!(LIVE_KINDS as readonly string[]).includes(kind)) throw new RangeError(`unknown kind '${kind}' (${LIVE_KINDS.join(', ')})`);
  }
  if (k.length > 0) filter.kinds = new Set(k as LiveKind[]);
  const keyList = list(keys);
  if (keyList.length > 0) filter.keys = new Set(keyList);
  return filter;
}

export class LiveHub {
  private readonly subscribers = new Set<Subscriber>();
  private readonly bySocket = new Map<LiveSocket, Subscriber>();
  private batch = 0;
  /** Messages dropped for slow subscribers, in total. */
  droppedTotal = 0;
  // records of the current engine batch, by kind, until flush()
  private pending: Record<LiveKind, ResultRecord[]> = { windows: [], events: [], anomalies: [], forecasts: [], patterns: [], late: [] };

  /** @param keyColumns the query's grouping columns (key filters compare their values) */
  constructor(
    private readonly keyColumns: readonly string[],
    private readonly limits: LiveLimits = DEFAULT_LIVE_LIMITS,
    private readonly onDrop: () => void = () => undefined,
  ) {}

  /** Subscribers connected. */
  get size(): number {
    return this.subscribers.size;
  }

  /** Adds a subscriber. */
  subscribe(socket: LiveSocket, filter: LiveFilter): void {
    const s: Subscriber = { socket, filter, queue: [], dropped: 0 };
    this.subscribers.add(s);
    this.bySocket.set(socket, s);
  }

  /** Changes a subscriber's filter. */
  refilter(socket: LiveSocket, filter: LiveFilter): void {
    const s = this.bySocket.get(socket);
    if (s) s.filter = filter;
  }

  /** Removes a subscriber (its socket closed). */
  unsubscribe(socket: LiveSocket): void {
    const s = this.bySocket.get(socket);
    if (s) {
      this.subscribers.delete(s);
      this.bySocket.delete(socket);
    }
  }

  /** The socket can take more: sends what queued for it. */
  drain(socket: LiveSocket): void {
    const s = this.bySocket.get(socket);
    if (s) this.pump(s);
  }

  /** Sinks that feed the hub: results (windows or scored events), late events, matches. */
  sinks(): { results: Sink; late: Sink; matches: Sink } {
    const sink = (route: (records: ResultRecord[]) => void, kind: string): Sink => ({
      description: `live:${kind}`,
      open: () => undefined,
      write: (records) => route(records),
      // with nobody subscribed the batch's records are never built
      writeBatch: (batch) => { if (this.subscribers.size > 0) route(batch.records()); },
      // sending happens once per engine batch, in flush(), after all outputs of the batch are in
      flush: () => undefined,
      close: () => undefined,
    });
    return {
      results: sink((records) => this.addResults(records), 'results'),
      late: sink((records) => { this.pending.late.push(...records); }, 'late'),
      matches: sink((records) => { this.pending.patterns.push(...records); }, 'matches'),
    };
  }

  /** Sorts result records into kinds. */
  private addResults(records: ResultRecord[]): void {
    const p = this.pending;
    for (const r of records) {
      if ('window' in r) p.windows.push(r);
      else p.events.push(r);
      if (r.is_anomaly === true || (typeof r.anomaly_score === 'number' && r.anomaly_score >= ANOMALY_SCORE_ALERT)) p.anomalies.push(r);
      if ('forecast' in r) p.forecasts.push(r);
      if (Array.isArray(r.detected_patterns) && r.detected_patterns.length > 0) p.patterns.push(r);
    }
  }

  /** Sends this batch's records to every subscriber (one message each), then starts a new batch. */
  flush(): void {
    const pending = this.pending;
    const any = LIVE_KINDS.some((k) => pending[k].length > 0);
    if (!any) return;
    this.pending = { windows: [], events: [], anomalies: [], forecasts: [], patterns: [], late: [] };
    this.batch++;
    const keyOf = (r: ResultRecord): string => this.keyColumns.map((c) => String(r[c])).join(KEY_SEPARATOR);
    const cache = new Map<string, string>(); // subscribers with equal filters share one serialised message
    for (const s of this.subscribers) {
      const id = `${[...(s.filter.kinds ?? [])].join(',')}|${[...(s.filter.keys ?? [])].join(KEY_SEPARATOR)}`;
      let message = cache.get(id);
      if (message === undefined) {
        const body: Record<string, unknown> = { type: 'results', batch: this.batch };
        let count = 0;
        for (const kind of LIVE_KINDS) {
          if (s.filter.kinds && !s.filter.kinds.has(kind)) continue;
          const records = s.filter.keys ? pending[kind].filter((r) => s.filter.keys!.has(keyOf(r))) : pending[kind];
          if (records.length > 0) {
            body[kind] = records;
            count += records.length;
          }
        }
        message = count > 0 ? JSON.stringify(body) : '';
        cache.set(id, message);
      }
      if (message !== '') this.deliver(s, message);
    }
  }

  private deliver(s: Subscriber, message: string): void {
    s.queue.push(message);
    if (s.queue.length > this.limits.maxQueuedMessages) {
      s.queue.shift();
      s.dropped++;
      this.droppedTotal++;
      this.onDrop();
    }
    this.pump(s);
  }

  private pump(s: Subscriber): void {
    while (s.queue.length > 0 && s.socket.getBufferedAmount() < this.limits.maxBufferedBytes) {
      if (s.dropped > 0) {
        s.socket.send(JSON.stringify({ type: 'dropped', count: s.dropped }));
        s.dropped = 0;
      }
      s.socket.send(s.queue.shift()!);
    }
  }
}
