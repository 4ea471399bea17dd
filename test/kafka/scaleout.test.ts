/**
 * Scale-out, end to end: three `eddy run` processes (CLI children) in one
 * consumer group share a checkpoint directory and write to one output topic
 * of a 6-partition input. Each owns some partitions (the group description
 * says which), and their outputs together, deduplicated by id, equal one
 * process's output over the same data. Then one is killed (SIGKILL) and the
 * second half of the input is produced: after the rebalance its partitions
 * resume in the other two from its last checkpoints, and the union of all
 * outputs is still complete and equal to the single process's.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { KafkaFixture, waitFor } from '../support/kafkaHarness.js';
import { dedupeById, diffById, eventMessages, keyedStream, kafkaPipeline } from '../support/kafkaStreams.js';
import { tempDir } from '../support/kafkaInProcess.js';
import { EddyProcess } from '../support/eddyProcess.js';
import { newestOffsets } from '../support/kafkaCheckpoints.js';

const kafka = new KafkaFixture();
const work = tempDir('eddy-kafka-scaleout-');
const processes: EddyProcess[] = [];

beforeAll(async () => {
  await kafka.connect();
});

afterAll(async () => {
  for (const p of processes) await p.kill9();
  await kafka.cleanup();
  work.cleanup();
});

/** The group once it is Stable with `members` members that together own each of `partitions` partitions of `topic` exactly once. */
async function stableGroup(group: string, topic: string, members: number, partitions: number, timeoutMs: number): Promise<Map<string, number[]>> {
  return waitFor(
    `group ${group} stable with ${members} members`,
    async () => {
      const g = await kafka.members(group);
      if (g.state !== 'Stable' || g.members.length !== members) return undefined;
      const owned = g.members.map((m) => m.partitions[topic] ?? []);
      const all = owned.flat().sort((a, b) => a - b);
      if (all.length !== partitions || new Set(all).size !== partitions || owned.some((o) => o.length === 0)) return undefined;
      return new Map(g.members.map((m) => [m.clientId, [...(m.partitions[topic] ?? [])].sort((a, b) => a - b)]));
    },
    timeoutMs,
    200,
  );
}

