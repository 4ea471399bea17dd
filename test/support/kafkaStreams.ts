/**
 * Deterministic keyed event streams for the Kafka tests, the pipeline
 * configs that read them, and what to do with eddy's output topic: parse
 * it, drop duplicates by `id`, compare two runs' window sets exactly.
 */
import type { Message } from 'kafkajs';
import { Prng } from '../../src/sources/prng.js';
import { BROKER, type ReadMessage } from './kafkaHarness.js';

/** One event of a generated stream. */
export interface StreamEvent {
  key: string;
  /** The partition the producer sends it to (the key's partition). */
  partition: number;
  /** Event time, epoch ms. */
  timestamp: number;
  value: number;
}

/** Options of {@link keyedStream}. */
export interface StreamOptions {
  seed: number;
  keys: number;
  events: number;
  partitions: number;
  /** Event time of the first event, epoch ms. */
  startMs?: number;
  /** Event time advance per event, ms. */
  stepMs?: number;
  /** Each event's time is moved by up to ± this (ms), so a partition's events are not quite in order. */
  jitterMs?: number;
  /** Key name prefix. */
  prefix?: string;
}

/** The partition of key number `k` (the producer partitions by key). */
export const partitionOfKey = (k: number, partitions: number): number => k % partitions;

/**
 * `events` events over `keys` keys (`key-00`…), in order of increasing time
 * with a little jitter; key i always goes to partition i mod `partitions`.
 * Values are normal around a per-key level, with two decimals.
 */
export function keyedStream(o: StreamOptions): StreamEvent[] {
  const prng = new Prng(o.seed);
  const start = o.startMs ?? Date.UTC(2024, 0, 1);
  const step = o.stepMs ?? 100;
  const jitter = o.jitterMs ?? 0;
  const width = String(o.keys - 1).length;
  const out: StreamEvent[] = [];
  for (let i = 0; i < o.events; i++) {
    const k = Math.floor(prng.uniform() * o.keys);
    const shift = jitter === 0 ? 0 : Math.round((prng.uniform() * 2 - 1) * jitter);
    const value = Math.round((10 + k + prng.normal(0, 3)) * 100) / 100;
    out.push({
      key: `${o.prefix ?? 'key'}-${String(k).padStart(width, '0')}`,
      partition: partitionOfKey(k, o.partitions),
      timestamp: start + i * step + shift,
      value,
    });
  }
  return out;
}

/** One event as the JSON row eddy reads (`timestamp` ISO, `metric`, `value`). */
export const eventRow = (e: StreamEvent): Record<string, unknown> => ({ timestamp: new Date(e.timestamp).toISOString(), metric: e.key, value: e.value });

/** One message per event, keyed and partitioned by its key. */
export function eventMessages(events: StreamEvent[]): Message[] {
  return events.map((e) => ({ key: e.key, partition: e.partition, value: JSON.stringify(eventRow(e)) }));
}

/** Options of {@link kafkaPipeline}. */
export interface PipelineOptions {
  topics: string[];
  group: string;
  /** Output topic (a Kafka sink); leave out to pass a sink to startPipeline yourself (a memory sink is configured). */
  output?: string;
  deadLetterTopic?: string;
  checkpointDir?: string;
  source?: Record<string, unknown>;
  processing?: Record<string, unknown>;
  name?: string;
}

/** A pipeline config document reading Kafka topics (earliest), 1-minute tumbling windows with count/sum/avg/min/max. */
export function kafkaPipeline(o: PipelineOptions): Record<string, unknown> {
  return {
    name: o.name ?? 'kafka-test',
    source: {
      type: 'kafka',
      'bootstrap.servers': BROKER,
      topics: o.topics,
      'group.id': o.group,
      'auto.offset.reset': 'earliest',
      'enable.auto.commit': false,
      ...o.source,
    },
    timestamp_column: 'timestamp',
    value_column: 'value',
    grouping_columns: ['metric'],
    processing: {
      window_size: '1 minute',
      watermark_delay: '5 seconds',
      aggregations: ['count', 'sum', 'avg', 'min', 'max'],
      ...(o.checkpointDir ? { checkpoint_location: o.checkpointDir } : {}),
      ...o.processing,
    },
    sink: o.output ? { type: 'kafka', servers: BROKER, topic: o.output } : { type: 'memory', queryName: `${o.name ?? 'kafka-test'}` },
    ...(o.deadLetterTopic ? { dead_letter: { type: 'kafka', servers: BROKER, topic: o.deadLetterTopic } } : {}),
  };
}

/** An output record of a windows query, as eddy's Kafka sink writes it. */
export interface WindowOut {
  id: string;
  window: { start: string; end: string };
  metric: string;
  count: number;
  sum_value: number;
  [column: string]: unknown;
}

/** Output messages deduplicated by id; `conflicts` lists ids seen with different contents (never allowed). */
export interface Deduped {
  byId: Map<string, string>;
  total: number;
  duplicates: number;
  conflicts: string[];
}

/** Drops duplicates by `id` (keeping the first), counting them, and noting ids whose copies differ. */
export function dedupeById(messages: ReadMessage[]): Deduped {
  const byId = new Map<string, string>();
  const conflicts: string[] = [];
  let duplicates = 0;
  for (const m of messages) {
    const id = (JSON.parse(m.value) as { id: string }).id;
    const seen = byId.get(id);
    if (seen === undefined) byId.set(id, m.value);
    else {
      duplicates++;
      if (seen !== m.value) conflicts.push(id);
    }
  }
  return { byId, total: messages.length, duplicates, conflicts };
}

/** The ids in one map and not the other, and those whose contents differ (for readable failures). */
export function diffById(actual: Map<string, string>, expected: Map<string, string>): { missing: string[]; extra: string[]; different: string[] } {
  const missing = [...expected.keys()].filter((id) => !actual.has(id));
  const extra = [...actual.keys()].filter((id) => !expected.has(id));
  const different = [...expected].filter(([id, v]) => actual.has(id) && actual.get(id) !== v).map(([id]) => id);
  return { missing, extra, different };
}
