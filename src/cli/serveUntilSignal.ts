/**
 * The life of a served pipeline (`eddy serve`, `eddy demo`): it serves until
 * a stop request of the process life (src/cli/processLife.ts: SIGINT or
 * SIGTERM, a second one exits at once with 130; a closed stdout, as in
 * `eddy demo | head`), or until its query fails; a bounded source that ends
 * leaves it serving. Then the server stops (no new events, the queue
 * drained, sinks flushed) and the exit code is returned.
 */
import type { ServedHandle } from '../server/startServer.js';
import type { ProgressPrinter } from './progressPrinter.js';
import { processLife } from './processLife.js';

/** How a served pipeline ends. */
export interface ServeLifeOptions {
  err: { write(chunk: string): unknown };
  /** Written after `eddy: SIGINT, ` when a signal arrives. */
  stoppingMessage: string;
}

/** Serves until a stop request or a failure; resolves with the exit code (0, or 1 when the query failed). */
export async function serveUntilSignal(handle: ServedHandle, progress: ProgressPrinter, opts: ServeLifeOptions): Promise<number> {
  const life = processLife(opts);
  try {
    // a failing query ends the server too; a bounded source that ends leaves it serving until a stop request
    const failed = handle.query.awaitTermination().then(
      () => null,
      (e: unknown) => e as Error,
    );
    const first = await Promise.race([life.stopRequested.then(() => 'stop' as const), failed.then((e) => e ?? ('ended' as const))]);
    if (first === 'ended') await life.stopRequested;
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
    life.end();
  }
}
