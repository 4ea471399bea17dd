/**
 * Crash recovery, end to end: `eddy run` (the CLI, a child process) reads a
 * 4-partition topic (60k events over 50 keys, partitioned by key, times
 * increasing with jitter so windows close as the stream advances) into an
 * output topic, checkpointing every engine batch (of at most 100 messages).
 * It is killed with SIGKILL at random moments (fixed seed) and restarted
 * each time, then left to run
 * until the group has committed every input offset and the output stops
 * growing. Its output, deduplicated by `id`, must equal — exactly — the
 * output of one uninterrupted run of the same config over the same input
 * (run alongside: its own output topic, group and checkpoint directory).
 *
 * A killed member stays in the group until its session times out (30 s, set
 * by eddy), so each restart waits that long for the rebalance: the kills
 * dominate this test's run time, which is why there are 3 of them.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { KafkaFixture, sleep, waitFor } from '../support/kafkaHarness.js';
import { dedupeById, diffById, eventMessages, keyedStream, kafkaPipeline } from '../support/kafkaStreams.js';
import { tempDir } from '../support/kafkaInProcess.js';
import { EddyProcess } from '../support/eddyProcess.js';
import { newestOffsets } from '../support/kafkaCheckpoints.js';
import { mulberry32 } from '../support/prng.js';

const kafka = new KafkaFixture();
const work = tempDir('eddy-kafka-recovery-');
const processes: EddyProcess[] = [];
const KILLS = 3;

beforeAll(async () => {
  await kafka.connect();
});

afterAll(async () => {
  for (const p of processes) await p.kill9();
  await kafka.cleanup();
  work.cleanup();
});

function spawnEddy(configPath: string, label: string): EddyProcess {
  const p = new EddyProcess(configPath, label);
  processes.push(p);
  return p;
}

/** Sum of the group's committed offsets over the topic's partitions (-1 counts as 0). */
async function committedTotal(group: string, topic: string): Promise<number> {
  return [...(await kafka.committed(group, topic)).values()].reduce((a, o) => a + Math.max(0, o), 0);
}

