/**
 * Helpers for tests against the real Kafka broker (scripts/kafka.sh, started
 * by the vitest global setup): unique topic and group names (another agent
 * may use the same broker), topic creation and deletion, producing, reading
 * a whole topic back, end and committed offsets, consumer-group descriptions.
 */
import { AssignerProtocol, Kafka, logLevel, type Admin, type Message, type Producer } from 'kafkajs';
import { randomBytes } from 'node:crypto';

/** The test broker. */
export const BROKER = `127.0.0.1:${process.env.EDDY_KAFKA_PORT ?? '9092'}`;

/** A name no other run uses: `prefix-<time>-<random>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs` with `what`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A quiet kafkajs client for the test broker. */
export function testKafka(clientId = 'eddy-test'): Kafka {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  return new Kafka({ clientId, brokers: [BROKER], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } });
}

/** A message read back from a topic. */
export interface ReadMessage {
  partition: number;
  offset: number;
  key: string | null;
  value: string;
  timestamp: number;
  headers: Record<string, string>;
}

/** Per-partition offsets, partition → offset. */
export type Offsets = Map<number, number>;

/**
 * One test file's view of the broker: creates topics and remembers them (and
 * the groups it was told about) so `cleanup()` deletes them.
 */
export class KafkaFixture {
  readonly kafka = testKafka();
  readonly admin: Admin = this.kafka.admin();
  private producer: Promise<Producer> | undefined;
  private readonly topics = new Set<string>();
  private readonly groups = new Set<string>();

  async connect(): Promise<void> {
    await this.admin.connect();
  }

  /** Creates a topic with a unique name from `prefix`; deleted by cleanup(). */
  async topic(prefix: string, partitions: number): Promise<string> {
    const name = uniqueName(prefix);
    await this.admin.createTopics({ topics: [{ topic: name, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
    this.topics.add(name);
    // metadata settles before producers and consumers see every partition
    await waitFor(
      `topic ${name} metadata`,
      async () => {
        const md = await this.admin.fetchTopicMetadata({ topics: [name] });
        return md.topics[0]?.partitions.length === partitions && md.topics[0].partitions.every((p) => p.leader >= 0);
      },
      15_000,
    );
    return name;
  }

  /** A unique group id, deleted (when empty) by cleanup(). */
  group(prefix: string): string {
    const name = uniqueName(prefix);
    this.groups.add(name);
    return name;
  }

  /** Sends messages (in order, in sends of `chunk`), acks = all. */
  async produce(topic: string, messages: Message[], chunk = 2000): Promise<void> {
    this.producer ??= (async () => {
      const p = this.kafka.producer({ allowAutoTopicCreation: false });
      await p.connect();
      return p;
    })();
    const producer = await this.producer;
    for (let i = 0; i < messages.length; i += chunk) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + chunk) });
    }
  }

  /** The end offset (high watermark) of every partition. */
  async endOffsets(topic: string): Promise<Offsets> {
    const offsets = await this.admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  }

  /**
   * The group's committed offset of every partition of `topic` (-1: none).
   * Retries while the broker answers with a retriable error (the group's
   * coordinator moving or still loading, as after a member was killed).
   */
  async committed(groupId: string, topic: string): Promise<Offsets> {
    for (let attempt = 1; ; attempt++) {
      try {
        const [entry] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
        return new Map((entry?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      } catch (e) {
        if (!(e as { retriable?: boolean }).retriable || attempt >= 20) throw e;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  /**
   * Waits until the group has committed every offset of `input` and the end
   * offsets of `output` have stayed put for 1.5 s (the last results written).
   * `alive` is called on every poll and may throw (a process that died).
   */
  async settle(group: string, input: string, output: string, timeoutMs: number, alive: () => void = () => undefined): Promise<void> {
    await waitFor(
      `group ${group} to commit every offset of ${input}`,
      () => {
        alive();
        return this.caughtUp(group, input);
      },
      timeoutMs,
      200,
    );
    let last = '';
    let since = Date.now();
    await waitFor(
      `output ${output} to stop changing`,
      async () => {
        const now = JSON.stringify([...(await this.endOffsets(output))]);
        if (now !== last) {
          last = now;
          since = Date.now();
        }
        return Date.now() - since >= 1500;
      },
      30_000,
      250,
    );
  }

  /** Whether the group's committed offsets have reached the end of every partition of `topic`. */
  async caughtUp(groupId: string, topic: string): Promise<boolean> {
    const [end, done] = await Promise.all([this.endOffsets(topic), this.committed(groupId, topic)]);
    return [...end].every(([p, high]) => (done.get(p) ?? -1) >= high);
  }

  /** The group's members with the partitions of `topic` each owns (decoded assignments), and its state. */
  async members(groupId: string): Promise<{ state: string; members: { clientId: string; memberId: string; partitions: Record<string, number[]> }[] }> {
    const { groups } = await this.admin.describeGroups([groupId]);
    const g = groups[0];
    if (!g) return { state: 'Unknown', members: [] };
    return {
      state: g.state,
      members: g.members.map((m) => ({
        clientId: m.clientId,
        memberId: m.memberId,
        partitions: m.memberAssignment.length === 0 ? {} : (AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {}),
      })),
    };
  }

  /**
   * Every message of `topic` up to its current end offsets, read by a
   * throw-away consumer group, in partition then offset order.
   */
  async readAll(topic: string, timeoutMs = 30_000): Promise<ReadMessage[]> {
    const end = await this.endOffsets(topic);
    const total = [...end.values()].reduce((a, b) => a + b, 0);
    if (total === 0) return [];
    const groupId = this.group('eddy-test-reader');
    const consumer = this.kafka.consumer({ groupId, maxBytesPerPartition: 8 << 20, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 100 });
    const out: ReadMessage[] = [];
    const reached = new Map<number, number>();
    const done = (): boolean => [...end].every(([p, high]) => (reached.get(p) ?? 0) >= high);
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachBatch: async ({ batch }) => {
          const high = end.get(batch.partition) ?? 0;
          for (const m of batch.messages) {
            const offset = Number(m.offset);
            if (offset >= high) break;
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(m.headers ?? {})) if (v !== undefined) headers[k] = v.toString();
            out.push({
              partition: batch.partition,
              offset,
              key: m.key === null ? null : m.key.toString(),
              value: m.value?.toString() ?? '',
              timestamp: Number(m.timestamp),
              headers,
            });
            reached.set(batch.partition, offset + 1);
          }
        },
      });
      await waitFor(`reading ${total} messages of ${topic}`, () => done(), timeoutMs, 50);
    } finally {
      await consumer.disconnect();
    }
    return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  }

  /** Deletes the topics this fixture created and the (empty) groups it named; disconnects. */
  async cleanup(): Promise<void> {
    if (this.producer) await (await this.producer).disconnect().catch(() => undefined);
    if (this.topics.size > 0) await this.admin.deleteTopics({ topics: [...this.topics], timeout: 15_000 }).catch(() => undefined);
    if (this.groups.size > 0) await this.admin.deleteGroups([...this.groups]).catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
  }
}
