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
import { isBlank } from '../../src/engine/blank.js';
import type { Line } from './lineSplitter.js';
import { cellCountReason, csvHeaderNames, splitCsvLine } from '../../src/engine/csvText.js';
import type { BatchBuilder } from '../../src/sources/batchBuilder.js';
import type { Row } from '../../src/engine/source.js';

export { splitCsvLine, type CsvCells, type CsvSyntaxError } from '../../src/engine/csvText.js';

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
      batch.addError(this.source, line.line, cellCountReason(names.length, cells.length), text);
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
    const names = csvHeaderNames(raw, this.source, line);
    if (names !== undefined) this.names = names;
  }
}
