/**
 * Golden cases: `<case>.input.jsonl` + `<case>.config.json` (a pipeline
 * config without source and sink) → `<case>.expected.jsonl` (window records)
 * and optionally `<case>.late.jsonl` (late events). Each case is replayed
 * (as Arroyo's golden tests are):
 *   1. through the fluent API (array source → query → callback sinks) with
 *      batches of 1, 3 and everything at once;
 *   2. through BatchEngine with a snapshot → restore into a fresh engine
 *      after every possible row, in batches of 2.
 * Outputs are compared ignoring order. For update mode the comparison is on
 * the latest version of each window (update mode's output depends on the
 * batch split by design; the final table does not).
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createEddy, window } from '../../src/index.js';
import { parsePipelineConfig, type PipelineConfig } from '../../src/config/pipelineConfig.js';
import { arraySource } from '../../src/sources/array.js';
import { callbackSink } from '../../src/sinks/callback.js';
import { loadCore } from '../../src/node/loadCore.js';
import { BatchEngine } from '../../src/engine/batchEngine.js';
import type { ResultRecord } from '../../src/engine/sink.js';

const DIR = fileURLToPath(new URL('.', import.meta.url));
const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.input.jsonl'))
  .map((f) => f.replace('.input.jsonl', ''))
  .sort();

function readJsonl(path: string): ResultRecord[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as ResultRecord);
}

function loadCase(name: string): { config: PipelineConfig; input: ResultRecord[]; expected: ResultRecord[]; late: ResultRecord[] | undefined } {
  const partial = JSON.parse(readFileSync(join(DIR, `${name}.config.json`), 'utf8')) as Record<string, unknown>;
  const config = parsePipelineConfig({ ...partial, source: { type: 'stdin' }, sink: { type: 'console' } });
  const latePath = join(DIR, `${name}.late.jsonl`);
  return {
    config,
    input: readJsonl(join(DIR, `${name}.input.jsonl`)),
    expected: readJsonl(join(DIR, `${name}.expected.jsonl`)),
    late: existsSync(latePath) ? readJsonl(latePath) : undefined,
  };
}

/** Identity of a window record: window bounds and group columns. */
function identity(r: ResultRecord, config: PipelineConfig): string {
  return JSON.stringify([r.window, ...config.keyColumns.map((k) => r[k])]);
}

/** Update mode: keep the last version of each window, as an upserting table would. */
function latest(records: ResultRecord[], config: PipelineConfig): ResultRecord[] {
  const byId = new Map<string, ResultRecord>();
  for (const r of records) byId.set(identity(r, config), r);
  return [...byId.values()];
}

function sorted(records: ResultRecord[]): ResultRecord[] {
  return records.map((r) => JSON.parse(JSON.stringify(r)) as ResultRecord).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** Deep equality with a tolerance for floating point (values in golden files are printed to 17 digits). */
function expectSameRecords(actual: ResultRecord[], expected: ResultRecord[], config: PipelineConfig): void {
  const key = (r: ResultRecord) => identity(r, config);
  const a = [...actual].sort((x, y) => key(x).localeCompare(key(y)));
  const e = [...expected].sort((x, y) => key(x).localeCompare(key(y)));
  expect(a.map(key)).toEqual(e.map(key));
  for (let i = 0; i < e.length; i++) {
    const exp = e[i]!;
    const act = a[i]!;
    expect(Object.keys(act)).toEqual(Object.keys(exp));
    for (const [field, value] of Object.entries(exp)) {
      const got = act[field];
      if (typeof value === 'number' && typeof got === 'number') {
        expect(Math.abs(got - value), `${key(exp)} ${field}: ${got} vs ${value}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(value)));
      } else {
        expect(got, `${key(exp)} ${field}`).toEqual(value);
      }
    }
  }
}

async function runQuery(config: PipelineConfig, input: ResultRecord[], batchSize: number): Promise<{ windows: ResultRecord[]; late: ResultRecord[] }> {
  const windows: ResultRecord[] = [];
  const late: ResultRecord[] = [];
  const eddy = createEddy({ createCore: () => loadCore() });
  const query = eddy
    .stream(arraySource(input, { batchSize }))
    .withWatermark(config.timeColumn, config.delayMs, { allowedLateness: config.latenessMs })
    .groupBy(window(config.timeColumn, config.sizeMs, config.slideMs), ...config.keyColumns)
    .agg(...config.aggregates)
    .writeStream(
      callbackSink((records) => {
        windows.push(...records);
      }),
    )
    .lateEvents(
      callbackSink((records) => {
        late.push(...records);
      }),
    )
    .outputMode(config.outputMode)
    .start();
  await query.awaitTermination();
  return { windows, late };
}

describe.each(cases)('golden case %s', (name) => {
  const { config, input, expected, late } = loadCase(name);
  const compare = (records: ResultRecord[]) => expectSameRecords(config.outputMode === 'update' ? latest(records, config) : records, expected, config);

  it.each([1, 3, input.length])('through the fluent API in batches of %i', async (batchSize) => {
    const out = await runQuery(config, input, batchSize);
    compare(out.windows);
    if (late) expect(sorted(out.late)).toEqual(sorted(late));
  });

  it('through BatchEngine with a snapshot/restore into a fresh engine at every point', () => {
    for (let cut = 0; cut <= input.length; cut++) {
      let engine = new BatchEngine(config, loadCore(), 'golden', true);
      const windows: ResultRecord[] = [];
      const lateOut: ResultRecord[] = [];
      for (let from = 0; from < input.length; from += 2) {
        if (cut >= from && cut < from + 2) {
          const bytes = engine.snapshot();
          engine = new BatchEngine(config, loadCore(), 'golden', true);
          engine.restore(bytes);
        }
        const r = engine.processBatch({ rows: input.slice(from, from + 2), errors: [] });
        windows.push(...r.windows);
        lateOut.push(...r.late);
      }
      windows.push(...engine.flush());
      compare(windows);
      if (late) expect(sorted(lateOut)).toEqual(sorted(late));
    }
  });
});
