/**
 * Turns an ingest payload (an HTTP body or a WebSocket message) into a
 * ColumnBatch for the engine, validating every row with the engine's own
 * rules (NDJSON and JSON by the core's scanners, ingestScanner.ts), so the
 * client learns at once how many events were accepted and why the others
 * were not.
 *
 * Payloads, by content type:
 *  - `application/x-ndjson` (also `application/ndjson`, `application/jsonl`,
 *    `text/plain`): one JSON object per line; blank lines are skipped;
 *  - `application/json`: a JSON array of objects (or one object);
 *  - `application/vnd.eddy.columns`: the binary columnar format
 *    (columnarFormat.ts), copied as columns with no per-event parsing.
 * Unknown fields are ignored. `Content-Encoding: gzip` bodies are inflated
 * with the body limit applied to the inflated size (no zip bombs).
 */
import { gunzipSync } from 'node:zlib';
import type { QueryPlan } from '../engine/plan.js';
import type { ColumnBatch } from '../engine/columnBatch.js';
import { KEY_SEPARATOR } from '../engine/columnBatch.js';
import { badTimeReason } from '../engine/columnCopy.js';
import { isEventTime } from '../engine/timestamp.js';
import type { InputError } from '../engine/inputError.js';
import type { IngestScanner } from './ingestScanner.js';
import { COLUMNAR_CONTENT_TYPE, decodeColumns, type DecodedColumns } from './columnarFormat.js';

/** Payload kinds. */
export type PayloadKind = 'ndjson' | 'json' | 'columns';

/** Limits of one payload. */
export interface IngestLimits {
  /** Largest body after gzip inflation (413 beyond). */
  maxBodyBytes: number;
  /** Longest NDJSON line, in characters (that line is rejected). */
  maxLineChars: number;
  /** Most events (lines, array elements, columnar rows) in one payload (413 beyond): bounds the work one request can cause. */
  maxRows: number;
}

/** Defaults: 16 MiB bodies, 1 MiB lines, 1,000,000 events per payload. */
export const DEFAULT_LIMITS: IngestLimits = { maxBodyBytes: 16 * 1024 * 1024, maxLineChars: 1024 * 1024, maxRows: 1_000_000 };

/** A payload the server refuses as a whole, with its HTTP status. */
export interface PayloadFailure {
  status: 400 | 413 | 415;
  error: string;
}

/** What a payload held. */
export interface ParsedPayload {
  /** The valid events, or undefined when there are none. */
  batch: ColumnBatch | undefined;
  /** Rows rejected, with line (NDJSON), index (JSON array, 1-based as line) or offset (columnar). */
  errors: InputError[];
}

/** The payload kind of a Content-Type header (parameters ignored); undefined for an unsupported type. */
export function payloadKind(contentType: string): PayloadKind | undefined {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === COLUMNAR_CONTENT_TYPE) return 'columns';
  if (type === 'application/json') return 'json';
  if (
    type === 'application/x-ndjson' ||
    type === 'application/ndjson' ||
    type === 'application/jsonl' ||
    type === 'application/x-jsonlines' ||
    type === 'text/plain' ||
    type === ''
  )
    return 'ndjson';
  return undefined;
}

/** Inflates a gzip body (identity passes through); a failure says why. */
export function decodeBody(body: Uint8Array, contentEncoding: string, limits: IngestLimits): Uint8Array | PayloadFailure {
  const encoding = contentEncoding.trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return body;
  if (encoding !== 'gzip') return { status: 415, error: `unsupported Content-Encoding '${contentEncoding}' (use gzip or none)` };
  try {
    return gunzipSync(body, { maxOutputLength: limits.maxBodyBytes });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError)
      return { status: 413, error: `body is larger than ${limits.maxBodyBytes} bytes once inflated` };
    return { status: 400, error: `gzip body cannot be inflated: ${(e as Error).message}` };
  }
}

function tooManyRows(limits: IngestLimits): PayloadFailure {
  return { status: 413, error: `more than ${limits.maxRows} events in one payload: split it` };
}

/** Parses and validates a payload with the server's scanner (NDJSON, JSON) or the columnar decoder. */
export function parsePayload(
  kind: PayloadKind,
  body: Uint8Array,
  scanner: IngestScanner,
  source: string,
  limits: IngestLimits,
): ParsedPayload | PayloadFailure {
  if (kind === 'columns') {
    // the row count is only trusted once the magic says this is a frame: garbage gets 400, not 413
    if (body.byteLength >= 12 && body[0] === 0x45 && body[1] === 0x44 && body[2] === 0x43 && body[3] === 0x31) {
      const rows = new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(8, true);
      if (rows > limits.maxRows) return tooManyRows(limits);
    }
    const frame = decodeColumns(body);
    if ('error' in frame) return { status: 400, error: frame.error };
    if (frame.rows === 0) return { batch: undefined, errors: [] };
    return checkedColumns(frame, scanner.plan, source);
  }
  const scanned = scanner.scan(kind, body, source, limits.maxLineChars, limits.maxRows);
  if ('tooManyRows' in scanned) return tooManyRows(limits);
  if ('invalidJson' in scanned) return { status: 400, error: `body is not valid JSON: ${scanned.invalidJson}` };
  return scanned;
}

/**
 * A decoded frame as a batch, without the rows the engine would reject (a
 * time that is not an event time (see isEventTime), a non-finite value, a key without one value per grouping column):
 * those are reported by row, as the engine's copyColumns reports them, so
 * the client's `accepted` counts only events the engine takes.
 */
function checkedColumns(frame: DecodedColumns, plan: QueryPlan, source: string): ParsedPayload {
  const keyColumns = plan.keyColumns.length;
  const badKey = keyColumns > 1 ? frame.keys.map((k) => k.split(KEY_SEPARATOR).length !== keyColumns) : undefined;
  const { ts, value, key } = frame;
  const errors: InputError[] = [];
  const bad = new Uint8Array(frame.rows);
  for (let i = 0; i < frame.rows; i++) {
    const t = ts[i]!;
    const v = value[i]!;
    if (!isEventTime(t)) errors.push({ source, offset: i, kind: 'bad_timestamp', reason: badTimeReason(t) });
    else if (!(v - v === 0)) errors.push({ source, offset: i, kind: 'non_finite', reason: `column 'value': ${v} is not finite` });
    else if (badKey?.[key[i]!])
      errors.push({ source, offset: i, kind: 'bad_key', reason: `key '${frame.keys[key[i]!]}' does not have ${keyColumns} grouping value(s)` });
    else continue;
    bad[i] = 1;
  }
  const types = frame.type ? { type: frame.type, types: frame.types ?? [] } : undefined;
  if (errors.length === 0) {
    return { batch: { rows: frame.rows, ts, value, key, keys: frame.keys, ...types, source }, errors };
  }
  const keep: number[] = [];
  for (let i = 0; i < frame.rows; i++) if (bad[i] === 0) keep.push(i);
  if (keep.length === 0) return { batch: undefined, errors };
  const pick = <A extends Float64Array | Int32Array>(column: A, make: (n: number) => A): A => {
    const out = make(keep.length);
    for (let j = 0; j < keep.length; j++) out[j] = column[keep[j]!]!;
    return out;
  };
  return {
    batch: {
      rows: keep.length,
      ts: pick(ts, (n) => new Float64Array(n)),
      value: pick(value, (n) => new Float64Array(n)),
      key: pick(key, (n) => new Int32Array(n)),
      keys: frame.keys,
      ...(types ? { type: pick(types.type, (n) => new Int32Array(n)), types: types.types } : {}),
      source,
    },
    errors,
  };
}
