/**
 * CSV text rules shared by the CSV file reader (src/sources/csv.ts) and the
 * engine's byte path (the core scans the rows; the host reads the header and
 * words the reasons): splitting one line into cells, and the header's names.
 * See src/sources/csv.ts for the format's rules.
 */

import { isBlank } from './blank.js';

/** The cells of one line; `undefined` for an empty unquoted cell. */
export type CsvCells = (string | undefined)[];

/** Why a line could not be split into cells. */
export interface CsvSyntaxError {
  reason: string;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const BOM = 0xfeff;

/** Splits one CSV line (without its terminator) into cells, or says why it cannot. */
export function splitCsvLine(text: string): CsvCells | CsvSyntaxError {
  // Fast path: most lines have no quotes at all.
  if (text.indexOf('"') === -1) {
    const cells: CsvCells = text.split(',');
    for (let i = 0; i < cells.length; i++) if (cells[i] === '') cells[i] = undefined;
    return cells;
  }
  const cells: CsvCells = [];
  const length = text.length;
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) === QUOTE) {
      // Quoted cell: runs to the next quote not followed by another quote.
      let value = '';
      let from = i + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote === -1) {
          return { reason: `unterminated quoted cell starting at column ${i + 1} (quoted cells spanning lines are not supported)` };
        }
        value += text.slice(from, quote);
        if (text.charCodeAt(quote + 1) === QUOTE) {
          value += '"';
          from = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      cells.push(value);
      if (i === length) return cells;
      if (text.charCodeAt(i) !== COMMA) {
        return { reason: `unexpected character '${text[i]}' after a closing quote at column ${i + 1}` };
      }
      i++;
    } else {
      // Unquoted cell: runs to the next comma. After a trailing comma i === length
      // and this pushes the final empty cell.
      const comma = text.indexOf(',', i);
      const end = comma === -1 ? length : comma;
      cells.push(end > i ? text.slice(i, end) : undefined);
      if (comma === -1) return cells;
      i = comma + 1;
    }
  }
}

/**
 * The field names of a header line (a BOM before it dropped; names trimmed,
 * an empty one `column_<n>`), or undefined for a blank line (blank lines
 * before the header are skipped). Throws naming the line when the header
 * is unusable: no row could be read.
 */
export function csvHeaderNames(raw: string, source: string, line: number): string[] | undefined {
  const text = raw.charCodeAt(0) === BOM ? raw.slice(1) : raw;
  if (isBlank(text)) return undefined;
  const cells = splitCsvLine(text);
  if (!Array.isArray(cells)) throw new Error(`${source} line ${line}: cannot read the CSV header: ${cells.reason}`);
  const names: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < cells.length; i++) {
    const name = (cells[i] ?? '').trim() || `column_${i + 1}`;
    if (seen.has(name)) throw new Error(`${source} line ${line}: duplicate column name '${name}' in the CSV header`);
    // Assigning '__proto__' on a plain object would change its prototype, not add a field.
    if (name === '__proto__') throw new Error(`${source} line ${line}: '__proto__' cannot be a column name`);
    seen.add(name);
    names.push(name);
  }
  return names;
}

/** The reason of a row with another number of cells than the header. */
export function cellCountReason(expected: number, got: number): string {
  return `expected ${expected} cells, got ${got}`;
}

/** A CSV row as the object path sees it: the header's names → the non-empty cells (a syntax error gives an empty row). */
export function csvRow(names: readonly string[], text: string): Record<string, unknown> {
  const cells = splitCsvLine(text);
  const row: Record<string, unknown> = {};
  if (!Array.isArray(cells)) return row;
  for (let i = 0; i < names.length; i++) if (cells[i] !== undefined) row[names[i]!] = cells[i];
  return row;
}
