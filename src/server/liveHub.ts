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
import { recordFlags, RECORD_ANOMALY, RECORD_FORECAST, RECORD_PATTERNS, type OutputBatch, type ResultRecord, type Sink } from '../engine/sink.js';
import { recordBatch } from '../engine/outputBatch.js';
import { KEY_SEPARATOR } from '../engine/columnBatch.js';

export { ANOMALY_SCORE_ALERT } from '../engine/sink.js';

/** The kinds a subscriber can ask for. */
export const LIVE_KINDS = ['windows', 'events', 'anomalies', 'forecasts', 'patterns', 'late'] as const;
export type LiveKind = (typeof LIVE_KINDS)[number];

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

/** Outputs of one kind waiting for flush(): each record's JSON text and key text. */
interface Pending {
  texts: string[];
  keys: string[];
}

function emptyPending(): Record<LiveKind, Pending> {
  const p = {} as Record<LiveKind, Pending>;
  for (const kind of LIVE_KINDS) p[kind] = { texts: [], keys: [] };
  return p;
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
  const list = (v: string | readonly string[] | undefined) =>
    (v === undefined ? [] : typeof v === 'string' ? v.split(',') : [...v]).map((s) => s.trim()).filter((s) => s !== '');
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
  // the current engine batch's outputs by kind, as JSON texts with their key texts, until flush()
  private pending: Record<LiveKind, Pending> = emptyPending();

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
    const sink = (route: (batch: OutputBatch) => void, kind: string): Sink => ({
      description: `live:${kind}`,
      open: () => undefined,
      write: (records) => {
        if (this.subscribers.size > 0) route(recordBatch(records));
      },
      // from the columns: with nobody subscribed nothing is made at all, else each record's JSON text, no record object
      writeBatch: (batch) => {
        if (this.subscribers.size > 0) route(batch);
      },
      // sending happens once per engine batch, in flush(), after all outputs of the batch are in
      flush: () => undefined,
      close: () => undefined,
    });
    return {
      results: sink((batch) => this.addResults(batch), 'results'),
      late: sink((batch) => this.add(batch, 'late'), 'late'),
      matches: sink((batch) => this.add(batch, 'patterns'), 'matches'),
    };
  }

  /** Sorts result records into kinds: windows or events, and anomalies, forecasts, patterns by their flags. */
  private addResults(batch: OutputBatch): void {
    const p = this.pending;
    const texts = batch.jsonLines();
    const records = batch.flagsAt && batch.keyAt ? undefined : batch.records();
    const flagsAt = batch.flagsAt ?? ((r: number) => recordFlags(records![r]!));
    const keyAt = batch.keyAt ?? ((r: number) => this.keyOf(records![r]!));
    const main = batch.windowAt || (records !== undefined && records.length > 0 && 'window' in records[0]!) ? p.windows : p.events;
    for (let r = 0; r < batch.count; r++) {
      const text = texts[r]!;
      const key = keyAt(r);
      main.texts.push(text);
      main.keys.push(key);
      const flags = flagsAt(r);
      if (flags & RECORD_ANOMALY) {
        p.anomalies.texts.push(text);
        p.anomalies.keys.push(key);
      }
      if (flags & RECORD_FORECAST) {
        p.forecasts.texts.push(text);
        p.forecasts.keys.push(key);
      }
      if (flags & RECORD_PATTERNS) {
        p.patterns.texts.push(text);
        p.patterns.keys.push(key);
      }
    }
  }

  /** Adds a batch's records to one kind. */
  private add(batch: OutputBatch, kind: LiveKind): void {
    const pending = this.pending[kind];
    const texts = batch.jsonLines();
    const records = batch.keyAt ? undefined : batch.records();
    for (let r = 0; r < batch.count; r++) {
      pending.texts.push(texts[r]!);
      pending.keys.push(batch.keyAt ? batch.keyAt(r) : this.keyOf(records![r]!));
    }
  }

  /** A record's key text: its grouping values as strings, joined by U+001F. */
  private keyOf(r: ResultRecord): string {
    return this.keyColumns.map((c) => String(r[c])).join(KEY_SEPARATOR);
  }

  /**
   * Sends this batch's outputs to every subscriber (one message each), then
   * starts a new batch. The message is `{"type":"results","batch":n,<kind>:[…],…}`
   * with the kinds in LIVE_KINDS order, written from the records' JSON texts.
   */
  flush(): void {
    const pending = this.pending;
    const any = LIVE_KINDS.some((k) => pending[k].texts.length > 0);
    if (!any) return;
    this.pending = emptyPending();
    this.batch++;
    const cache = new Map<string, string>(); // subscribers with equal filters share one serialised message
    for (const s of this.subscribers) {
      const id = `${[...(s.filter.kinds ?? [])].join(',')}|${[...(s.filter.keys ?? [])].join(KEY_SEPARATOR)}`;
      let message = cache.get(id);
      if (message === undefined) {
        let body = `{"type":"results","batch":${this.batch}`;
        let count = 0;
        for (const kind of LIVE_KINDS) {
          if (s.filter.kinds && !s.filter.kinds.has(kind)) continue;
          const { texts, keys } = pending[kind];
          const wanted = s.filter.keys ? texts.filter((_, i) => s.filter.keys!.has(keys[i]!)) : texts;
          if (wanted.length > 0) {
            body += `,${JSON.stringify(kind)}:[${wanted.join(',')}]`;
            count += wanted.length;
          }
        }
        message = count > 0 ? body + '}' : '';
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
