/**
 * The core scanners' reject records → InputErrors with today's reasons.
 * The core says where and which rule (assembly/scanConfig.ts REJECT_*);
 * the words live here and in fieldErrors.ts, once. Rejects are rare, so
 * this side may decode and re-parse the rejected row to word its reason.
 */
import {
  JSON_ARRAY,
  JSON_BOOLEAN,
  JSON_NULL,
  JSON_NUMBER,
  JSON_STRING,
  REJECT_FIELD,
  REJECT_LINE_TOO_LONG,
  REJECT_NOT_OBJECT,
  REJECT_SYNTAX,
  REJECT_ELEMENT_NOT_OBJECT,
  REJECT_EMPTY_MESSAGE,
  R_ITEM,
  REJECT_CSV_CELLS,
  REJECT_CSV_UNTERMINATED,
  REJECT_CSV_AFTER_QUOTE,
  R_AT,
  R_CODE,
  R_DETAIL,
  R_ROW,
  R_ROW_END,
  R_ROW_START,
  SLOT_KEY0,
  SLOT_TIME,
  SLOT_VALUE,
  SYNTAX_CONTROL,
  SYNTAX_END,
  SYNTAX_ESCAPE,
  SYNTAX_UTF8,
} from '../core/exports.js';
import { clipRaw, MAX_RAW_CHARS, type InputError } from './inputError.js';
import { keyError, timeError, valueError, type FieldError } from './fieldErrors.js';
import { epochToMs, parseTimestamp } from './timestamp.js';
import type { QueryPlan } from './plan.js';
import type { CoreScanner } from '../core/coreScanner.js';
import { cellCountReason, csvRow, splitCsvLine } from './csvText.js';

const decoder = new TextDecoder();
/** Bytes decoded for a raw excerpt: enough for MAX_RAW_CHARS characters of up to 4 bytes. */
const HEAD_BYTES = MAX_RAW_CHARS * 4;

/** What a JSON value that is not an object is called in a reason. */
const JSON_KIND_NAMES: Record<number, string> = {
  [JSON_ARRAY]: 'an array',
  [JSON_STRING]: 'a string',
  [JSON_NUMBER]: 'a number',
  [JSON_BOOLEAN]: 'a boolean',
  [JSON_NULL]: 'null',
};

/** The reason text of an NDJSON line that is not an object. */
export function notObjectReason(kind: number): string {
  return `expected a JSON object, got ${JSON_KIND_NAMES[kind] ?? 'another value'}`;
}

/** The reason text of an element of a JSON array that is not an object. */
export function elementNotObjectReason(item: number): string {
  return `element ${item} is not a JSON object`;
}

/** The reason text of a Kafka message whose value is empty (or whitespace only). */
export const EMPTY_MESSAGE_REASON = 'empty message value';

/** The reason text of a line over the limit (in bytes, or in characters: UTF-16 code units). */
export function lineTooLongReason(max: number, unit: 'bytes' | 'characters' = 'bytes'): string {
  return `line longer than ${max} ${unit}`;
}

/** What went wrong at a syntax error, worded from its code and the text before it. */
function syntaxDetail(code: number, before: string, at: string): string {
  const column = before.length + 1;
  switch (code) {
    case SYNTAX_END:
      return `unexpected end of input at column ${column}`;
    case SYNTAX_UTF8:
      return `invalid UTF-8 at column ${column}`;
    case SYNTAX_ESCAPE:
      return `bad escape sequence at column ${column}`;
    case SYNTAX_CONTROL:
      return `unescaped control character in a string at column ${column}`;
    default:
      return `unexpected ${at === '' ? 'end of input' : `character ${JSON.stringify(at)}`} at column ${column}`;
  }
}

/** A rejected row's field problem, found by the same rules RowEncoder applies to parsed objects. */
function fieldProblem(plan: QueryPlan, slot: number, rowText: string, csvNames: readonly string[] | undefined): FieldError {
  const row = csvNames ? csvRow(csvNames, rowText) : (JSON.parse(rowText) as Record<string, unknown>);
  if (slot === SLOT_TIME) {
    const raw = row[plan.timeColumn];
    return timeError(plan.timeColumn, raw, typeof raw === 'number' ? epochToMs(raw) : parseTimestamp(raw));
  }
  if (slot === SLOT_VALUE) return valueError(plan.valueColumn!, row[plan.valueColumn!]);
  const column = plan.keyColumns[slot - SLOT_KEY0]!;
  return keyError(column, row[column]);
}

