import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import {
  consoleColumnWidth,
  consoleSink,
  formatDisplayNumber,
  shortenTimestamp,
} from '../../src/sinks/console.js';
import type { OutputSchema, ResultRecord } from '../../src/engine/sink.js';

const schema: OutputSchema = {
  kind: 'windows',
  columns: ['window_start', 'window_end', 'metric', 'avg_value', 'stddev_value', 'count'],
};

function windowRecord(minute: number, metric: string, avg: number | null, count = 2): ResultRecord {
  const start = new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString();
  const end = new Date(Date.UTC(2024, 0, 1, 0, minute + 5)).toISOString();
  return { window: { start, end }, metric, avg_value: avg, stddev_value: null, count };
}

function capture(): { out: { write(text: string): boolean }; text: () => string; lines: () => string[] } {
  let buffer = '';
  return {
    out: {
      write(text: string) {
        buffer += text;
        return true;
      },
    },
    text: () => buffer,
    lines: () => buffer.split('\n').slice(0, -1),
  };
}

describe('console sink', () => {
  it('prints the header at open, then aligned rows with rounded numbers and short timestamps', async () => {
    const output = capture();
    const sink = consoleSink({ out: output.out });
    await sink.open(schema);
    expect(output.lines()).toHaveLength(2);
    await sink.write([windowRecord(0, 'cpu', 1 / 3, 2), windowRecord(5, 'memory', 1234.5, 10)]);
    expect(output.text()).toBe(
      [
        'window_start        | window_end          | metric       | avg_value    | stddev_value | count',
        '--------------------+---------------------+--------------+--------------+--------------+-------------',
        '2024-01-01 00:00:00 | 2024-01-01 00:05:00 | cpu          |       0.3333 | null         |            2',
        '2024-01-01 00:05:00 | 2024-01-01 00:10:00 | memory       |       1234.5 | null         |           10',
        '',
      ].join('\n'),
    );
  });

  it('aligns every column at the same offsets in header and data lines', async () => {
    const output = capture();
    const sink = consoleSink({ out: output.out });
    await sink.open(schema);
    await sink.write([windowRecord(0, 'x', 123456.789012), windowRecord(0, 'y', -0.00004)]);
    const [header, rule, ...rows] = output.lines();
    const separators = (line: string | undefined, mark: string) =>
      [...(line ?? '')].flatMap((c, i) => (c === mark ? [i] : []));
    const columnOffsets = separators(header, '|');
    expect(columnOffsets).toHaveLength(schema.columns.length - 1);
    expect(separators(rule, '+')).toEqual(columnOffsets);
    for (const row of rows) expect(separators(row, '|')).toEqual(columnOffsets);
    expect(rows[0]).toContain('123456.789');
    expect(rows[1]).toMatch(/\|\s+0 \|/); // -0.00004 rounds to 0, shown without a sign
  });

  it('repeats the header every headerEvery data lines', async () => {
    const output = capture();
    const sink = consoleSink({ out: output.out, headerEvery: 3, maxRows: Infinity });
    await sink.open(schema);
    await sink.write([1, 2, 3, 4].map((i) => windowRecord(i, `m${i}`, i)));
    await sink.write([5, 6, 7].map((i) => windowRecord(i, `m${i}`, i)));
    const headerLines = output.lines().flatMap((line, i) => (line.startsWith('window_start') ? [i] : []));
    // header+rule, 3 rows, header+rule, 3 rows, header+rule, 1 row
    expect(headerLines).toEqual([0, 5, 10]);
    expect(output.lines()).toHaveLength(13);
  });

  it('repeats the header after 40 data lines by default', async () => {
    const output = capture();
    const sink = consoleSink({ out: output.out, maxRows: Infinity });
    await sink.open(schema);
    await sink.write(Array.from({ length: 41 }, (_, i) => windowRecord(i, 'cpu', i)));
    const headerLines = output.lines().flatMap((line, i) => (line.startsWith('window_start') ? [i] : []));
    expect(headerLines).toEqual([0, 42]);
  });

  it('shows at most maxRows rows per batch and says how many were left out', async () => {
    const output = capture();
    const sink = consoleSink({ out: output.out, maxRows: 2 });
    await sink.open(schema);
    await sink.write([1, 2, 3, 4, 5].map((i) => windowRecord(i, `m${i}`, i)));
    const lines = output.lines();
    expect(lines).toHaveLength(2 + 2 + 1);
    expect(lines[4]).toBe('… 3 more rows in this batch not shown');
    expect(lines[3]).toContain('m2');
  });

  it('shows at most 20 rows per batch by default', async () => {
    const output = capture();
    const sink = consoleSink({ out: output.out });
    await sink.open(schema);
    await sink.write(Array.from({ length: 21 }, (_, i) => windowRecord(i, 'cpu', i)));
    expect(output.lines().at(-1)).toBe('… 1 more row in this batch not shown');
  });

  it('cuts long text with an ellipsis and escapes line breaks, never cutting numbers or timestamps', async () => {
    const output = capture();
    const sink = consoleSink({ out: output.out });
    await sink.open({ kind: 'late', columns: ['timestamp', 'metric', 'value'] });
    await sink.write([
      { timestamp: '2024-01-01T00:00:03.250Z', metric: 'a-very-long-metric-name', value: 123456789012345.67 },
      { timestamp: '2024-01-01T00:00:04.000Z', metric: 'two\nlines', value: null },
      { timestamp: 'not a time', metric: { nested: [1] }, value: NaN },
    ]);
    const [header, , first, second, third] = output.lines();
    expect(header).toBe('timestamp               | metric       | value');
    expect(first).toBe('2024-01-01 00:00:03.250 | a-very-long… | 123456789012345.67');
    expect(second).toBe('2024-01-01 00:00:04     | two\\nlines   | null');
    expect(third).toBe('not a time              | {"nested":[… |          NaN');
  });

  it('defaults to process.stdout and never ends it', async () => {
    const original = process.stdout.write.bind(process.stdout);
    let captured = '';
    process.stdout.write = ((chunk: string) => {
      captured += chunk;
      return true;
    }) as typeof process.stdout.write;
    try {
      const sink = consoleSink();
      await sink.open({ kind: 'late', columns: ['metric'] });
      await sink.write([{ metric: 'cpu' }]);
      await sink.close();
    } finally {
      process.stdout.write = original;
    }
    expect(captured).toBe('metric\n------------\ncpu\n');
    expect(process.stdout.writableEnded).toBe(false);
  });

  it('waits for drain when the output stream is full', async () => {
    let received = '';
    const slow = new Writable({
      highWaterMark: 8,
      write(chunk: Buffer, _encoding, callback) {
        received += chunk.toString();
        setTimeout(callback, 5);
      },
    });
    const sink = consoleSink({ out: slow });
    await sink.open({ kind: 'late', columns: ['metric'] });
    expect(slow.writableNeedDrain).toBe(false);
    await sink.write([{ metric: 'cpu' }]);
    expect(slow.writableNeedDrain).toBe(false);
    expect(received).toContain('cpu');
  });

  it('rejects invalid options', () => {
    expect(() => consoleSink({ maxRows: 0 })).toThrow(RangeError);
    expect(() => consoleSink({ headerEvery: Infinity })).toThrow(RangeError);
  });
});

