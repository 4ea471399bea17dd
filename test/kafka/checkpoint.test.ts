/**
 * Checkpoints of a Kafka query (startPipeline, real broker): one
 * sub-directory per topic-partition under checkpoint_location, written every
 * N engine batches or every interval, the newest K kept; the group's
 * committed offsets (admin fetchOffsets) never pass a checkpoint's
 * `meta.nextOffset`; a corrupt newest checkpoint makes a restart use the
 * one before, and the results are still complete and duplicate-free after
 * dedupe by id.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { KafkaFixture, sleep, waitFor } from '../support/kafkaHarness.js';
import { eventMessages, keyedStream, kafkaPipeline } from '../support/kafkaStreams.js';
import { expectedWindows, startKafkaQuery, tempDir, windowsByKey, type InProcessQuery } from '../support/kafkaInProcess.js';
import { checkpointScopes, corruptCheckpoint, readCheckpoints } from '../support/kafkaCheckpoints.js';
import type { ResultRecord } from '../../src/engine/sink.js';

const kafka = new KafkaFixture();
const dirs: ReturnType<typeof tempDir>[] = [];
const running: InProcessQuery[] = [];

beforeAll(async () => {
  await kafka.connect();
});

afterAll(async () => {
  for (const q of running) await q.query.stop().catch(() => undefined);
  await kafka.cleanup();
  for (const d of dirs) d.cleanup();
});

function start(doc: Record<string, unknown>): InProcessQuery {
  const q = startKafkaQuery(doc);
  running.push(q);
  return q;
}

function checkpointDir(): string {
  const d = tempDir('eddy-kafka-chk-');
  dirs.push(d);
  return d.path('checkpoints');
}

/** Partition → count of events. */
const perPartition = (events: { partition: number }[]): Map<number, number> => {
  const out = new Map<number, number>();
  for (const e of events) out.set(e.partition, (out.get(e.partition) ?? 0) + 1);
  return out;
};

