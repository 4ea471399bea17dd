/**
 * Kafka message values → rows. A value holds one JSON object, a JSON array
 * of objects, or NDJSON (one object per line) — so producers may batch
 * events into messages. Optionally the message key fills the first grouping
 * column and the message timestamp the event time. A value that cannot be
 * read is an InputError with its topic-partition and offset; it never stops
 * consumption.
 */
import type { KafkaMessage } from 'kafkajs';
import type { Row } from '../sources/source.js';
import { clipRaw, type InputError } from '../engine/inputError.js';

/** How rows are taken from messages. */
export interface MessageRowOptions {
  timeColumn: string;
  /** The first grouping column (filled from the message key when keyFromMessage). */
  keyColumn: string | undefined;
  keyFromMessage: boolean;
  timeFromMessage: boolean;
}

/**
 * Where each row came from, parallel to the rows: the message offset and the
 * row's 1-based place in its message, so that a row the engine rejects later
 * (missing field, bad type) is reported by offset, like a message that is
 * not JSON, and two identical bad messages stay two dead letters.
 */
export interface RowOrigins {
  offsets: number[];
  items: number[];
}

/** Appends the rows of one message to `rows` (and their origins), or its problem to `errors`. */
export function messageRows(message: KafkaMessage, source: string, o: MessageRowOptions, rows: Row[], errors: InputError[], origins?: RowOrigins): void {
  const offset = Number(message.offset);
  const text = message.value === null ? '' : message.value.toString('utf8');
  const fail = (reason: string): void => { errors.push({ source, offset, kind: 'malformed', reason, raw: clipRaw(text) }); };
  const trimmed = text.trimStart();
  let items: unknown[];
  try {
    if (trimmed === '') return fail('empty message value');
    if (trimmed[0] === '[') {
      const doc = JSON.parse(text) as unknown;
      items = Array.isArray(doc) ? doc : [doc];
    } else if (text.includes('\n')) {
      try {
        items = [];
        // one pass, no intermediate arrays of lines
        for (let from = 0; from < text.length;) {
          let end = text.indexOf('\n', from);
          if (end === -1) end = text.length;
          const line = text.slice(from, end);
          from = end + 1;
          if (line.trim() !== '') items.push(JSON.parse(line) as unknown);
        }
      } catch (ndjsonError) {
        // not NDJSON: one JSON object written over several lines (pretty-printed)?
        try {
          items = [JSON.parse(text) as unknown];
        } catch {
          throw ndjsonError;
        }
      }
    } else {
      items = [JSON.parse(text) as unknown];
    }
  } catch (e) {
    return fail(`not valid JSON: ${String((e as Error).message).slice(0, 120)}`);
  }
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      if (items.length > 1) errors.push({ source, offset, line: index + 1, kind: 'malformed', reason: `event ${index + 1} of the message: expected a JSON object`, raw: clipRaw(text) });
      else fail('expected JSON objects');
      continue;
    }
    const row = item as Row;
    if (o.keyFromMessage && o.keyColumn !== undefined && message.key !== null) row[o.keyColumn] = message.key.toString('utf8');
    if (o.timeFromMessage) row[o.timeColumn] = Number(message.timestamp);
    rows.push(row);
    if (origins) {
      origins.offsets.push(offset);
      origins.items.push(index + 1);
    }
  }
}
