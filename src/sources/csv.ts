/**
 * CSV rows, one physical line at a time (RFC 4180 quoting).
 *
 * - The first non-blank line is the header: it names the fields. A UTF-8
 *   byte-order mark before it is dropped; surrounding spaces in names are
 *   trimmed; an empty name becomes `column_<n>` (1-based); a duplicate name
 *   is an error for the whole file (the second column would overwrite the
 *   first in every row).
 * - Cells stay strings: the engine converts numbers and timestamps itself,
 *   so it can name the field when a value is bad. An empty cell is missing
 *   (`undefined`, left out of the row); a quoted empty cell `""` is an
 *   explicit empty string.
 * - A quoted cell may hold commas and doubled quotes (`"say ""hi"""`). A
 *   quote inside an unquoted cell is kept as a literal character (`5'10"`),
 *   as most CSV writers produce it.
 * - **Quoted cells spanning lines are not supported**: lines are split at
 *   every newline before parsing (that keeps the memory bound of the line
 *   splitter and exact line numbers). A line whose quote is not closed is
 *   reported as an error ("unterminated quoted cell …") instead of being
 *   mis-parsed; its continuation line then usually fails the cell count and
 *   is reported too.
 * - Blank lines are skipped; a row with a different number of cells than the
 *   header is an error ("expected N cells, got M").
 */
import { isBlank, type Line } from './lines.js';
import type { BatchBuilder } from './batchBuilder.js';
import type { Row } from './source.js';

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

/** Turns the lines of a CSV file into rows keyed by the header's names. */
export class CsvParser {
  private names: string[] | undefined;

  /** @param source the source description, for errors */
  constructor(private readonly source: string) {}

  /** The header's field names, once the header line has been read. */
  get header(): readonly string[] | undefined {
    return this.names;
  }

  /**
   * Reads one line: the header, a row, an error, or nothing (blank line).
   * Throws only when the header itself is unusable, since then no row can be.
   */
  accept(line: Line, batch: BatchBuilder): void {
    if (line.error !== undefined) {
      if (this.names === undefined) throw new Error(`${this.source} line ${line.line}: cannot read the CSV header: ${line.error}`);
      batch.addError(this.source, line.line, line.error, line.text);
      return;
    }
    const text = line.text;
    if (this.names === undefined) {
      this.readHeader(text, line.line);
      return;
    }
    if (isBlank(text)) return;
    const cells = splitCsvLine(text);
    if (!Array.isArray(cells)) {
      batch.addError(this.source, line.line, cells.reason, text);
      return;
    }
    const names = this.names;
    if (cells.length !== names.length) {
      batch.addError(this.source, line.line, `expected ${names.length} cells, got ${cells.length}`, text);
      return;
    }
    const row: Row = {};
    for (let i = 0; i < names.length; i++) {
      const cell = cells[i];
      if (cell !== undefined) row[names[i]!] = cell;
    }
    batch.addRow(row, line.line);
  }

  private readHeader(raw: string, line: number): void {
    const text = raw.charCodeAt(0) === BOM ? raw.slice(1) : raw;
    if (isBlank(text)) return; // blank lines before the header
    const cells = splitCsvLine(text);
    if (!Array.isArray(cells)) throw new Error(`${this.source} line ${line}: cannot read the CSV header: ${cells.reason}`);
    const names: string[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < cells.length; i++) {
      const name = (cells[i] ?? '').trim() || `column_${i + 1}`;
      if (seen.has(name)) throw new Error(`${this.source} line ${line}: duplicate column name '${name}' in the CSV header`);
      // Assigning '__proto__' on a plain object would change its prototype, not add a field.
      if (name === '__proto__') throw new Error(`${this.source} line ${line}: '__proto__' cannot be a column name`);
      seen.add(name);
      names.push(name);
    }
    this.names = names;
  }
}