describe.concurrent('Kafka checkpoints (startPipeline)', () => {
  it('writes one checkpoint directory per topic-partition, every N batches, keeping the newest K', async () => {
    const partitions = 3;
    const topic = await kafka.topic('eddy-chk-every', partitions);
    const events = keyedStream({ seed: 21, keys: 9, events: 900, partitions, stepMs: 300 });
    await kafka.produce(topic, eventMessages(events));
    const dir = checkpointDir();
    const cap = 20;
    const every = 3;
    const keep = 2;
    const group = kafka.group('eddy-chk-every');
    const q = start(
      kafkaPipeline({
        topics: [topic],
        group,
        checkpointDir: dir,
        processing: { max_offsets_per_trigger: cap, checkpoint_every_batches: every, checkpoint_interval: '1 hour', checkpoint_keep: keep },
      }),
    );
    await q.waitForRows(events.length);
    const ends = await kafka.endOffsets(topic);
    expect(checkpointScopes(dir)).toEqual(Array.from({ length: partitions }, (_, p) => `${topic}-${p}`).sort());
    const committed = await kafka.committed(group, topic);
    for (const [p, n] of perPartition(events)) {
      const scope = `${topic}-${p}`;
      const { good, bad } = readCheckpoints(dir, scope);
      expect(bad).toEqual([]);
      // the newest K, consecutive, and what their chains need (a full checkpoint and the changes after it): nothing else
      const newestK = good.slice(-keep);
      expect(newestK[1]!.seq).toBe(newestK[0]!.seq + 1);
      const oldestNeeded = Math.min(...newestK.map((c) => c.base ?? c.seq));
      expect(
        good.map((c) => c.seq),
        scope,
      ).toEqual(Array.from({ length: newestK[1]!.seq - oldestNeeded + 1 }, (_, i) => oldestNeeded + i));
      expect(good[0]!.base, `${scope}: the oldest file kept is a full checkpoint`).toBeUndefined();
      // at least one per `every` engine batches (each of ≤ cap messages)
      const batches = Math.ceil(n / cap);
      expect(newestK[1]!.seq, `${scope}: ${n} messages in ≥ ${batches} batches of ≤ ${cap}, a checkpoint every ${every}`).toBeGreaterThanOrEqual(
        Math.floor(batches / every),
      );
      for (const c of good) expect(c.meta).toMatchObject({ topic, partition: p, query: 'kafka-test' });
      // what the newest holds is at most every-1 batches behind the end, and it is the committed offset
      const newest = newestK[1]!.nextOffset;
      expect(newest).toBeLessThanOrEqual(ends.get(p)!);
      expect(newest).toBeGreaterThanOrEqual(ends.get(p)! - (every - 1) * cap);
      expect(committed.get(p)).toBe(newest);
    }
    // a clean stop checkpoints and commits everything taken in
    await q.query.stop();
    const after = await kafka.committed(group, topic);
    for (const [p, end] of ends) {
      expect(readCheckpoints(dir, `${topic}-${p}`).good.at(-1)!.nextOffset).toBe(end);
      expect(after.get(p)).toBe(end);
    }
  });

  it('writes checkpoints every checkpoint_interval, and commits only offsets a checkpoint holds', async () => {
    const topic = await kafka.topic('eddy-chk-interval', 2);
    const events = keyedStream({ seed: 22, keys: 4, events: 1500, partitions: 2, stepMs: 300 });
    const dir = checkpointDir();
    const group = kafka.group('eddy-chk-interval');
    const intervalMs = 300;
    const q = start(
      kafkaPipeline({
        topics: [topic],
        group,
        checkpointDir: dir,
        processing: { max_offsets_per_trigger: 25, checkpoint_interval: `${intervalMs} ms`, checkpoint_keep: 1000 },
      }),
    );
    // produce in 30 waves over ~3 s; meanwhile compare the committed offsets with the checkpoints
    let producing = true;
    const checks: string[] = [];
    let commitsSeen = 0;
    const watcher = (async () => {
      while (producing) {
        const committed = await kafka.committed(group, topic);
        for (const [p, offset] of committed) {
          if (offset < 0) continue;
          commitsSeen++;
          const held = readCheckpoints(dir, `${topic}-${p}`).good.map((c) => c.nextOffset);
          if (!held.includes(offset)) checks.push(`partition ${p}: committed ${offset}, checkpoints hold ${held.join(',')}`);
        }
        await sleep(40);
      }
    })();
    const messages = eventMessages(events);
    for (let i = 0; i < messages.length; i += 50) {
      await kafka.produce(topic, messages.slice(i, i + 50));
      await sleep(100);
    }
    await q.waitForRows(events.length);
    producing = false;
    await watcher;
    expect(checks).toEqual([]);
    expect(commitsSeen).toBeGreaterThan(0);
    for (const p of [0, 1]) {
      const { good } = readCheckpoints(dir, `${topic}-${p}`);
      expect(good.length, `checkpoints of partition ${p} over ~3 s`).toBeGreaterThanOrEqual(3);
      // never two of a partition closer than the interval (created is wall-clock ms; allow clock granularity)
      for (let i = 1; i < good.length; i++) expect(good[i]!.created - good[i - 1]!.created).toBeGreaterThanOrEqual(intervalMs - 5);
      // offsets only grow
      for (let i = 1; i < good.length; i++) expect(good[i]!.nextOffset).toBeGreaterThan(good[i - 1]!.nextOffset);
    }
    await q.query.stop();
  });

  // With only checkpoint_interval (no checkpoint_every_batches), a checkpoint is only considered when a
  // batch arrives: once input pauses, the partition's last events are never checkpointed nor committed
  // until more input comes or the query stops (a crash then replays them; consumer lag never reaches 0).
  it('checkpoints and commits a partition whose input has paused once the interval has passed', async () => {
    const topic = await kafka.topic('eddy-chk-idle', 1);
    const events = keyedStream({ seed: 23, keys: 3, events: 300, partitions: 1, stepMs: 300 });
    const dir = checkpointDir();
    const group = kafka.group('eddy-chk-idle');
    const q = start(kafkaPipeline({ topics: [topic], group, checkpointDir: dir, processing: { checkpoint_interval: '500 ms' } }));
    await kafka.produce(topic, eventMessages(events));
    await q.waitForRows(events.length);
    const end = (await kafka.endOffsets(topic)).get(0)!;
    let committed: number | undefined;
    await waitFor(
      `committed offset ${end} within 3 s of the last batch`,
      async () => {
        committed = (await kafka.committed(group, topic)).get(0);
        return committed === end;
      },
      3_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}: committed ${committed}, checkpoints ${JSON.stringify(readCheckpoints(dir, `${topic}-0`).good.map((c) => c.nextOffset))}`);
    });
    expect(readCheckpoints(dir, `${topic}-0`).good.at(-1)?.nextOffset).toBe(end);
    await q.query.stop();
  });

  it('restarts from the previous checkpoint when the newest is corrupt; results complete and duplicate-free by id', async () => {
    const partitions = 2;
    const topic = await kafka.topic('eddy-chk-corrupt', partitions);
    const events = keyedStream({ seed: 24, keys: 6, events: 1200, partitions, stepMs: 1000, jitterMs: 800 });
    const messages = eventMessages(events);
    const dir = checkpointDir();
    const group = kafka.group('eddy-chk-corrupt');
    const doc = kafkaPipeline({
      topics: [topic],
      group,
      checkpointDir: dir,
      processing: { max_offsets_per_trigger: 50, checkpoint_every_batches: 1, checkpoint_keep: 3 },
    });
    // run 1: two waves, then a clean stop (no flush: open windows stay in the checkpoint)
    const run1 = start(doc);
    await kafka.produce(topic, messages.slice(0, 400));
    await run1.waitForRows(400);
    await kafka.produce(topic, messages.slice(400, 800));
    await run1.waitForRows(800);
    await run1.query.stop();
    const scope = `${topic}-0`;
    const before = readCheckpoints(dir, scope).good;
    expect(before.length).toBeGreaterThanOrEqual(2);
    const newest = before.at(-1)!;
    const previous = before.at(-2)!;
    expect(previous.nextOffset).toBeLessThan(newest.nextOffset);
    expect((await kafka.committed(group, topic)).get(0)).toBe(newest.nextOffset);
    const p1Held = readCheckpoints(dir, `${topic}-1`).good.at(-1)!.nextOffset;
    corruptCheckpoint(newest.path);
    // run 2: restores partition 0 from the previous checkpoint, reads on; a third wave arrives
    const run2 = start(doc);
    // ... ending with one event far ahead per partition, which closes every window of the stream (a topic has no end)
    const closer = JSON.stringify({ timestamp: '2030-01-01T00:00:00.000Z', metric: 'zz-closer', value: 0 });
    await kafka.produce(topic, [...messages.slice(800), ...Array.from({ length: partitions }, (_, partition) => ({ partition, value: closer }))]);
    await waitFor('the group to commit every offset', () => kafka.caughtUp(group, topic), 30_000, 100);
    await run2.query.stop();
    expect(run2.query.exception).toBeNull();
    expect(run2.logs.some((l) => l.includes(newest.path) && l.includes('unusable'))).toBe(true);
    // the previous checkpoint, whole: a full one or a chain of changes after one
    const restoredLine = `${scope}: restored checkpoint ${previous.seq}`;
    expect(run2.logs.filter((l) => l.startsWith(restoredLine) && l.endsWith(`(next offset ${previous.nextOffset})`)).length, run2.logs.join('\n')).toBe(1);
    // run 2 took in exactly what follows the checkpoints it restored: partition 0 from the previous one
    // (Kafka's committed offset is the corrupt one's, so it sought back), partition 1 from its newest
    const ends = await kafka.endOffsets(topic);
    expect(run2.inputRows()).toBe(ends.get(0)! - previous.nextOffset + ends.get(1)! - p1Held);
    // union of both runs, deduplicated by id (key + window): copies are identical, the set is the full answer
    const merged = new Map<string, ResultRecord>();
    for (const r of [...run1.results, ...run2.results]) {
      const key = `${String(r.metric)}|${(r.window as { start: string }).start}`;
      const seen = merged.get(key);
      if (seen) expect(r, `copies of window ${key}`).toEqual(seen);
      else merged.set(key, r);
    }
    windowsByKey(run1.results);
    windowsByKey(run2.results);
    const expected = expectedWindows(events);
    expect([...merged.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [k, w] of expected) {
      expect(merged.get(k)!.count, k).toBe(w.count);
      expect(merged.get(k)!.sum_value as number, k).toBeCloseTo(w.sum, 9);
    }
  });

  // A topic has no end: stop({ flush: true }) is refused for Kafka (logged), open windows stay in the
  // checkpoint and close after the restart, so every window is emitted once, complete, under its id.
  it('stop({ flush: true }) keeps open windows in the checkpoint: after a restart each window is emitted once, complete', async () => {
    const topic = await kafka.topic('eddy-chk-flush', 1);
    const events = keyedStream({ seed: 25, keys: 2, events: 400, partitions: 1, stepMs: 1000 });
    const messages = eventMessages(events);
    const dir = checkpointDir();
    const group = kafka.group('eddy-chk-flush');
    const doc = kafkaPipeline({ topics: [topic], group, checkpointDir: dir, processing: { checkpoint_every_batches: 1 } });
    const run1 = start(doc);
    await kafka.produce(topic, messages.slice(0, 190)); // stops in the middle of a minute
    await run1.waitForRows(190);
    await run1.query.stop({ flush: true });
    const run2 = start(doc);
    await kafka.produce(topic, messages.slice(190));
    await waitFor('the group to commit every offset', () => kafka.caughtUp(group, topic), 30_000, 100);
    await run2.query.stop({ flush: true });
    const first = windowsByKey(run1.results);
    const second = windowsByKey(run2.results);
    // no window in both runs (run 1 emitted only closed windows, run 2 only those it closed)
    expect([...first.keys()].filter((k) => second.has(k))).toEqual([]);
    const merged = new Map([...first, ...second]);
    const expected = expectedWindows(events);
    // run 2 stops without flushing too, so the windows still open at its end are not emitted: compare the closed ones
    expect(merged.size).toBeGreaterThan(0);
    for (const [k, w] of merged) {
      expect(expected.has(k), k).toBe(true);
      expect(w.count, k).toBe(expected.get(k)!.count);
    }
    // the windows open at run 1's stop were emitted by run 2, complete
    const openAtStop = [...expected.keys()].filter((k) => !first.has(k) && merged.has(k));
    expect(openAtStop.length).toBeGreaterThan(0);
  });
});
