import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleColumnPriority, consoleColumnWidth, consoleSink, fitConsoleColumns, formatDisplayNumber, shortenTimestamp } from '../../src/sinks/console.js';
import { fileSink } from '../../src/sinks/file.js';
import { recordBatch } from '../../src/engine/outputBatch.js';
import { BatchEngine } from '../../src/engine/batchEngine.js';
import { windowSchema } from '../../src/engine/records.js';
import { parsePipelineConfig } from '../../src/config/pipelineConfig.js';
import { loadCore } from '../../src/node/loadCore.js';
import type { OutputBatch, OutputSchema, ResultRecord, Sink } from '../../src/engine/sink.js';

const schema: OutputSchema = {
  kind: 'windows',
  columns: ['window_start', 'window_end', 'metric', 'avg_value', 'stddev_value', 'count'],
};

function windowRecord(minute: number, metric: string, avg: number | null, count = 2): ResultRecord {
  const start = new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString();
  const end = new Date(Date.UTC(2024, 0, 1, 0, minute + 5)).toISOString();
  return { window: { start, end }, metric, avg_value: avg, stddev_value: null, count };
}

/** A terminal of `columns` characters (none: a terminal of unknown width), or a pipe when `isTTY` is false. */
function capture(terminal: { isTTY?: boolean; columns?: number } = { isTTY: true }): {
  out: { write(text: string): boolean; isTTY?: boolean; columns?: number };
  text: () => string;
  lines: () => string[];
} {
  let buffer = '';
  return {
    out: {
      ...terminal,
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
    const separators = (line: string | undefined, mark: string) => [...(line ?? '')].flatMap((c, i) => (c === mark ? [i] : []));
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
      const sink = consoleSink({ format: 'table' });
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
    const sink = consoleSink({ out: slow, format: 'table' });
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

/** The demo's 18 window columns (eddy demo: aggregates, z-score, score, Holt, threshold patterns). */
const demoSchema: OutputSchema = {
  kind: 'windows',
  columns: [
    'window_start',
    'window_end',
    'metric',
    'avg_value',
    'stddev_value',
    'min_value',
    'max_value',
    'count',
    'rolling_avg',
    'rolling_stddev',
    'zscore',
    'is_anomaly',
    'anomaly_score',
    'level',
    'trend',
    'forecast',
    'forecast_h',
    'detected_patterns',
  ],
  keyColumns: ['window_start', 'window_end', 'metric'],
};

function demoRecord(minute: number, metric: string, avg: number): ResultRecord {
  const { window, ...rest } = windowRecord(minute, metric, avg, 68);
  return {
    window,
    ...rest,
    stddev_value: 1.4357,
    min_value: avg - 2.8,
    max_value: avg + 3.6,
    count: 68,
    rolling_avg: avg - 0.18,
    rolling_stddev: 0.2604,
    zscore: 1.23456,
    is_anomaly: false,
    anomaly_score: 0.0123,
    level: avg,
    trend: 0.01,
    forecast: avg + 0.1,
    forecast_h: 10,
    detected_patterns: ['critical_exceeded', 'warning_above'],
  };
}

const demoRows = [demoRecord(0, 'cpu', 29.5929), demoRecord(0, 'latency_ms', 69.219), demoRecord(1, 'a-very-long-metric-name', 123456789012345.67)];

async function printed(options: Parameters<typeof consoleSink>[0], terminal: { isTTY?: boolean; columns?: number }, schema = demoSchema, rows = demoRows) {
  const output = capture(terminal);
  const sink = consoleSink({ ...options, out: output.out });
  await sink.open(schema);
  await sink.write(rows);
  return output.lines();
}

describe('console sink: fitting the terminal', () => {
  it('orders columns by priority: keys, the first two values, the anomaly verdict, patterns, forecast, the rest', () => {
    expect(consoleColumnPriority(demoSchema)).toEqual({
      keys: ['window_start', 'window_end', 'metric'],
      order: [
        'window_start',
        'window_end',
        'metric',
        'avg_value',
        'stddev_value',
        'anomaly_score',
        'is_anomaly',
        'detected_patterns',
        'forecast',
        'min_value',
        'max_value',
        'count',
        'rolling_avg',
        'rolling_stddev',
        'zscore',
        'level',
        'trend',
        'forecast_h',
      ],
    });
    // no key columns: the first column is the key
    expect(consoleColumnPriority({ kind: 'late', columns: ['timestamp', 'metric', 'value'] })).toEqual({
      keys: ['timestamp'],
      order: ['timestamp', 'metric', 'value'],
    });
    expect(consoleColumnPriority({ kind: 'events', columns: ['timestamp', 'metric', 'value', 'zscore', 'is_anomaly'], keyColumns: [] }).order).toEqual([
      'timestamp',
      'metric',
      'value',
      'is_anomaly',
      'zscore',
    ]);
  });

  for (const columns of [80, 120]) {
    it(`keeps every line within ${columns} columns, with the key columns and a note naming the hidden ones`, async () => {
      const lines = await printed({ wideHint: '--wide' }, { isTTY: true, columns });
      for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(columns);
      const { shown, hidden } = fitConsoleColumns(demoSchema, columns);
      expect(shown.slice(0, 4)).toEqual(['window_start', 'window_end', 'metric', 'avg_value']);
      expect(hidden.length).toBeGreaterThan(0);
      expect(shown.length + hidden.length).toBe(18);
      const [note, header, rule, ...rows] = lines;
      expect(note).toMatch(new RegExp(`^… ${hidden.length} more columns: ${hidden[0]}, .*\\(--wide shows all\\)$`));
      expect(header!.split(' | ').map((name) => name.trim())).toEqual(shown);
      expect(rule).toMatch(/^-+(-\+-+)+$/);
      expect(rows).toHaveLength(3);
      for (const row of rows) expect(row).toMatch(/^2024-01-01 00:0\d:00 \| 2024-01-01 00:0\d:00 \| \S/);
      // the note is printed once, not with the repeated headers
      expect(lines.filter((l) => l.startsWith('… '))).toHaveLength(1);
    });
  }

  it('at 80 columns shows the window, the key and avg_value; at 120 also stddev and the anomaly verdict', async () => {
    expect(fitConsoleColumns(demoSchema, 80).shown).toEqual(['window_start', 'window_end', 'metric', 'avg_value']);
    expect(fitConsoleColumns(demoSchema, 120).shown).toEqual([
      'window_start',
      'window_end',
      'metric',
      'avg_value',
      'stddev_value',
      'is_anomaly',
      'anomaly_score',
    ]);
    const lines = await printed({}, { isTTY: true, columns: 80 });
    expect(lines[0]).toBe('… 14 more columns: stddev_value, min_value, max_value, … (wide: true shows all)');
    expect(lines[1]).toBe('window_start        | window_end          | metric       | avg_value');
    expect(lines[3]).toBe('2024-01-01 00:00:00 | 2024-01-01 00:05:00 | cpu          |      29.5929');
    // a number wider than its column, in full while the line fits (77 characters)
    expect(lines[5]).toBe('2024-01-01 00:01:00 | 2024-01-01 00:06:00 | a-very-long… | 123456789012345.67');
  });

  it('shows every column at an unlimited width (no columns known) and with wide, without a note', async () => {
    for (const [options, terminal] of [
      [{}, { isTTY: true }],
      [{ wide: true }, { isTTY: true, columns: 80 }],
      [{ width: Infinity }, { isTTY: true, columns: 80 }],
    ] as const) {
      const lines = await printed(options, terminal);
      expect(lines[0]!.split(' | ').map((name) => name.trim())).toEqual(demoSchema.columns);
      expect(lines.some((l) => l.startsWith('… '))).toBe(false);
      expect(lines[2]).toMatch(/ \| \["critical_excee…$/);
      // in full, numbers are not shortened
      expect(lines[4]).toContain('| 123456789012345.67 |');
    }
  });

  it('takes an explicit width over the terminal, and prints the key columns even when they alone are wider', async () => {
    expect(fitConsoleColumns(demoSchema, 40).shown).toEqual(['window_start', 'window_end', 'metric']);
    const lines = await printed({ width: 40 }, { isTTY: true, columns: 200 });
    expect(lines[1]).toBe('window_start        | window_end          | metric');
    expect(lines[3]).toBe('2024-01-01 00:00:00 | 2024-01-01 00:05:00 | cpu');
    expect([...lines[0]!].length).toBeLessThanOrEqual(40);
  });

  it('lets later padding take up a cell wider than its column, and leaves the last cells off (…) when a line still does not fit', async () => {
    const schema: OutputSchema = {
      kind: 'windows',
      columns: ['window_start', 'window_end', 'metric', 'avg_value', 'count'],
      keyColumns: ['window_start', 'window_end', 'metric'],
    };
    const odd = { window: { start: '2024-01-01T00:00:00.250Z', end: '2024-01-01T00:05:00.250Z' }, metric: 'cpu', avg_value: 2, count: 1 };
    const full = await printed({ format: 'table' }, { isTTY: true }, schema, [odd]);
    // the fractional bounds push 'metric' right by 4 and 8; its padding takes that up, so avg_value is back in line
    expect(full[2]).toBe('2024-01-01 00:00:00.250 | 2024-01-01 00:05:00.250 | cpu  |            2 |            1');
    expect(full[2]!.indexOf('|            2')).toBe(full[0]!.indexOf('| avg_value'));
    // fitted to the keys and avg_value exactly: nothing takes up an overflow at the end of the line
    const rows = [
      { ...odd, metric: 'memory-used-by-x', avg_value: 1234567.1234 },
      { ...odd, avg_value: 1234567.1234 },
      { ...odd, window: { start: '2024-01-01T00:00:00.000Z', end: '2024-01-01T00:05:00.000Z' }, avg_value: 123456789012345.67 },
    ];
    const fitted = await printed({}, { isTTY: true, columns: 71 }, schema, rows);
    expect(fitted[0]).toBe('… 1 more column: count (wide: true shows all)');
    expect(fitted[1]).toBe('window_start        | window_end          | metric       | avg_value');
    // the metric is cut (text, with its …) and no padding is left for the bounds' fractions: the last cell is left off
    expect(fitted[3]).toBe('2024-01-01 00:00:00.250 | 2024-01-01 00:05:00.250 | memory-used… | …');
    // 'cpu' has room to take up the fractions
    expect(fitted[4]).toBe('2024-01-01 00:00:00.250 | 2024-01-01 00:05:00.250 | cpu  | 1234567.1234');
    // a number wider than its column in a fitted line: exponent notation, never cut
    expect(fitted[5]).toBe('2024-01-01 00:00:00 | 2024-01-01 00:05:00 | cpu          | 1.234568e+14');
    for (const line of fitted) expect([...line].length).toBeLessThanOrEqual(71);
  });

  it('refuses a width that is not a positive integer or Infinity, and an unknown format', () => {
    expect(() => consoleSink({ width: 0 })).toThrow('consoleSink: width must be a positive integer or Infinity, got 0');
    expect(() => consoleSink({ width: 79.5 })).toThrow(RangeError);
    expect(() => consoleSink({ format: 'csv' as never })).toThrow(`consoleSink: format must be 'table', 'ndjson' or 'auto', got "csv"`);
  });
});

describe('console sink: NDJSON', () => {
  it("'auto' prints a table on a terminal and NDJSON otherwise", async () => {
    const rows = [windowRecord(0, 'cpu', 1 / 3)];
    const tty = await printed({}, { isTTY: true }, schema, rows);
    expect(tty[0]).toMatch(/^window_start\s+\| window_end/);
    const expected = [JSON.stringify(rows[0])];
    expect(await printed({}, {}, schema, rows)).toEqual(expected);
    expect(await printed({}, { isTTY: false, columns: 80 }, schema, rows)).toEqual(expected);
    expect(await printed({ format: 'auto' }, {}, schema, rows)).toEqual(expected);
    // forced either way
    expect(await printed({ format: 'ndjson' }, { isTTY: true, columns: 80 }, schema, rows)).toEqual(expected);
    expect((await printed({ format: 'table' }, {}, schema, rows))[0]).toMatch(/^window_start/);
  });

  it('writes every record, without header, note or row limit', async () => {
    const rows = Array.from({ length: 45 }, (_, i) => demoRecord(i, 'cpu', i));
    const lines = await printed({ format: 'ndjson', maxRows: 2, headerEvery: 1 }, { isTTY: true, columns: 80 }, demoSchema, rows);
    expect(lines).toHaveLength(45);
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual(JSON.parse(JSON.stringify(rows)));
  });

  it("writes the file sink's bytes, from records and from the core's column batches", async () => {
    const plan = parsePipelineConfig({
      timestamp_column: 'ts',
      value_column: 'v',
      grouping_columns: ['metric'],
      processing: {
        window_size: '1 minute',
        slide_duration: '30 seconds',
        watermark_delay: '10 seconds',
        aggregations: ['count', 'avg', 'stddev'],
        anomalies: { rows: 4, threshold: 1, score: true },
        forecast: { alpha: 0.5, beta: 0.1 },
        patterns: { threshold: { hot: { upper: 5 } } },
      },
      source: { type: 'stdin' },
      sink: { type: 'console' },
    });
    const engine = new BatchEngine(plan, loadCore(), 'test', false);
    const t0 = Date.UTC(2024, 0, 1);
    const batch = engine.processBatch({
      rows: Array.from({ length: 3000 }, (_, i) => ({ ts: t0 + i * 997, v: Math.sin(i) * 10, metric: i % 5 === 0 ? 'é"\\\n' : `m${i % 7}` })),
      errors: [],
    }).windowBatch;
    expect(batch.count).toBeGreaterThan(100);
    const dir = mkdtempSync(join(tmpdir(), 'eddy-console-ndjson-'));
    try {
      const file = join(dir, 'out.ndjson');
      const sink = fileSink(file);
      await sink.open(windowSchema(plan));
      await sink.writeBatch!(batch);
      await sink.close();
      const fileBytes = readFileSync(file, 'utf8');
      const write = async (feed: (sink: Sink) => Promise<void> | void) => {
        const output = capture({});
        const console = consoleSink({ out: output.out });
        await console.open(windowSchema(plan));
        await feed(console);
        return output.text();
      };
      const records = batch.records();
      expect(await write((s) => s.writeBatch!(batch))).toBe(fileBytes);
      expect(await write((s) => s.writeBatch!(recordBatch(records) as OutputBatch))).toBe(fileBytes);
      expect(await write((s) => s.write(records))).toBe(fileBytes);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('console sink: a closed output', () => {
  it('drops what comes after EPIPE instead of failing the query', async () => {
    let received = '';
    let open = true;
    const pipe = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        if (!open) return callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
        received += chunk.toString();
        callback();
      },
    });
    pipe.on('error', () => undefined); // the CLI's process life listens on stdout
    const sink = consoleSink({ out: pipe, format: 'ndjson' });
    await sink.open(schema);
    await sink.write([windowRecord(0, 'cpu', 1)]);
    open = false;
    await sink.write([windowRecord(1, 'cpu', 2)]);
    await sink.write([windowRecord(2, 'cpu', 3)]);
    await sink.flush();
    await sink.close();
    expect(received.split('\n').filter(Boolean)).toHaveLength(1);
  });
});
