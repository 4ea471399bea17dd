/**
 * The progress line `eddy run` and `eddy serve` print to stderr every few
 * seconds, summarising the batches since the previous line.
 */
import type { QueryProgress } from '../engine/progress.js';
import { progressLine } from './progressLine.js';

/** A progress printer: feed it each batch's progress, stop it at the end. */
export interface ProgressPrinter {
  onProgress(p: QueryProgress): void;
  stop(): void;
}

/** Prints a progress line every `intervalMs` (0 = never); feed it every batch's progress. */
export function progressPrinter(err: { write(chunk: string): unknown }, intervalMs: number): ProgressPrinter {
  let lastLineAt = performance.now();
  let rows = 0;
  let busyMs = 0;
  let latest: QueryProgress | null = null;
  const print = (): void => {
    if (!latest) return;
    const seconds = (performance.now() - lastLineAt) / 1000;
    err.write(`${progressLine(latest, rows, seconds, busyMs > 0 ? (rows * 1000) / busyMs : 0)}\n`);
    lastLineAt = performance.now();
    rows = 0;
    busyMs = 0;
  };
  const timer = intervalMs > 0 ? setInterval(print, intervalMs) : undefined;
  return {
    onProgress(p) {
      latest = p;
      rows += p.numInputRows;
      busyMs += p.batchDurationMs;
    },
    stop() {
      if (timer) clearInterval(timer);
      if (intervalMs > 0) print();
    },
  };
}