describe('console cell formatting', () => {
  it('rounds numbers to at most 4 decimals', () => {
    expect(formatDisplayNumber(1.5)).toBe('1.5');
    expect(formatDisplayNumber(2)).toBe('2');
    expect(formatDisplayNumber(1 / 3)).toBe('0.3333');
    expect(formatDisplayNumber(2 / 3)).toBe('0.6667');
    expect(formatDisplayNumber(0.1 + 0.2)).toBe('0.3');
    expect(formatDisplayNumber(-0.00004)).toBe('0');
    expect(formatDisplayNumber(1e21 + 0.5)).toBe('1e+21');
    expect(formatDisplayNumber(Infinity)).toBe('Infinity');
  });

  it('shortens ISO UTC timestamps and leaves other text alone', () => {
    expect(shortenTimestamp('2024-01-01T00:05:00.000Z')).toBe('2024-01-01 00:05:00');
    expect(shortenTimestamp('2024-01-01T00:05:00Z')).toBe('2024-01-01 00:05:00');
    expect(shortenTimestamp('2024-01-01T00:05:00.120Z')).toBe('2024-01-01 00:05:00.120');
    expect(shortenTimestamp('2024-01-01T00:05:00+02:00')).toBe('2024-01-01T00:05:00+02:00');
    expect(shortenTimestamp('cpu')).toBe('cpu');
  });

  it('derives widths from names with minimums', () => {
    expect(consoleColumnWidth('count')).toBe(12);
    expect(consoleColumnWidth('window_start')).toBe(19);
    expect(consoleColumnWidth('window_end')).toBe(19);
    expect(consoleColumnWidth('timestamp')).toBe(23);
    expect(consoleColumnWidth('event_time')).toBe(23);
    expect(consoleColumnWidth('a_really_long_column_name')).toBe(25);
  });
});
