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
import { csvLine } from '../engine/csvFormat.js';
import { UsageError } from '../config/usageError.js';
import { describeLocation } from '../engine/errorReporter.js';
import { MAX_RAW_CHARS, type InputError } from '../engine/inputError.js';
import { splitCsvLine } from '../engine/csvText.js';

/** The plan `eddy detect` runs: one series, the default score only. */
export function detectPlan(): QueryPlan {
  return {
    name: 'eddy-detect',
    kind: 'events',
    timeColumn: 'timestamp',
    valueColumn: 'value',
    keyColumns: [],
    aggregates: [],
    sizeMs: 60_000,
    slideMs: 60_000,
    delayMs: 0,
    latenessMs: 0,
    outputMode: 'append',
    batchSize: 65_536,
    flushAtEnd: false,
    flushOnStop: false,
    analytics: { score: true, thresholds: [] },
  };
}

/** Bytes an output file may buffer before a write waits. */
const OUTPUT_BUFFER_BYTES = 4 << 20;

/** Rows per core call in `eddy detect`. */
const DETECT_SLICE = 4096;

/** Rows and time of one scored file. */
export interface DetectStats {
  rows: number;
  errors: number;
  ms: number;
}

/** Writes, waiting for 'drain' when the stream asks to; each wait's listeners are removed after it (a long file waits many times). */
function write(out: NodeJS.WritableStream, text: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    if (out.write(text)) return resolve();
    const onDrain = (): void => {
      out.off('error', onError);
      resolve();
    };
    const onError = (error: Error): void => {
      out.off('drain', onDrain);
      reject(error);
    };
    out.once('drain', onDrain);
    out.once('error', onError);
  });
}

/** A score as written: shortest round-trip text; a non-finite score (none can be) as 0. */
function scoreText(score: number): string {
  return Number.isFinite(score) ? String(score) : '0';
}

/**
 * Scores one CSV file into `out`; returns its stats. The file goes through
 * the core's CSV scanner in 1 MiB chunks (one scan call each, no row
 * objects); each scanned row's time and value cells are copied from the
 * bytes as read into the output (src/engine/scoredCsv.ts).
 */
export async function detectFile(input: string, out: NodeJS.WritableStream, log: (line: string) => void): Promise<DetectStats> {
  const t0 = performance.now();
  const engine = new BatchEngine(detectPlan(), loadCore(), `file:${input}`, false, false);
  engine.keepScannedText();
  const source = fileSource(input, { format: 'csv' });
  await write(out, csvLine(['timestamp', 'value', 'anomaly_score']));
  let rows = 0;
  let errors = 0;
  let header: readonly string[] | undefined;
  for await (const batch of source.batches(0, new AbortController().signal)) {
    // One scan per chunk, then slices of DETECT_SLICE rows: a wasm call keeps the code tier it
    // started in, so a whole file in one call would run unoptimised.
    const scanned = engine.scanBatch(batch);
    let unreadable: InputError[] = [];
    let u = 0;
    for (let done = 0, first = true; first || done < scanned.rows; first = false) {
      const n = Math.min(DETECT_SLICE, scanned.rows - done);
      const result = engine.processScanned(n);
      done += n;
      if (first) {
        for (const e of result.errors) {
          errors++;
          log(`bad input at ${describeLocation(e)}: ${e.reason}`);
        }
        // rows whose time or value is unreadable keep their place, with an empty score; lines with no cells have no row
        unreadable = result.errors.filter((e) => e.kind !== undefined && e.kind !== 'malformed' && e.line !== undefined);
        header ??= engine.csvHeader();
      }
      const scores = engine.eventScores();
      const scoreOf = (r: number): string => scoreText(scores.data[scores.offset + r * scores.width + S_SCORE]!);
      const lines = result.sourceRows;
      // rows go out as bytes in runs between the unreadable rows, which keep their place
      let from = 0;
      for (let r = 0; r < n && u < unreadable.length; r++) {
        if (unreadable[u]!.line! > lines[r]!) continue;
        if (r > from) await write(out, engine.scoredCsv(from, r, scoreOf));
        from = r;
        let text = '';
        while (u < unreadable.length && unreadable[u]!.line! < lines[r]!) text += unreadableRow(unreadable[u++]!, header);
        await write(out, text);
      }
      if (n > from) await write(out, engine.scoredCsv(from, n, scoreOf));
      if (done === scanned.rows) {
        let text = '';
        while (u < unreadable.length) text += unreadableRow(unreadable[u++]!, header);
        if (text.length > 0) await write(out, text);
      }
      rows += n;
    }
    rows += unreadable.length;
  }
  return { rows, errors, ms: performance.now() - t0 };
}

/** The output row of a row whose time or value could not be read: its cells as read, an empty score. */
function unreadableRow(error: InputError, header: readonly string[] | undefined): string {
  // a report keeps MAX_RAW_CHARS of the line: a longer line's cells are not all there, so none are echoed
  const cells = error.raw === undefined || error.raw.length > MAX_RAW_CHARS ? undefined : splitCsvLine(error.raw);
  const cell = (name: string): string | undefined => {
    const at = header?.indexOf(name) ?? -1;
    return Array.isArray(cells) && at >= 0 && cells[at] !== '' ? cells[at] : undefined;
  };
  return csvLine([cell('timestamp'), cell('value'), null]);
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
  // a slice's lines (~160 KB) fit the buffer, so writing overlaps scoring the next slice instead of waiting for each drain
  const out = createWriteStream(path, { highWaterMark: OUTPUT_BUFFER_BYTES });
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
  });
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
  const add = (s: DetectStats) => {
    total = { rows: total.rows + s.rows, errors: total.errors + s.errors, ms: total.ms + s.ms };
  };
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
  err.write(
    `eddy: scored ${total.rows} rows in ${(total.ms / 1000).toFixed(2)} s (${rate} rows/s)${total.errors ? `, ${total.errors} rows unreadable (empty score)` : ''}\n`,
  );
  return 0;
}
