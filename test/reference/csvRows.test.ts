import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CsvParser, splitCsvLine } from './csvRows.js';
import { BatchBuilder } from '../../src/sources/batchBuilder.js';
import { LineSplitter } from './lineSplitter.js';

/** RFC 4180 writer for the round-trip property: quote when needed, '' as "". */
function writeCsvLine(cells: string[]): string {
  return cells.map((c) => (c === '' || /[",]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');
}

/** Parses CSV text the way the file source does: split into lines, then parse each. */
function parse(text: string, maxRows = 1000) {
  const parser = new CsvParser('test.csv');
  const batch = new BatchBuilder(maxRows);
  const splitter = new LineSplitter();
  for (const line of [...splitter.push(text), ...splitter.end()]) parser.accept(line, batch);
  return { ...batch.take(), header: parser.header };
}

describe('splitCsvLine', () => {
  it('splits plain cells, empty cells are undefined', () => {
    expect(splitCsvLine('a,b,c')).toEqual(['a', 'b', 'c']);
    expect(splitCsvLine('a,,c')).toEqual(['a', undefined, 'c']);
    expect(splitCsvLine('a,b,')).toEqual(['a', 'b', undefined]);
    expect(splitCsvLine('')).toEqual([undefined]);
  });

  it('handles quoted cells with commas and doubled quotes', () => {
    expect(splitCsvLine('"a,b",c')).toEqual(['a,b', 'c']);
    expect(splitCsvLine('"say ""hi""",x')).toEqual(['say "hi"', 'x']);
    expect(splitCsvLine('x,"",y')).toEqual(['x', '', 'y']);
    expect(splitCsvLine('x,"a,b"')).toEqual(['x', 'a,b']);
    expect(splitCsvLine('"a",')).toEqual(['a', undefined]);
    expect(splitCsvLine('""""')).toEqual(['"']);
  });

  it('keeps a quote inside an unquoted cell literally', () => {
    expect(splitCsvLine(`5'10",x`)).toEqual([`5'10"`, 'x']);
  });

  it('reports an unterminated quote (no multi-line cells) and junk after a closing quote', () => {
    const open = splitCsvLine('a,"b,c');
    expect(Array.isArray(open)).toBe(false);
    expect((open as { reason: string }).reason).toMatch(/unterminated quoted cell starting at column 3/);
    const junk = splitCsvLine('"a"b,c');
    expect((junk as { reason: string }).reason).toMatch(/unexpected character 'b' after a closing quote at column 4/);
  });

  it('reads back any line an RFC 4180 writer produces (without newlines in fields)', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', ' ', 'é', '1') });
    fc.assert(
      fc.property(fc.array(cell, { minLength: 1, maxLength: 6 }), (cells) => {
        const parsed = splitCsvLine(writeCsvLine(cells));
        expect(parsed).toEqual(cells);
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});

describe('CsvParser', () => {
  it('uses the header for field names and keeps cells as strings', () => {
    const { rows, lines, errors, header } = parse('timestamp,metric,value\n2024-01-01T00:00:00Z,cpu,0.5\n1704067200,mem,12\n');
    expect(header).toEqual(['timestamp', 'metric', 'value']);
    expect(rows).toEqual([
      { timestamp: '2024-01-01T00:00:00Z', metric: 'cpu', value: '0.5' },
      { timestamp: '1704067200', metric: 'mem', value: '12' },
    ]);
    expect(lines).toEqual([2, 3]);
    expect(errors).toEqual([]);
  });

  it('drops a UTF-8 BOM before the header and handles CRLF', () => {
    const { rows, header } = parse('\uFEFFts,value\r\n1,2\r\n3,"4,5"\r\n');
    expect(header).toEqual(['ts', 'value']);
    expect(rows).toEqual([
      { ts: '1', value: '2' },
      { ts: '3', value: '4,5' },
    ]);
  });

  it('leaves empty cells out of the row and keeps quoted empty strings', () => {
    const { rows } = parse('a,b,c\n1,,""\n');
    expect(rows).toEqual([{ a: '1', c: '' }]);
    expect('b' in rows[0]!).toBe(false);
  });

  it('reports rows with the wrong number of cells with line number and raw text', () => {
    const { rows, lines, errors } = parse('a,b\n1,2\n1,2,3\n4\n5,6');
    expect(rows).toEqual([
      { a: '1', b: '2' },
      { a: '5', b: '6' },
    ]);
    expect(lines).toEqual([2, 5]);
    expect(errors).toEqual([
      { source: 'test.csv', line: 3, reason: 'expected 2 cells, got 3', raw: '1,2,3' },
      { source: 'test.csv', line: 4, reason: 'expected 2 cells, got 1', raw: '4' },
    ]);
  });

  it('reports a quoted cell spanning lines instead of mis-parsing it', () => {
    const { rows, errors } = parse('a,b\n1,"two\nlines"\n3,4\n');
    expect(rows).toEqual([{ a: '3', b: '4' }]);
    expect(errors.map((e) => e.line)).toEqual([2, 3]);
    expect(errors[0]!.reason).toMatch(/unterminated quoted cell.*spanning lines are not supported/);
  });

  it('skips blank lines, also before the header', () => {
    const { rows, lines, header } = parse('\n  \nx,y\n\n1,2\n   \n3,4\n');
    expect(header).toEqual(['x', 'y']);
    expect(rows).toEqual([
      { x: '1', y: '2' },
      { x: '3', y: '4' },
    ]);
    expect(lines).toEqual([5, 7]);
  });

  it('trims header names and names empty ones', () => {
    const { header } = parse('ts , value,,\n');
    expect(header).toEqual(['ts', 'value', 'column_3', 'column_4']);
  });

  it('refuses a header with duplicate names', () => {
    expect(() => parse('a,b,a\n1,2,3\n')).toThrow(/test\.csv line 1: duplicate column name 'a'/);
  });

  it('clips raw text of long bad rows', () => {
    const long = 'x'.repeat(500);
    const { errors } = parse(`a\n${long},y\n`);
    expect(errors[0]!.raw!.length).toBeLessThanOrEqual(201);
    expect(errors[0]!.raw!.startsWith('xxxx')).toBe(true);
  });
});