describe('crash recovery (eddy run, kill -9, restart)', () => {
  it(`after ${KILLS} kills at random moments, the output deduplicated by id equals an uninterrupted run, exactly`, async () => {
    const partitions = 4;
    const input = await kafka.topic('eddy-rec-in', partitions);
    const outCrash = await kafka.topic('eddy-rec-out-crash', partitions);
    const outClean = await kafka.topic('eddy-rec-out-clean', partitions);
    const events = keyedStream({ seed: 31, keys: 50, events: 60_000, partitions, stepMs: 100, jitterMs: 1500 });
    await kafka.produce(input, eventMessages(events), 5000);
    const ends = await kafka.endOffsets(input);
    expect([...ends.values()].reduce((a, b) => a + b, 0)).toBe(events.length);

    const processing = { max_offsets_per_trigger: 100, checkpoint_every_batches: 1, checkpoint_keep: 3, watermark_delay: '5 seconds' };
    const crashGroup = kafka.group('eddy-rec-crash');
    const cleanGroup = kafka.group('eddy-rec-clean');
    const crashDir = work.path('chk-crash');
    const crashConfig = work.path('crash.json');
    const cleanConfig = work.path('clean.json');
    writeFileSync(
      crashConfig,
      JSON.stringify(kafkaPipeline({ name: 'recovery', topics: [input], group: crashGroup, output: outCrash, checkpointDir: crashDir, processing })),
    );
    writeFileSync(
      cleanConfig,
      JSON.stringify(
        kafkaPipeline({ name: 'recovery', topics: [input], group: cleanGroup, output: outClean, checkpointDir: work.path('chk-clean'), processing }),
      ),
    );

    // the uninterrupted run, alongside
    const clean = spawnEddy(cleanConfig, 'clean');
    const cleanCaughtUp = waitFor('the uninterrupted run to commit every offset', () => kafka.caughtUp(cleanGroup, input), 200_000, 200).then(
      () => Date.now() - clean.startedAt,
    );

    const random = mulberry32(20240531);
    const kills: { afterMs: number; committedAtKill: number; waitedForGroupMs: number; held: Map<string, number> }[] = [];
    let crash = spawnEddy(crashConfig, 'crash-0');
    for (let k = 0; k < KILLS; k++) {
      // wait until this incarnation is consuming (the group's commits move), then a random moment later kill it
      const startedAt = Date.now();
      const base = await committedTotal(crashGroup, input);
      await waitFor(
        `crash run ${k} to make progress`,
        async () => {
          if (!crash.running) throw new Error(`eddy exited: ${crash.stderr}`);
          return (await committedTotal(crashGroup, input)) > base;
        },
        60_000,
        50,
      );
      const waitedForGroupMs = Date.now() - startedAt;
      const afterMs = Math.round(200 + random() * 3300);
      await sleep(afterMs);
      await crash.kill9();
      const committedAtKill = await committedTotal(crashGroup, input);
      // offsets are committed only up to what a checkpoint holds
      const committed = await kafka.committed(crashGroup, input);
      const held = newestOffsets(crashDir);
      for (const [p, offset] of committed) {
        if (offset >= 0) expect(offset, `partition ${p} committed vs its newest checkpoint`).toBeLessThanOrEqual(held.get(`${input}-${p}`) ?? -1);
      }
      kills.push({ afterMs, committedAtKill, waitedForGroupMs, held });
      crash = spawnEddy(crashConfig, `crash-${k + 1}`);
    }
    // the last incarnation runs to the end
    await kafka.settle(crashGroup, input, outCrash, 120_000, () => {
      if (!crash.running) throw new Error(`eddy exited early: ${crash.stderr}`);
    });
    await kafka.settle(cleanGroup, input, outClean, 60_000, () => {
      if (!clean.running) throw new Error(`eddy exited early: ${clean.stderr}`);
    });
    const cleanDoneMs = await cleanCaughtUp;
    // restarts restored partitions from their checkpoints (a partition is restored when its first batch arrives)
    const restores = processes.filter((x) => x.label.startsWith('crash-')).flatMap((x) => x.restored());
    expect(restores.length).toBeGreaterThan(0);
    // ... each from the newest checkpoint there was when the previous incarnation died
    for (let k = 1; k <= KILLS; k++) {
      const held = kills[k - 1]!.held;
      for (const r of processes.find((x) => x.label === `crash-${k}`)!.restored())
        expect(r.nextOffset, `crash-${k} restoring ${r.scope}`).toBe(held.get(r.scope));
    }
    expect(
      processes.every((x) => !/query failed|kafka error/.test(x.stderr)),
      processes.map((x) => x.stderr).join('\n'),
    ).toBe(true);
    expect(kills.every((k) => k.committedAtKill < events.length)).toBe(true);

    // a clean stop (SIGTERM) exits 0
    expect(await Promise.all([crash.stop(), clean.stop()])).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);

    const [crashOut, cleanOut] = await Promise.all([kafka.readAll(outCrash, 60_000), kafka.readAll(outClean, 60_000)]);
    const crashed = dedupeById(crashOut);
    const uninterrupted = dedupeById(cleanOut);
    console.log(
      `recovery: ${JSON.stringify({
        cleanRunMs: cleanDoneMs,
        restores: restores.length,
        windows: uninterrupted.byId.size,
        crashRunMessages: crashed.total,
        duplicates: crashed.duplicates,
        kills: kills.map((k) => ({ killedAfterMs: k.afterMs, groupReadyAfterMs: k.waitedForGroupMs, committedAtKill: k.committedAtKill })),
      })}`,
    );
    expect(uninterrupted.duplicates).toBe(0);
    expect(crashed.conflicts).toEqual([]);
    // windows closed as the stream advanced: thousands of them
    expect(uninterrupted.byId.size).toBeGreaterThan(4000);
    const diff = diffById(crashed.byId, uninterrupted.byId);
    expect(diff).toEqual({ missing: [], extra: [], different: [] });
    // each window once per key and minute, message key = the window's key
    for (const m of crashOut.slice(0, 50)) expect(m.key).toBe((JSON.parse(m.value) as { metric: string }).metric);
  }, 240_000);
});
