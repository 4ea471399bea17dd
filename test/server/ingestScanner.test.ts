/**
 * The server's scanner on its own: the NDJSON line limit counts characters
 * as JavaScript does (UTF-16 code units, an astral character is two), a
 * refused payload leaves no keys behind, and its columns carry the keys of
 * a table shared by every payload.
 */
import { describe, expect, it } from 'vitest';
import { loadCore } from '../../src/node/loadCore.js';
import { IngestScanner, type ScannedPayload } from '../../src/server/ingestScanner.js';
import { parsePipelineConfig } from '../../src/config/pipelineConfig.js';

const T0 = Date.UTC(2024, 0, 1);
const plan = parsePipelineConfig({
  timestamp_column: 'timestamp',
  value_column: 'value',
  grouping_columns: ['metric'],
  processing: { window_size: '1 minute' },
  source: { type: 'stdin' },
  sink: { type: 'console' },
});
const bytes = (text: string) => new TextEncoder().encode(text);
const line = (metric: string) => JSON.stringify({ timestamp: T0, metric, value: 1 });

describe('IngestScanner', () => {
  it('limits NDJSON lines in UTF-16 code units, not bytes', () => {
    const s = new IngestScanner(plan, loadCore());
    for (const metric of ['plain', 'ééé-ключ', '😀😀']) {
      const text = line(metric);
      expect(new TextEncoder().encode(text).length).toBeGreaterThanOrEqual(text.length);
      const fits = s.scan('ndjson', bytes(text), 'test', text.length, 100) as ScannedPayload;
      expect(fits.errors, metric).toEqual([]);
      expect(fits.batch?.rows).toBe(1);
      const over = s.scan('ndjson', bytes(`${line('x')}\n${text}`), 'test', text.length - 1, 100) as ScannedPayload;
      expect(
        over.errors.map((e) => [e.line, e.reason]),
        metric,
      ).toEqual([[2, `line longer than ${text.length - 1} characters`]]);
      expect(over.batch?.rows).toBe(1);
    }
  });

  it('a refused payload keeps none of its keys; accepted ones share one growing key table', () => {
    const s = new IngestScanner(plan, loadCore());
    const first = s.scan('ndjson', bytes(`${line('a')}\n${line('b')}`), 'test', 1000, 10) as ScannedPayload;
    const table = first.batch!.keyTable!;
    expect(table.size).toBe(2);
    expect(s.scan('json', bytes(`[${line('c')},${line('d')}`), 'test', 1000, 10)).toEqual({ invalidJson: expect.stringMatching(/^unexpected end of input/) });
    expect(s.scan('ndjson', bytes([line('e'), line('f'), line('g')].join('\n')), 'test', 1000, 2)).toEqual({ tooManyRows: true });
    expect(s.scan('json', bytes(`[${line('h')},${line('i')},${line('j')}]`), 'test', 1000, 2)).toEqual({ tooManyRows: true });
    const next = s.scan('json', bytes(`[${line('b')},${line('z')}]`), 'test', 1000, 10) as ScannedPayload;
    expect(next.batch!.keyTable).toBe(table);
    expect(Array.from(next.batch!.key)).toEqual([1, 2]);
    expect([0, 1, 2].map((id) => table.valuesOf(id))).toEqual([['a'], ['b'], ['z']]);
  });
});
