/**
 * Why a field of a row cannot be used: the kind and reason text of every
 * field rejection, defined once for both ways rows arrive (parsed objects
 * through RowEncoder, raw bytes through the core's scanners, scanReasons.ts).
 */
import type { InputErrorKind } from './inputError.js';

/** A rejection's kind and reason. */
export interface FieldError {
  kind: InputErrorKind;
  reason: string;
}

const NON_FINITE_TEXT = /^\s*[+-]?(nan|inf|infinity)\s*$/i;

/**
 * A field's value as JSON text for an error reason. JSON.parse accepts nesting
 * deeper than JSON.stringify can recurse, so a hostile row must not make
 * reporting it throw.
 */
export function shown(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return '[a value nested too deeply to show]';
  }
}

/** The event-time field `column` holds `raw`, which did not give an event time (`ms` is what it gave). */
export function timeError(column: string, raw: unknown, ms: number): FieldError {
  if (raw === undefined || raw === null) return { kind: 'missing_field', reason: `field '${column}': missing` };
  return {
    kind: 'bad_timestamp',
    reason: Number.isFinite(ms)
      ? `field '${column}': ${shown(raw)} is outside the years 0000 to 9999`
      : `field '${column}': cannot parse ${shown(raw)} as a timestamp (ISO-8601, epoch s or epoch ms)`,
  };
}

/** The value field `column` holds `raw`, which is not a finite number. */
export function valueError(column: string, raw: unknown): FieldError {
  if (raw === undefined || raw === null || raw === '') return { kind: 'missing_field', reason: `field '${column}': missing` };
  if (typeof raw === 'number' || (typeof raw === 'string' && NON_FINITE_TEXT.test(raw))) {
    return { kind: 'non_finite', reason: `field '${column}': ${shown(raw)} is not finite` };
  }
  return { kind: 'not_a_number', reason: `field '${column}': not a number (${shown(raw)})` };
}

/** The grouping field `column` holds `part`, which is not a string, number or boolean. */
export function keyError(column: string, part: unknown): FieldError {
  if (part === undefined || part === null) return { kind: 'missing_field', reason: `field '${column}': missing` };
  return { kind: 'bad_key', reason: `field '${column}': expected a string, number or boolean, got ${Array.isArray(part) ? 'an array' : typeof part}` };
}
