/**
 * The Kafka source through `startPipeline`, against the real broker: message
 * formats, where keys and event times come from, auto.offset.reset,
 * max_offsets_per_trigger, several topics, and bad messages (counted, sent
 * to a dead-letter Kafka topic with the error, consumption going on).
 *
 * Every test has its own topics and group (unique names); windows are
 * 1-minute tumbling, emitted by stopping with flush once every row is in.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Message } from 'kafkajs';
import { KafkaFixture, sleep, waitFor } from '../support/kafkaHarness.js';
import { eventMessages, eventRow, keyedStream, kafkaPipeline, type StreamEvent } from '../support/kafkaStreams.js';
import type { StreamingQuery } from '../../src/engine/query.js';
import type { KafkaSource } from '../../src/kafka/kafkaSource.js';
import { expectedWindows, startKafkaQuery, windowsByKey, type InProcessQuery } from '../support/kafkaInProcess.js';

const kafka = new KafkaFixture();
const running: InProcessQuery[] = [];

beforeAll(async () => {
  await kafka.connect();
});

afterAll(async () => {
  for (const q of running) await q.query.stop().catch(() => undefined);
  await kafka.cleanup();
});

function start(doc: Record<string, unknown>): InProcessQuery {
  const q = startKafkaQuery(doc);
  running.push(q);
  return q;
}

/**
 * A topic has no end, so a Kafka query emits a window only once the
 * watermark passes it (stop keeps open windows in the checkpoint): one event
 * far ahead in each partition closes every window of the test's events (its
 * own stays open). Returns how many it sent.
 */
async function closeWindows(topic: string, partitions: number): Promise<number> {
  const closer = JSON.stringify({ timestamp: '2030-01-01T00:00:00.000Z', metric: 'zz-closer', value: 0 });
  await kafka.produce(
    topic,
    Array.from({ length: partitions }, (_, partition) => ({ partition, value: closer })),
  );
  return partitions;
}

/** Waits for `rows` input rows (closers included), then stops. */
async function finish(q: InProcessQuery, rows: number): Promise<void> {
  await q.waitForRows(rows);
  await q.query.stop();
  expect(q.query.exception).toBeNull();
  expect(q.inputRows()).toBe(rows);
}

/** Checks a query's windows against the events: every window, exact counts, sums to 1e-9. */
function expectWindowsOf(q: InProcessQuery, events: { key: string; timestamp: number; value: number }[]): void {
  const expected = expectedWindows(events);
  const actual = windowsByKey(q.results);
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [k, w] of expected) {
    const r = actual.get(k)!;
    expect(r.count, k).toBe(w.count);
    expect(r.sum_value as number, k).toBeCloseTo(w.sum, 9);
  }
}

