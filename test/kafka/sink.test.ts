/**
 * The Kafka sink against the real broker: a batch written from the core's
 * columns (writeBatch) gives exactly the messages its records give through
 * write() — values (the record with its deterministic id first), keys and
 * the kind header — for window results, late events and scored events.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { KafkaFixture, BROKER } from '../support/kafkaHarness.js';
import { kafkaSink } from '../../src/kafka/kafkaSink.js';
import { loadCore } from '../../src/node/loadCore.js';
import { BatchEngine } from '../../src/engine/batchEngine.js';
import { parsePipelineConfig } from '../../src/config/pipelineConfig.js';
import { eventSchema, lateSchema, windowSchema } from '../../src/engine/records.js';
import type { OutputBatch, OutputSchema } from '../../src/engine/sink.js';

const kafka = new KafkaFixture();
beforeAll(async () => {
  await kafka.connect();
});
afterAll(async () => {
  await kafka.cleanup();
});

const T0 = Date.UTC(2024, 0, 1);

/** The messages of `batch` written once from its columns and once from its records. */
async function bothWays(batch: OutputBatch, schema: OutputSchema): Promise<[unknown[], unknown[]]> {
  const out: unknown[][] = [];
  for (const columns of [true, false]) {
    const topic = await kafka.topic('eddy-sink', 1);
    const sink = kafkaSink({ brokers: [BROKER], topic });
    await sink.open(schema);
    if (columns) await sink.writeBatch!(batch);
    else await sink.write(batch.records());
    await sink.close();
    out.push((await kafka.readAll(topic)).map((m) => ({ key: m.key, value: m.value, headers: m.headers })));
  }
  return [out[0]!, out[1]!];
}

describe('Kafka sink from columns', () => {
  it('writes the same messages as from records', async () => {
    const plan = parsePipelineConfig({
      timestamp_column: 'ts',
      value_column: 'v',
      grouping_columns: ['metric', 'host'],
      processing: { window_size: '1 minute', watermark_delay: '5 seconds', aggregations: ['count', 'avg'], anomalies: { rows: 4, threshold: 1 } },
      source: { type: 'stdin' },
      sink: { type: 'console' },
    });
    const rows = Array.from({ length: 400 }, (_, i) => ({
      ts: T0 + i * 1000 - (i % 50 === 7 ? 120_000 : 0),
      v: i % 13,
      metric: `m"${i % 3}`,
      host: i % 2 === 0 ? 'a' : 7,
    }));
    const windows = new BatchEngine(plan, loadCore(), 'test', true).processBatch({ rows, errors: [] });
    expect(windows.windowBatch.count).toBeGreaterThan(10);
    expect(windows.lateBatch.count).toBeGreaterThan(0);
    const eventsPlan = { ...plan, kind: 'events' as const, aggregates: [] };
    const events = new BatchEngine(eventsPlan, loadCore(), 'test', false).processBatch({ rows, errors: [] });
    for (const [batch, schema] of [
      [windows.windowBatch, windowSchema(plan)],
      [windows.lateBatch, lateSchema(plan)],
      [events.eventBatch, eventSchema(eventsPlan)],
    ] as const) {
      const [fromColumns, fromRecords] = await bothWays(batch, schema);
      expect(fromColumns.length).toBe(batch.count);
      expect(fromColumns).toEqual(fromRecords);
    }
  });
});
