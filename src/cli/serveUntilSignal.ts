/**
 * The life of a served pipeline (`eddy serve`, `eddy demo`): it serves until
 * SIGINT/SIGTERM (a second one exits at once with 130), or until its query
 * fails; a bounded source that ends leaves it serving. Then the server stops
 * (no new events, the queue drained, sinks flushed) and the exit code is
 * returned.
 */
import type { ServedHandle } from '../server/startServer.js';
import type { ProgressPrinter } from './progressPrinter.js';

/** How a served pipeline ends. */
export interface ServeLifeOptions {
  err: { write(chunk: string): unknown };
  /** Written after `eddy: SIGINT, ` when a signal arrives. */
  stoppingMessage: string;
  /** Stop as on a signal when stdout is closed (`eddy demo | head`), instead of crashing on EPIPE. */
  stopOnClosedStdout?: boolean;
}

/** Serves until a signal or a failure; resolves with the exit code (0, or 1 when the query failed). */
export async function serveUntilSignal(handle: ServedHandle, progress: ProgressPrinter, opts: ServeLifeOptions): Promise<number> {
  let interrupts = 0;
  let resolveSignal!: () => void;
  const signalled = new Promise<void>((resolve) => { resolveSignal = resolve; });
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupts++;
    if (interrupts > 1) {
      opts.err.write('eddy: second interrupt, exiting without cleanup\n');
      process.exit(130);
    }
    opts.err.write(`eddy: ${signal}, ${opts.stoppingMessage}\n`);
    resolveSignal();
  };
  const onStdoutError = (e: NodeJS.ErrnoException): void => {
    if (e.code === 'EPIPE') resolveSignal();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (opts.stopOnClosedStdout) process.stdout.on('error', onStdoutError);
  try {
    // a failing query ends the server too; a bounded source that ends leaves it serving until a signal
    const failed = handle.query.awaitTermination().then(() => null, (e: unknown) => e as Error);
    const first = await Promise.race([signalled.then(() => 'signal' as const), failed.then((e) => e ?? ('ended' as const))]);
    if (first === 'ended') await signalled;
    else if (first instanceof Error) {
      opts.err.write(`eddy: query failed: ${first.message}\n`);
      await handle.stop().catch(() => undefined);
      return 1;
    }
    await handle.stop();
    return 0;
  } catch (e) {
    opts.err.write(`eddy: query failed: ${(e as Error).message}\n`);
    return 1;
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.stdout.off('error', onStdoutError);
  }
}