describe.concurrent('Kafka source (startPipeline)', () => {
  it('reads one JSON object, a JSON array of objects, or NDJSON per message (and a pretty-printed object)', async () => {
    const topic = await kafka.topic('eddy-src-formats', 1);
    const events = keyedStream({ seed: 11, keys: 5, events: 600, partitions: 1, stepMs: 500 });
    // cut the stream into messages of 1 to 7 events, rotating through the formats
    const messages: Message[] = [];
    const formats = ['object', 'array', 'ndjson', 'ndjson-trailing', 'pretty'] as const;
    const used = new Set<string>();
    for (let i = 0, m = 0; i < events.length; m++) {
      const format = formats[m % formats.length]!;
      const n = format === 'object' || format === 'pretty' ? 1 : 1 + (m % 7);
      const part = events.slice(i, i + n).map(eventRow);
      i += n;
      used.add(format);
      const value =
        format === 'object'
          ? JSON.stringify(part[0])
          : format === 'pretty'
            ? JSON.stringify(part[0], null, 2)
            : format === 'array'
              ? JSON.stringify(part)
              : part.map((r) => JSON.stringify(r)).join('\n') + (format === 'ndjson-trailing' ? '\n' : '');
      messages.push({ key: String(part[0]!.metric), value });
    }
    expect(used.size).toBe(formats.length);
    await kafka.produce(topic, messages);
    const q = start(kafkaPipeline({ topics: [topic], group: kafka.group('eddy-src-formats') }));
    await finish(q, events.length + (await closeWindows(topic, 1)));
    expect(q.rejected).toEqual([]);
    expectWindowsOf(q, events);
  });

  it("takes the key from the message key with key: 'message', and from the field by default", async () => {
    const topic = await kafka.topic('eddy-src-key', 2);
    const events = keyedStream({ seed: 12, keys: 6, events: 400, partitions: 2, stepMs: 400 });
    // the field holds a different name than the message key; a few messages have no key (their field is used)
    const messages: Message[] = events.map((e, i) => ({
      key: i % 50 === 7 ? null : e.key,
      partition: e.partition,
      value: JSON.stringify({ ...eventRow(e), metric: i % 50 === 7 ? e.key : `field-${e.key}` }),
    }));
    await kafka.produce(topic, messages);
    const fromMessage = start(kafkaPipeline({ topics: [topic], group: kafka.group('eddy-src-key-msg'), source: { key: 'message' } }));
    const fromField = start(kafkaPipeline({ topics: [topic], group: kafka.group('eddy-src-key-field') }));
    const closers = await closeWindows(topic, 2);
    await Promise.all([finish(fromMessage, events.length + closers), finish(fromField, events.length + closers)]);
    expectWindowsOf(fromMessage, events);
    expectWindowsOf(
      fromField,
      events.map((e, i) => (i % 50 === 7 ? e : { ...e, key: `field-${e.key}` })),
    );
  });

  it("takes event time from the field by default, and from the message timestamp with time: 'message'", async () => {
    const topic = await kafka.topic('eddy-src-time', 1);
    const events = keyedStream({ seed: 13, keys: 4, events: 300, partitions: 1, stepMs: 700 });
    // message timestamps run an hour and a bit ahead of (and at another pace than) the field times
    const messageTime = (e: StreamEvent, i: number): number => e.timestamp + 3_600_000 + i * 311;
    await kafka.produce(
      topic,
      events.map((e, i) => ({ key: e.key, value: JSON.stringify(eventRow(e)), timestamp: String(messageTime(e, i)) })),
    );
    const byField = start(kafkaPipeline({ topics: [topic], group: kafka.group('eddy-src-time-field') }));
    const byMessage = start(kafkaPipeline({ topics: [topic], group: kafka.group('eddy-src-time-msg'), source: { time: 'message' } }));
    // the closer's message timestamp (now) is past every message time too
    const closers = await closeWindows(topic, 1);
    await Promise.all([finish(byField, events.length + closers), finish(byMessage, events.length + closers)]);
    expectWindowsOf(byField, events);
    expectWindowsOf(
      byMessage,
      events.map((e, i) => ({ ...e, timestamp: messageTime(e, i) })),
    );
  });

  it('auto.offset.reset earliest reads what was there before it started; latest only what comes after', async () => {
    const topic = await kafka.topic('eddy-src-reset', 1);
    const before = keyedStream({ seed: 14, keys: 3, events: 200, partitions: 1, prefix: 'before' });
    const after = keyedStream({ seed: 15, keys: 3, events: 150, partitions: 1, prefix: 'after', startMs: before.at(-1)!.timestamp + 1000 });
    await kafka.produce(topic, eventMessages(before));
    const latest = start(kafkaPipeline({ topics: [topic], group: kafka.group('eddy-src-latest'), source: { 'auto.offset.reset': 'latest' } }));
    const earliest = start(kafkaPipeline({ topics: [topic], group: kafka.group('eddy-src-earliest') }));
    await earliest.waitForRows(before.length);
    // the latest-reader has resolved its position once it takes in a probe sent after it joined
    const probeTime = before.at(-1)!.timestamp + 500;
    let probes = 0;
    await waitFor(
      'the latest-reader to take in a probe',
      async () => {
        await kafka.produce(topic, [{ value: JSON.stringify({ timestamp: probeTime, metric: 'probe', value: 0 }) }]);
        probes++;
        await sleep(150);
        return latest.inputRows() > 0;
      },
      30_000,
      0,
    );
    await sleep(500); // the last probes settle
    const probesSeen = latest.inputRows();
    await kafka.produce(topic, eventMessages(after));
    const probeEvents = Array.from({ length: probes }, () => ({ key: 'probe', timestamp: probeTime, value: 0 }));
    const closers = await closeWindows(topic, 1);
    await Promise.all([finish(latest, probesSeen + after.length + closers), finish(earliest, before.length + probes + after.length + closers)]);
    // latest: none of the events produced before it started, every one after
    const latestWindows = windowsByKey(latest.results);
    expect([...latestWindows.keys()].filter((k) => k.startsWith('before'))).toEqual([]);
    expectWindowsOf(latest, [...after, ...probeEvents.slice(0, probesSeen)]);
    expectWindowsOf(earliest, [...before, ...probeEvents, ...after]);
  });

  it('max_offsets_per_trigger caps the messages of each engine batch', async () => {
    const topic = await kafka.topic('eddy-src-cap', 2);
    const events = keyedStream({ seed: 16, keys: 8, events: 2000, partitions: 2, stepMs: 200 });
    await kafka.produce(topic, eventMessages(events));
    const cap = 64;
    const q = start(kafkaPipeline({ topics: [topic], group: kafka.group('eddy-src-cap'), processing: { max_offsets_per_trigger: cap } }));
    await q.waitForRows(events.length);
    const sizes = q.progress.map((p) => p.numInputRows);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(cap);
    expect(sizes.length).toBeGreaterThanOrEqual(Math.ceil(events.length / cap));
    // most batches are full: the cap, not the fetch, decides their size
    expect(sizes.filter((n) => n === cap).length).toBeGreaterThanOrEqual(Math.floor(events.length / cap) - 4);
    expect(q.query.lastProgress!.numInputRows).toBeLessThanOrEqual(cap);
    expect(q.query.recentProgress.every((p) => p.numInputRows <= cap)).toBe(true);
    await finish(q, events.length + (await closeWindows(topic, 2)));
    expectWindowsOf(q, events);
  });

  it('reads several topics, one engine per topic-partition', async () => {
    const a = await kafka.topic('eddy-src-multi-a', 2);
    const b = await kafka.topic('eddy-src-multi-b', 1);
    const eventsA = keyedStream({ seed: 17, keys: 6, events: 500, partitions: 2, prefix: 'a' });
    const eventsB = keyedStream({ seed: 18, keys: 3, events: 300, partitions: 1, prefix: 'b' });
    await Promise.all([kafka.produce(a, eventMessages(eventsA)), kafka.produce(b, eventMessages(eventsB))]);
    const q = start(kafkaPipeline({ topics: [a, b], group: kafka.group('eddy-src-multi') }));
    await q.waitForRows(eventsA.length + eventsB.length);
    expect(q.query.sourceDescription).toBe(`kafka:${a},${b}`);
    const assignment = ((q.query as StreamingQuery).source as KafkaSource).assignment;
    expect(assignment.map((t) => `${t.topic}-${t.partition}`).sort()).toEqual([`${a}-0`, `${a}-1`, `${b}-0`].sort());
    const ends = new Map([...(await kafka.endOffsets(a))].map(([p, o]) => [`${a}-${p}`, o]));
    ends.set(`${b}-0`, (await kafka.endOffsets(b)).get(0)!);
    for (const t of assignment) expect(t.nextOffset).toBe(ends.get(`${t.topic}-${t.partition}`));
    await finish(q, eventsA.length + eventsB.length + (await closeWindows(a, 2)) + (await closeWindows(b, 1)));
    expectWindowsOf(q, [...eventsA, ...eventsB]);
  });

  it('counts bad messages, sends each to a dead-letter Kafka topic with its error, and goes on consuming', async () => {
    const topic = await kafka.topic('eddy-src-bad', 2);
    const deadLetter = await kafka.topic('eddy-src-bad-dlq', 1);
    const events = keyedStream({ seed: 19, keys: 6, events: 600, partitions: 2, stepMs: 300 });
    const ts = new Date(events[0]!.timestamp + 1000).toISOString();
    const bad: { value: string; kind: string; raw?: string }[] = [
      { value: 'not json at all', kind: 'malformed' },
      { value: '{"timestamp": "2024-01-01T00:00:01Z", "metric": "x", "value": ', kind: 'malformed' },
      { value: '', kind: 'malformed' },
      { value: '42', kind: 'malformed' },
      { value: JSON.stringify({ timestamp: ts, metric: 'key-0' }), kind: 'missing_field' },
      { value: JSON.stringify({ metric: 'key-0', value: 1 }), kind: 'missing_field' },
      { value: JSON.stringify({ timestamp: ts, value: 1 }), kind: 'missing_field' },
      { value: JSON.stringify({ timestamp: ts, metric: 'key-0', value: 'abc' }), kind: 'not_a_number' },
      { value: JSON.stringify({ timestamp: 'yesterday', metric: 'key-0', value: 1 }), kind: 'bad_timestamp' },
      { value: JSON.stringify({ timestamp: ts, metric: { nested: true }, value: 1 }), kind: 'bad_key' },
      // a bad row inside an array: its raw text is the row's
      {
        value: JSON.stringify([{ timestamp: ts, metric: 'key-0', value: 'NaN?' }]),
        kind: 'not_a_number',
        raw: JSON.stringify({ timestamp: ts, metric: 'key-0', value: 'NaN?' }),
      },
    ];
    // spread the bad ones among the good ones, on both partitions
    const messages: Message[] = [];
    const good = eventMessages(events);
    const every = Math.floor(good.length / (bad.length * 2));
    const badSent: { partition: number; kind: string; value: string; raw?: string }[] = [];
    for (let i = 0, b = 0; i < good.length; i++) {
      messages.push(good[i]!);
      if (i % every === every - 1) {
        const item = bad[b % bad.length]!;
        const partition = b % 2;
        messages.push({ partition, value: item.value });
        badSent.push({ partition, ...item });
        b++;
      }
    }
    await kafka.produce(topic, messages);
    const q = start(
      kafkaPipeline({ topics: [topic], group: kafka.group('eddy-src-bad'), deadLetterTopic: deadLetter, processing: { max_offsets_per_trigger: 100 } }),
    );
    await finish(q, events.length + badSent.length + (await closeWindows(topic, 2)));
    // every valid event made it into its window, whatever came before it in the batch
    expectWindowsOf(q, events);
    // counted, by kind
    expect(q.rejected.length).toBe(badSent.length);
    expect(q.progress.reduce((n, p) => n + p.errors, 0)).toBe(badSent.length);
    const byKind = (list: { kind?: string }[]): Record<string, number> => {
      const counts: Record<string, number> = {};
      for (const e of list) counts[e.kind ?? 'malformed'] = (counts[e.kind ?? 'malformed'] ?? 0) + 1;
      return counts;
    };
    expect(byKind(q.rejected)).toEqual(byKind(badSent));
    expect(q.query.rejectedSummary()).toMatch(new RegExp(`^${badSent.length} rows rejected`));
    // forwarded to the dead-letter topic: one record per bad message, with its source, reason and raw text
    const dead = await waitFor('dead-letter records', async () => {
      const all = await kafka.readAll(deadLetter);
      return all.length >= badSent.length ? all : undefined;
    });
    expect(dead.length).toBe(badSent.length);
    type DeadLetter = { id: string; source: string; offset?: number; kind: string; reason: string; raw: string; header: string | undefined };
    const records: DeadLetter[] = dead.map((m) => ({ ...(JSON.parse(m.value) as Omit<DeadLetter, 'header'>), header: m.headers['eddy-kind'] }));
    expect(byKind(records)).toEqual(byKind(badSent));
    for (const r of records) {
      expect(r.header).toBe('errors');
      expect(String(r.source)).toMatch(new RegExp(`^kafka:${topic}-[01]$`));
      expect(typeof r.reason).toBe('string');
      expect(String(r.reason).length).toBeGreaterThan(0);
      expect(typeof r.id).toBe('string');
    }
    expect(records.map((r) => r.raw).sort()).toEqual(badSent.map((b) => b.raw ?? b.value).sort());
    // a message that is not JSON is named by its topic-partition and offset
    const rawOffsets = new Map<string, number[]>();
    for (const m of await kafka.readAll(topic)) rawOffsets.set(`${m.partition}|${m.value}`, [...(rawOffsets.get(`${m.partition}|${m.value}`) ?? []), m.offset]);
    for (const r of records.filter((x) => x.kind === 'malformed')) {
      const partition = Number(String(r.source).slice(-1));
      expect(rawOffsets.get(`${partition}|${String(r.raw)}`), `offset of ${JSON.stringify(r)}`).toContain(r.offset);
    }
  });

  // A row that parses but fails validation is named by its message offset, like a message that is not
  // JSON, so two identical bad messages are two dead letters with two ids.
  it('dead-letter records of rows failing validation carry their message offset and distinct ids', async () => {
    const topic = await kafka.topic('eddy-src-bad-offset', 1);
    const deadLetter = await kafka.topic('eddy-src-bad-offset-dlq', 1);
    const badRow = JSON.stringify({ metric: 'key-0', value: 1 }); // no timestamp
    await kafka.produce(topic, [{ value: badRow }, { value: badRow }, { value: JSON.stringify({ timestamp: 1_704_067_200_000, metric: 'key-0', value: 2 }) }]);
    const q = start(kafkaPipeline({ topics: [topic], group: kafka.group('eddy-src-bad-offset'), deadLetterTopic: deadLetter }));
    await finish(q, 3);
    const dead = (
      await waitFor('2 dead-letter records', async () => {
        const all = await kafka.readAll(deadLetter);
        return all.length >= 2 ? all : undefined;
      })
    ).map((m) => JSON.parse(m.value) as { id: string; offset?: number });
    expect(dead.map((r) => r.offset)).toEqual([0, 1]);
    expect(new Set(dead.map((r) => r.id)).size).toBe(2);
  });
});