/** How the rejects of a scan are placed and worded. */
export interface RejectContext {
  /** The line limit the scan applied (NDJSON, CSV), and what it counts. */
  maxLineBytes?: number;
  lineUnit?: 'bytes' | 'characters';
  /** The header of a CSV scan. */
  csvNames?: readonly string[];
  /**
   * A message scan: the offset of message i (1-based in the call). A reject
   * then carries that offset, and its event's place in the message as
   * `line` when the message held several.
   */
  messageOffset?: (message: number) => number;
}

/** Words every reject of the last scan; `bytes(start, end)` gives the loaded input. */
export function scanRejects(
  rejects: { data: Int32Array; offset: number; count: number; width: number },
  bytes: (start: number, end: number) => Uint8Array,
  plan: QueryPlan,
  source: string,
  out: InputError[],
  context: RejectContext = {},
): void {
  const { data, offset, count, width } = rejects;
  const { maxLineBytes = 0, lineUnit = 'bytes', csvNames, messageOffset } = context;
  for (let i = 0; i < count; i++) {
    const r = offset + i * width;
    const code = data[r + R_CODE]!;
    const row = data[r + R_ROW]!;
    // row 0: the whole document (a JSON body that is not valid JSON); in a message scan, row is the message
    const line = (messageOffset ? data[r + R_ITEM]! : row) || undefined;
    // a message's only event has item 0: it is element 1
    const element = messageOffset ? data[r + R_ITEM]! || 1 : row;
    const where: Pick<InputError, 'source' | 'line' | 'offset'> = { source };
    if (messageOffset) where.offset = messageOffset(row);
    if (line !== undefined) where.line = line;
    const start = data[r + R_ROW_START]!;
    const end = data[r + R_ROW_END]!;
    if (code === REJECT_LINE_TOO_LONG) {
      out.push({ ...where, reason: lineTooLongReason(maxLineBytes, lineUnit), raw: clipRaw(decoder.decode(bytes(start, Math.min(end, start + HEAD_BYTES)))) });
      continue;
    }
    const text = decoder.decode(bytes(start, end));
    if (code === REJECT_SYNTAX) {
      const at = data[r + R_AT]!;
      const before = decoder.decode(bytes(start, at));
      const next = at < end ? decoder.decode(bytes(at, Math.min(end, at + 4))).slice(0, 1) : '';
      out.push({ ...where, reason: `not valid JSON: ${syntaxDetail(data[r + R_DETAIL]!, before, next)}`, raw: clipRaw(text) });
    } else if (code === REJECT_EMPTY_MESSAGE) {
      out.push({ ...where, kind: 'malformed', reason: EMPTY_MESSAGE_REASON, raw: clipRaw(text) });
    } else if (code === REJECT_ELEMENT_NOT_OBJECT) {
      out.push({ ...where, kind: 'malformed', reason: elementNotObjectReason(element), raw: clipRaw(text) });
    } else if (code === REJECT_NOT_OBJECT) {
      out.push({ ...where, reason: notObjectReason(data[r + R_DETAIL]!), raw: clipRaw(text) });
    } else if (code === REJECT_FIELD) {
      const { kind, reason } = fieldProblem(plan, data[r + R_DETAIL]!, text, csvNames);
      out.push({ ...where, kind, reason, raw: clipRaw(text) });
    } else if (code === REJECT_CSV_CELLS && csvNames) {
      out.push({ ...where, reason: cellCountReason(csvNames.length, data[r + R_DETAIL]!), raw: clipRaw(text) });
    } else if (code === REJECT_CSV_UNTERMINATED || code === REJECT_CSV_AFTER_QUOTE) {
      // the object path's splitter words the quote error, with its column
      const cells = splitCsvLine(text);
      out.push({ ...where, reason: Array.isArray(cells) ? 'a quoted cell is not closed properly' : cells.reason, raw: clipRaw(text) });
    } else {
      out.push({ ...where, kind: 'malformed', reason: `rejected by the scanner (code ${code})`, raw: clipRaw(text) });
    }
  }
}

/** Words the rejects of the scanner's last scan into `out` (nothing to do when it rejected nothing). */
export function reportScanRejects(scanner: CoreScanner, plan: QueryPlan, source: string, out: InputError[], context: RejectContext = {}): void {
  const rejects = scanner.rejects();
  if (rejects.count > 0) scanRejects(rejects, (a, b) => scanner.loaded(a, b), plan, source, out, context);
}
