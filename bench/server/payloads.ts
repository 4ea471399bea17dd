/**
 * Request bodies of the server benchmark, shaped like the core benchmark's
 * workload (bench/workload.ts): K keys, one event per key per event second,
 * up to 2 s out of order, values from a seeded normal distribution. Event
 * time therefore advances 1 ms per event on average (with 1,000 keys), and a
 * shared `EventClock` hands each request the next stretch of event time, so
 * time keeps advancing across requests, connections and phases.
 *
 * Bodies are built once; per request only the timestamps are rewritten in
 * place (13 ASCII digits per NDJSON line, or the f64 ts column of a columnar
 * frame), so the load generator spends little CPU. Each payload object owns
 * its buffer: give every in-flight request its own payload.
 */
import { Prng } from '../../src/sources/prng.js';
import { COLUMNAR_CONTENT_TYPE, COLUMNAR_HEADER_BYTES, encodeColumns } from '../../src/server/columnarFormat.js';

/** 2024-01-01T00:00:00Z: epoch ms stay 13 digits for centuries of event time. */
export const EVENT_TIME_ORIGIN = Date.UTC(2024, 0, 1);

/** Hands out event time: `n` events take `n × msPerEvent` ms. */
export class EventClock {
  private t: number;
  constructor(
    private readonly msPerEvent: number,
    start = EVENT_TIME_ORIGIN,
  ) {
    this.t = start;
  }
  /** Base event time of the next `events` events; advances the clock past them. */
  next(events: number): number {
    const base = this.t;
    this.t += events * this.msPerEvent;
    return base;
  }
  get now(): number {
    return this.t;
  }
}

/** A request body whose timestamps can be moved. */
export interface Payload {
  readonly events: number;
  readonly contentType: string;
  /** Rewrites the timestamps to start at `base` (epoch ms); returns the body to send. */
  prepare(base: number): Uint8Array;
}

/** The events of one request: key index, timestamp offset from the request's base, value. */
interface EventTemplate {
  key: Int32Array;
  offset: Float64Array;
  value: Float64Array;
}

function template(events: number, keys: number, seed: number): EventTemplate {
  const prng = new Prng(seed);
  const key = new Int32Array(events);
  const offset = new Float64Array(events);
  const value = new Float64Array(events);
  for (let i = 0; i < events; i++) {
    key[i] = i % keys;
    // as bench/workload.ts: second ⌊i / K⌋, up to 2 s early
    offset[i] = Math.floor(i / keys) * 1000 + 1000 - Math.floor(prng.uniform() * 2000);
    value[i] = Math.round(prng.normal(50, 10) * 1000) / 1000;
  }
  return { key, offset, value };
}

export const keyName = (k: number): string => `key_${k}`;

/** `{"timestamp":…,"metric":"key_<k>","value":…}` lines, timestamps patched in place. */
export class NdjsonPayload implements Payload {
  readonly contentType = 'application/x-ndjson';
  readonly body: Buffer;
  /** Byte position of each line's 13 timestamp digits. */
  private readonly digits: Int32Array;
  private readonly offset: Float64Array;

  constructor(
    readonly events: number,
    keys: number,
    seed = 7,
  ) {
    const t = template(events, keys, seed);
    this.offset = t.offset;
    this.digits = new Int32Array(events);
    const parts: string[] = [];
    let at = 0;
    const prefix = '{"timestamp":';
    for (let i = 0; i < events; i++) {
      const line = `${prefix}${EVENT_TIME_ORIGIN + t.offset[i]!},"metric":"${keyName(t.key[i]!)}","value":${t.value[i]!}}\n`;
      this.digits[i] = at + prefix.length;
      at += Buffer.byteLength(line);
      parts.push(line);
    }
    this.body = Buffer.from(parts.join(''), 'latin1');
  }

  prepare(base: number): Uint8Array {
    const buf = this.body;
    for (let i = 0; i < this.events; i++) {
      let ts = base + this.offset[i]!;
      if (ts < 1e12 || ts >= 1e13) throw new RangeError(`timestamp ${ts} is not 13 digits`);
      const at = this.digits[i]!;
      for (let d = 12; d >= 0; d--) {
        const q = Math.floor(ts / 10);
        buf[at + d] = 48 + (ts - q * 10);
        ts = q;
      }
    }
    return buf;
  }
}

/** A columnar frame (`encodeColumns`), ts column rewritten in place. */
export class ColumnarPayload implements Payload {
  readonly contentType = COLUMNAR_CONTENT_TYPE;
  readonly frame: Uint8Array;
  private readonly ts: Float64Array;
  private readonly offset: Float64Array;

  constructor(
    readonly events: number,
    keys: number,
    seed = 7,
  ) {
    const t = template(events, keys, seed);
    this.offset = t.offset;
    const names = Array.from({ length: keys }, (_, k) => keyName(k));
    this.frame = encodeColumns({ ts: t.offset.map((o) => EVENT_TIME_ORIGIN + o), value: t.value, key: t.key, keys: names });
    // encodeColumns returns a fresh buffer: the ts column at byte 32 is 8-aligned
    this.ts = new Float64Array(this.frame.buffer, this.frame.byteOffset + COLUMNAR_HEADER_BYTES, events);
  }

  prepare(base: number): Uint8Array {
    const ts = this.ts,
      off = this.offset;
    for (let i = 0; i < this.events; i++) ts[i] = base + off[i]!;
    return this.frame;
  }
}
