/**
 * `eddy detect <input.csv | dir> [--output out.csv | dir]`: scores a NAB-style
 * CSV (`timestamp,value`) with eddy's default anomaly detector and writes
 * `timestamp,value,anomaly_score` — one row per input row, in order, the
 * timestamp and value exactly as read. A directory is walked recursively and
 * mirrored into the output directory (every `.csv` file).
 *
 * One streaming pass per file, no look-ahead, the same settings for every
 * file. A row whose timestamp or value cannot be read is reported on stderr
 * and written with an empty score (never guessed); a line the CSV parser
 * cannot split into cells at all is reported and has no output row.
 */
import { mkdirSync, readdirSync, statSync, createWriteStream, type WriteStream } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileSource } from '../sources/file.js';
import { BatchEngine } from '../engine/batchEngine.js';
import type { QueryPlan } from '../engine/plan.js';
import { loadCore } from '../node/loadCore.js';
import { S_SCORE } from '../core/exports.js';
import { csvLine } from '../sinks/csvFormat.js';
import { UsageError } from './args.js';
import { describeLocation } from '../engine/errorReporter.js';

/** The plan `eddy detect` runs: one series, the default score only. */
export function detectPlan(): QueryPlan {
  return {
    name: 'eddy-detect', kind: 'events', timeColumn: 'timestamp', valueColumn: 'value', keyColumns: [], aggregates: [],
    sizeMs: 60_000, slideMs: 60_000, delayMs: 0, latenessMs: 0, outputMode: 'append', batchSize: 65_536,
    flushAtEnd: false, flushOnStop: false, analytics: { score: true, thresholds: [] },
  };
}

/** Rows per core call in `eddy detect`. */
const DETECT_BATCH = 4096;

/** Rows and time of one scored file. */
export interface DetectStats {
  rows: number;
  errors: number;
  ms: number;
}

function write(out: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (out.write(text)) resolve();
    else {
      out.once('drain', resolve);
      out.once('error', reject);
    }
  });
}

/** Scores one CSV file into `out`; returns its stats. */
export async function detectFile(input: string, out: NodeJS.WritableStream, log: (line: string) => void): Promise<DetectStats> {
  const t0 = performance.now();
  const engine = new BatchEngine(detectPlan(), loadCore(), `file:${input}`, false, false);
  const source = fileSource(input, { format: 'csv' });
  await write(out, csvLine(['timestamp', 'value', 'anomaly_score']));
  let rows = 0;
  let errors = 0;
  // Batches of 4096 rows: the engine compiles wasm in tiers and a call keeps
  // the code it started with, so a whole file in one call would run unoptimised.
  for await (const batch of source.batches(DETECT_BATCH, new AbortController().signal)) {
    const result = engine.processBatch(batch);
    const scores = engine.eventScores();
    // score of each source row of the batch (empty when the row was rejected)
    const scoreOf = new Array<string | null>(batch.rows.length).fill(null); // null: an empty cell
    for (let r = 0; r < result.encodedRows; r++) {
      const score = scores.data[scores.offset + r * scores.width + S_SCORE]!;
      scoreOf[result.sourceRows[r]!] = Number.isFinite(score) ? String(score) : '0';
    }
    for (const e of result.errors) {
      errors++;
      log(`bad input at ${describeLocation(e)}: ${e.reason}`);
    }
    let text = '';
    for (let i = 0; i < batch.rows.length; i++) {
      const row = batch.rows[i]!;
      text += csvLine([row.timestamp as string | undefined, row.value as string | undefined, scoreOf[i]!]);
    }
    rows += batch.rows.length;
    await write(out, text);
  }
  return { rows, errors, ms: performance.now() - t0 };
}

/** Every .csv under a directory, sorted. */
function csvFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...csvFiles(path));
    else if (name.toLowerCase().endsWith('.csv')) out.push(path);
  }
  return out;
}

async function toFile(path: string, f: (out: WriteStream) => Promise<DetectStats>): Promise<DetectStats> {
  mkdirSync(dirname(path), { recursive: true });
  const out = createWriteStream(path);
  const done = new Promise<void>((resolve, reject) => { out.on('finish', resolve); out.on('error', reject); });
  const stats = await f(out);
  out.end();
  await done;
  return stats;
}

/** Runs `eddy detect`; resolves with the exit code. */
export async function detectCommand(input: string, output: string | undefined, err: { write(s: string): unknown }): Promise<number> {
  let isDir: boolean;
  try {
    isDir = statSync(input).isDirectory();
  } catch {
    throw new UsageError(`cannot read ${input}: no such file or directory`);
  }
  const log = (line: string) => err.write(`eddy: ${line}\n`);
  let total: DetectStats = { rows: 0, errors: 0, ms: 0 };
  const add = (s: DetectStats) => { total = { rows: total.rows + s.rows, errors: total.errors + s.errors, ms: total.ms + s.ms }; };
  if (isDir) {
    if (output === undefined) throw new UsageError('detect on a directory needs --output <directory>');
    const files = csvFiles(input);
    if (files.length === 0) throw new UsageError(`no .csv files under ${input}`);
    for (const [i, file] of files.entries()) {
      const target = join(output, relative(input, file));
      const stats = await toFile(target, (out) => detectFile(file, out, log));
      add(stats);
      err.write(`eddy: [${i + 1}/${files.length}] ${relative(input, file)}: ${stats.rows} rows in ${stats.ms.toFixed(0)} ms\n`);
    }
  } else if (output !== undefined) {
    add(await toFile(output, (out) => detectFile(input, out, log)));
  } else {
    add(await detectFile(input, process.stdout, log));
  }
  const rate = total.ms > 0 ? Math.round((total.rows * 1000) / total.ms) : 0;
  err.write(`eddy: scored ${total.rows} rows in ${(total.ms / 1000).toFixed(2)} s (${rate} rows/s)${total.errors ? `, ${total.errors} rows unreadable (empty score)` : ''}\n`);
  return 0;
}
