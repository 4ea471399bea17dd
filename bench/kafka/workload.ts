/**
 * The events of `npm run bench:kafka`, generated deterministically so every
 * process (producer, consumers, checks) agrees on them without sharing files.
 *
 * Event i (0 ≤ i < N) belongs to key k = i mod K (`metric: "key_<k>"`) and
 * round r = ⌊i / K⌋; its time is T0 + r·STEP: every key gets one event per
 * STEP of event time, and time never goes back (the topic is in event-time
 * order within each partition). Values follow a slow wave with noise and rare
 * spikes (so z-scores fire now and then); `type` is ok (80 %), warn (15 %) or
 * error (5 %), for the sequence pattern. Partition = k mod P (the producer
 * partitions by key), so a key's events all land in one partition, in order.
 */

/** Parameters of a run. */
export interface Workload {
  events: number;
  keys: number;
  partitions: number;
  /** Event-time step between a key's consecutive events (ms). */
  stepMs: number;
  /** Events per Kafka message (1, or NDJSON lines per message). */
  perMessage: number;
}

/** 2024-01-01T00:00:00Z */
export const T0 = Date.UTC(2024, 0, 1);

/** A 32-bit integer hash (lowbias32), the noise source. */
export function hash32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

const TYPES = ['ok', 'warn', 'error'] as const;

/** The fields of event i. */
export function eventAt(w: Workload, i: number): { timestamp: number; metric: string; value: number; type: string } {
  const k = i % w.keys;
  const r = Math.floor(i / w.keys);
  const h = hash32(i);
  let value = 50 + 20 * Math.sin((2 * Math.PI * r) / 360 + k) + (h % 1000) / 100;
  if (h % 9973 === 0) value += 150;
  value = Math.round(value * 100) / 100;
  const t = (h >>> 12) % 100;
  return { timestamp: T0 + r * w.stepMs, metric: `key_${k}`, value, type: TYPES[t < 80 ? 0 : t < 95 ? 1 : 2] };
}

/** Event i as the JSON text a producer writes (fields in a fixed order). */
export function eventJson(w: Workload, i: number): string {
  const e = eventAt(w, i);
  return `{"timestamp":${e.timestamp},"metric":"${e.metric}","value":${e.value},"type":"${e.type}"}`;
}

/** Partition of event i's key. */
export function partitionOf(w: Workload, i: number): number {
  return (i % w.keys) % w.partitions;
}

/** What a consumer must see: the number of events and the sum of their values. */
export interface Expected {
  events: number;
  valueSum: number;
}
