/**
 * NDJSON rows: one JSON object per line. Blank lines are skipped (editors
 * and `echo` leave them); anything else that is not a JSON object — invalid
 * JSON, or valid JSON of another type such as an array, a number or null —
 * is a rejected row with its line number.
 */
import { isBlank, type Line } from './lines.js';
import type { BatchBuilder } from './batchBuilder.js';
import type { Row } from './source.js';

/** Longest JSON.parse message kept in a reason (V8 quotes the input in it). */
const MAX_MESSAGE_CHARS = 120;

/** Turns NDJSON lines into rows. */
export class NdjsonParser {
  /** @param source the source description, for errors */
  constructor(private readonly source: string) {}

  /** Reads one line into the batch: a row, an error, or nothing (blank line). */
  accept(line: Line, batch: BatchBuilder): void {
    if (line.error !== undefined) {
      batch.addError(this.source, line.line, line.error, line.text);
      return;
    }
    const text = line.text;
    if (isBlank(text)) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      batch.addError(this.source, line.line, `not valid JSON: ${shortMessage(e)}`, text);
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      batch.addError(this.source, line.line, `expected a JSON object, got ${jsonType(value)}`, text);
      return;
    }
    batch.addRow(value as Row, line.line);
  }
}

/** Names a JSON value's type as a user would: 'an array', 'a number', 'null'. */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function shortMessage(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.length <= MAX_MESSAGE_CHARS ? message : `${message.slice(0, MAX_MESSAGE_CHARS)}…`;
}
