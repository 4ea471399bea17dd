/**
 * A sink that writes records to a Kafka topic: one message per record, the
 * group key as message key (so one key's results stay in order on one
 * partition), the record as JSON with a deterministic `id`, its kind in the
 * `eddy-kind` header. Sent with acks = all by an idempotent producer.
 *
 * Delivery: at least once. After a crash eddy resumes from its last
 * checkpoint and may emit again what it emitted after that checkpoint —
 * with the same ids (window results are the same key, window and kind), so a
 * consumer drops duplicates by `id`.
 */
import type { KafkaSecurity } from './kafkaSecurity.js';
import type { Producer } from 'kafkajs';
import type { OutputSchema, ResultRecord, Sink } from '../engine/sink.js';
import { kafkaClient } from './kafkaClient.js';

/** Options of {@link kafkaSink}. */
export interface KafkaSinkOptions {
  brokers: string[];
  topic: string;
  clientId?: string;
  log?: (line: string) => void;
  /** TLS / SASL (none: PLAINTEXT). */
  security?: KafkaSecurity;
}

/** Separates the parts of an id and of a message key. */
const SEP = '|';

/** The deterministic id of a record of a kind, given its schema. */
export function recordId(record: ResultRecord, schema: OutputSchema): string {
  const keys = schema.keyColumns ?? [];
  switch (schema.kind) {
    case 'windows': {
      const window = record.window as { start: string; end: string };
      return windowId(keys, window.start, window.end, (c) => record[c]);
    }
    case 'matches':
      return ['match', String(record.pattern), ...schema.columns.slice(1, -3).map((c) => String(record[c])), String(record.start), String(record.end)].join(
        SEP,
      );
    default:
      // late events, scored events, errors: the record itself is its identity
      return `${schema.kind}${SEP}${JSON.stringify(record)}`;
  }
}

/** The id of a window result: its id columns (window bounds and grouping columns) joined, then 'window'. */
function windowId(idColumns: readonly string[], start: string, end: string, cellOf: (column: string) => unknown): string {
  return [...idColumns.map((c) => (c === 'window_start' ? start : c === 'window_end' ? end : String(cellOf(c)))), 'window'].join(SEP);
}

/** The grouping columns of a kind's records, which make the message key (none for late and scored events, errors). */
function groupColumns(schema: OutputSchema): string[] {
  if (schema.kind === 'windows') return (schema.keyColumns ?? []).filter((c) => c !== 'window_start' && c !== 'window_end');
  return schema.kind === 'matches' ? schema.columns.slice(1, -3) : [];
}

/** The message key: the group key of window results and matches (none for other records). */
function messageKey(columns: readonly string[], cellOf: (column: string) => unknown): string | null {
  return columns.length === 0 ? null : columns.map((c) => String(cellOf(c))).join(SEP);
}

/** Creates a Kafka sink. */
export function kafkaSink(options: KafkaSinkOptions): Sink {
  let producer: Producer | undefined;
  let schema: OutputSchema | undefined;
  return {
    description: `kafka:${options.topic}`,
    async open(s) {
      schema = s;
      if (producer) return;
      producer = (await kafkaClient(options.brokers, options.clientId ?? 'eddy-sink', options.log, options.security)).producer({
        idempotent: true,
        maxInFlightRequests: 1,
      });
      await producer.connect();
    },
    async write(records) {
      if (!producer || !schema) throw new Error(`kafka sink ${options.topic}: write before open`);
      const s = schema;
      await producer.send({
        topic: options.topic,
        acks: -1,
        messages: records.map((r) => ({
          key: messageKey(groupColumns(s), (c) => r[c]),
          value: JSON.stringify({ id: recordId(r, s), ...r }),
          headers: { 'eddy-kind': s.kind },
        })),
      });
    },
    async writeBatch(batch) {
      if (!producer || !schema) throw new Error(`kafka sink ${options.topic}: write before open`);
      const s = schema;
      // a record with its own 'id' field would replace the id: such batches go through records
      if (s.columns.includes('id') || (s.kind === 'windows' && !batch.windowAt) || s.kind === 'matches') {
        await this.write(batch.records());
        return;
      }
      const lines = batch.jsonLines();
      const messages = new Array<{ key: string | null; value: string; headers: Record<string, string> }>(lines.length);
      const columns = groupColumns(s);
      for (let r = 0; r < lines.length; r++) {
        const line = lines[r]!;
        let id: string;
        let key: string | null = null;
        if (s.kind === 'windows') {
          // a window batch's grouping values come in the order of its grouping columns
          const w = batch.windowAt!(r);
          const cellOf = (c: string): unknown => w.values[columns.indexOf(c)];
          id = windowId(s.keyColumns ?? [], w.start, w.end, cellOf);
          key = messageKey(columns, cellOf);
        } else {
          // as recordId: the record's JSON is its identity
          id = `${s.kind}${SEP}${line}`;
        }
        // {"id":…, then the record's own fields, as JSON.stringify({ id, ...record })
        messages[r] = { key, value: `{"id":${JSON.stringify(id)}${line === '{}' ? '}' : `,${line.slice(1)}`}`, headers: { 'eddy-kind': s.kind } };
      }
      await producer.send({ topic: options.topic, acks: -1, messages });
    },
    flush() {
      // send() resolves once every in-sync replica has the messages
    },
    async close() {
      await producer?.disconnect();
      producer = undefined;
    },
  };
}