describe('scale-out (three eddy processes, one group)', () => {
  it('splits the partitions, matches a single process, and survives kill -9 of one member', async () => {
    const partitions = 6;
    const input = await kafka.topic('eddy-scale-in', partitions);
    const outGroup = await kafka.topic('eddy-scale-out-group', partitions);
    const outSingle = await kafka.topic('eddy-scale-out-single', partitions);
    const events = keyedStream({ seed: 41, keys: 36, events: 24_000, partitions, stepMs: 100, jitterMs: 1500 });
    const messages = eventMessages(events);
    const half = messages.length / 2;

    const processing = { max_offsets_per_trigger: 200, checkpoint_every_batches: 1, checkpoint_keep: 3 };
    const group = kafka.group('eddy-scale-group');
    const single = kafka.group('eddy-scale-single');
    const sharedDir = work.path('chk-shared');
    const memberConfigs = ['a', 'b', 'c'].map((m) => {
      const path = work.path(`member-${m}.json`);
      // one config but for client.id, which names the member in the group description
      writeFileSync(
        path,
        JSON.stringify(
          kafkaPipeline({
            name: 'scaleout',
            topics: [input],
            group,
            output: outGroup,
            checkpointDir: sharedDir,
            processing,
            source: { 'client.id': `eddy-member-${m}` },
          }),
        ),
      );
      return path;
    });
    const singleConfig = work.path('single.json');
    writeFileSync(
      singleConfig,
      JSON.stringify(
        kafkaPipeline({ name: 'scaleout', topics: [input], group: single, output: outSingle, checkpointDir: work.path('chk-single'), processing }),
      ),
    );

    // first half of the input, then three members and, alongside, the single process
    await kafka.produce(input, messages.slice(0, half), 4000);
    const members = memberConfigs.map((path, i) => new EddyProcess(path, `member-${'abc'[i]}`));
    processes.push(...members);
    const alone = new EddyProcess(singleConfig, 'single');
    processes.push(alone);

    const assignment = await stableGroup(group, input, 3, partitions, 60_000);
    expect([...assignment.keys()].sort()).toEqual(['eddy-member-a', 'eddy-member-b', 'eddy-member-c']);
    for (const owned of assignment.values()) expect(owned.length).toBe(2);

    await Promise.all([kafka.settle(group, input, outGroup, 60_000), kafka.settle(single, input, outSingle, 60_000)]);
    // every partition has its own checkpoints in the shared directory
    const heldAtHalf = newestOffsets(sharedDir);
    const endsAtHalf = await kafka.endOffsets(input);
    expect([...heldAtHalf.keys()].sort()).toEqual([...endsAtHalf.keys()].map((p) => `${input}-${p}`).sort());
    for (const [p, end] of endsAtHalf) expect(heldAtHalf.get(`${input}-${p}`)).toBe(end);
    // the members' outputs together = the single process's
    const [groupHalf, singleHalf] = await Promise.all([kafka.readAll(outGroup), kafka.readAll(outSingle)]);
    const g1 = dedupeById(groupHalf);
    const s1 = dedupeById(singleHalf);
    expect(s1.byId.size).toBeGreaterThan(500);
    expect(g1.conflicts).toEqual([]);
    expect(diffById(g1.byId, s1.byId)).toEqual({ missing: [], extra: [], different: [] });
    const duplicatesBeforeKill = g1.duplicates;

    // kill -9 member b, then the second half arrives
    const victim = members[1]!;
    const victimPartitions = assignment.get('eddy-member-b')!;
    const killedAt = Date.now();
    await victim.kill9();
    await kafka.produce(input, messages.slice(half), 4000);
    const after = await stableGroup(group, input, 2, partitions, 90_000);
    const rebalanceMs = Date.now() - killedAt;
    expect([...after.keys()].sort()).toEqual(['eddy-member-a', 'eddy-member-c']);
    await Promise.all([kafka.settle(group, input, outGroup, 90_000), kafka.settle(single, input, outSingle, 60_000)]);

    // b's partitions were restored by the survivors from b's last checkpoints
    const restored = members.filter((m) => m !== victim).flatMap((m) => m.restored());
    for (const p of victimPartitions) {
      const scope = `${input}-${p}`;
      const r = restored.filter((x) => x.scope === scope);
      expect(r.length, `${scope} restored by a survivor`).toBeGreaterThan(0);
      expect(r.at(-1)!.nextOffset).toBe(heldAtHalf.get(scope));
    }

    const [groupAll, singleAll] = await Promise.all([kafka.readAll(outGroup), kafka.readAll(outSingle)]);
    const g2 = dedupeById(groupAll);
    const s2 = dedupeById(singleAll);
    console.log(
      `scaleout: ${JSON.stringify({ assignment: Object.fromEntries(assignment), after: Object.fromEntries(after), rebalanceMs, windows: s2.byId.size, groupMessages: g2.total, duplicatesBeforeKill, duplicates: g2.duplicates })}`,
    );
    expect(s2.duplicates).toBe(0);
    expect(g2.conflicts).toEqual([]);
    expect(s2.byId.size).toBeGreaterThan(s1.byId.size);
    expect(diffById(g2.byId, s2.byId)).toEqual({ missing: [], extra: [], different: [] });
    for (const p of processes) expect(p.stderr, p.label).not.toMatch(/query failed|kafka error/);
    // the survivors stop cleanly on SIGTERM
    expect(await Promise.all(processes.filter((p) => p.running).map((p) => p.stop()))).toEqual([0, 1, 2].map(() => ({ code: 0, signal: null })));
  }, 200_000);
});
