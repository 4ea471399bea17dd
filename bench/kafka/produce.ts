/**
 * Produces the bench topic (workload.ts) with kafkajs: uncompressed, acks
 * all, each message sent to its key's partition; a single event per message
 * (message key = the metric) or `perMessage` events of one partition per
 * message as NDJSON (no message key). Sends of about 256 KiB (kafkajs groups a send's messages by partition in quadratic time, so sends stay small), up to 4 in
 * flight on the broker connection (requests on one connection are handled
 * in order, so each partition keeps event order). The rate includes making
 * the JSON text. Each partition ends with one closing event (see below).
 */
import type { Kafka, Message, Producer } from 'kafkajs';
import { CompressionTypes } from 'kafkajs';
import { eventAt, type Expected, type Workload } from './workload.js';

export interface ProduceResult extends Expected {
  /** Of `events`, the closing events at the end of each partition (value 0, windows never emitted). */
  closers: number;
  messages: number;
  bytes: number;
  seconds: number;
}

const SEND_BYTES = 256 << 10;
/** 2030-01-01T00:00:00Z: after every workload event. */
const CLOSER_TIME = Date.UTC(2030, 0, 1);
const IN_FLIGHT = 4;

export async function produceTopic(kafka: Kafka, topic: string, w: Workload): Promise<ProduceResult> {
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const t0 = performance.now();
  let pending: Message[] = [];
  let pendingBytes = 0;
  let messages = 0,
    bytes = 0,
    valueSum = 0;
  const inFlight: Promise<unknown>[] = [];
  const dispatch = async (): Promise<void> => {
    if (pending.length === 0) return;
    const send = producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages: pending });
    send.catch(() => undefined); // awaited below; this only keeps an early failure from being 'unhandled'
    inFlight.push(send);
    pending = [];
    pendingBytes = 0;
    if (inFlight.length >= IN_FLIGHT) await inFlight.shift();
  };
  const add = async (m: Message, size: number): Promise<void> => {
    pending.push(m);
    pendingBytes += size;
    messages++;
    bytes += size;
    if (pendingBytes >= SEND_BYTES) await dispatch();
  };
  const lines: string[][] = Array.from({ length: w.partitions }, () => []);
  for (let i = 0; i < w.events; i++) {
    const e = eventAt(w, i);
    valueSum += e.value;
    const json = `{"timestamp":${e.timestamp},"metric":"${e.metric}","value":${e.value},"type":"${e.type}"}`;
    const partition = (i % w.keys) % w.partitions;
    if (w.perMessage === 1) {
      await add({ key: e.metric, value: json, partition }, json.length + e.metric.length);
    } else {
      const buffer = lines[partition]!;
      buffer.push(json);
      if (buffer.length === w.perMessage) {
        const value = buffer.join('\n');
        lines[partition] = [];
        await add({ value, partition }, value.length);
      }
    }
  }
  for (let p = 0; p < w.partitions; p++) {
    const buffer = lines[p]!;
    if (buffer.length > 0) {
      const value = buffer.join('\n');
      await add({ value, partition: p }, value.length);
    }
  }
  // A topic has no end, so eddy emits a window only when the watermark passes it: one event far
  // ahead per partition closes every window of the workload (its own stays open, never emitted).
  for (let p = 0; p < w.partitions; p++) {
    const json = `{"timestamp":${CLOSER_TIME},"metric":"closer","value":0,"type":"ok"}`;
    await add({ key: 'closer', value: json, partition: p }, json.length + 6);
  }
  await dispatch();
  await Promise.all(inFlight);
  const seconds = (performance.now() - t0) / 1000;
  await producer.disconnect();
  return { events: w.events + w.partitions, closers: w.partitions, valueSum, messages, bytes, seconds };
}
