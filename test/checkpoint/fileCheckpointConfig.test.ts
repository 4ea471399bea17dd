/**
 * `processing.checkpoint_location` with a file source: a config-built query
 * writes checkpoint files into the directory (relative to the config's
 * folder), a run stopped part-way and started again over the same config
 * gives the uninterrupted run's windows between them, and a run that read
 * the whole file leaves nothing for the next one.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePipelineConfig } from '../../src/config/pipelineConfig.js';
import { startPipeline } from '../../src/config/buildPipeline.js';
import { callbackSink } from '../../src/sinks/callback.js';
import { loadCore } from '../../src/node/loadCore.js';
import type { ResultRecord } from '../../src/engine/sink.js';
import { SINGLE_TASK_SCOPE } from '../../src/engine/query.js';
import type { RunningQuery } from '../../src/engine/query.js';
import { sortedByWindow } from '../support/resumableRun.js';

const T0 = Date.UTC(2024, 0, 1);

/** 60,000 events of two metrics, 1 s apart, some up to 20 s out of order: about 4 MB, four 1 MiB chunks of the file source. */
function ndjson(): string {
  const out: string[] = [];
  for (let i = 0; i < 60_000; i++) {
    out.push(JSON.stringify({ timestamp: T0 + i * 1_000 - ((i * 7919) % 20_000), metric: i % 2 === 0 ? 'cpu' : 'mem', value: (i * 37) % 101 }));
  }
  return `${out.join('\n')}\n`;
}

describe('checkpoint_location with a file source', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-file-cp-'));
  writeFileSync(join(dir, 'events.ndjson'), ndjson());

  /** Runs the config over events.ndjson (checkpointed into `cp` when asked), stopping after `stopAfter` batches if given. */
  async function run(checkpointed: boolean, stopAfter?: number): Promise<{ records: ResultRecord[]; log: string[] }> {
    const config = parsePipelineConfig({
      source: { type: 'file', path: 'events.ndjson' },
      processing: {
        window_size: '1 minute',
        slide_duration: '30 seconds',
        watermark_delay: '30 seconds',
        aggregations: ['count', 'avg', 'max'],
        ...(checkpointed ? { checkpoint_location: 'cp', checkpoint_every_batches: 1 } : {}),
      },
      sink: { type: 'console' },
    });
    expect(config.warnings).toEqual([]);
    const records: ResultRecord[] = [];
    const log: string[] = [];
    let query: RunningQuery | undefined;
    query = startPipeline(
      config,
      {
        createCore: () => loadCore(),
        log: (line) => log.push(line),
        onProgress: (p) => {
          if (stopAfter !== undefined && p.numInputRows > 0 && p.batchId + 1 >= stopAfter) void query?.stop({ flush: false });
        },
      },
      { baseDir: dir },
      {
        results: callbackSink((batch) => {
          records.push(...batch);
        }),
      },
    );
    await query.awaitTermination();
    return { records, log };
  }

  it('a stopped run resumes from its checkpoint: together they give the uninterrupted windows', async () => {
    const whole = await run(false);
    expect(whole.records.length).toBeGreaterThan(20);
    const first = await run(true, 2);
    expect(first.records.length).toBeGreaterThan(0);
    expect(first.records.length).toBeLessThan(whole.records.length);
    // the checkpoints are files in the configured directory, resolved from the config's folder
    expect(readdirSync(join(dir, 'cp', SINGLE_TASK_SCOPE)).filter((f) => f.endsWith('.eddy')).length).toBeGreaterThan(0);
    const second = await run(true);
    expect(second.log.some((l) => l.includes('restored checkpoint'))).toBe(true);
    expect(sortedByWindow([...first.records, ...second.records])).toEqual(sortedByWindow(whole.records));
    // the whole file has been read: a third run emits nothing
    expect((await run(true)).records).toEqual([]);
  });
});
