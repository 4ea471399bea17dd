/**
 * The one life of eddy's long-running commands (`eddy run`, `eddy serve`,
 * `eddy demo`): what stops them, and how.
 *
 *  - SIGINT (Ctrl-C) or SIGTERM: `eddy: SIGINT, <stopping message>` on
 *    stderr, and a graceful stop (the command stops its query or server:
 *    sinks flushed, open windows flushed only if asked). A second signal
 *    exits at once with 130, without cleanup.
 *  - stdout closed by its reader (EPIPE, as in `eddy demo | head -5`): the
 *    same graceful stop, quietly (as `yes | head` is quiet), and the exit
 *    code stays 0. From then on stdout's errors are ignored for the rest of
 *    the process: nothing can reach it any more, and an 'error' event with
 *    no listener would end the process with a stack trace.
 *
 * The command calls `end()` when it is done, which removes the handlers.
 */

/** What asked a command to stop. */
export type StopCause = 'SIGINT' | 'SIGTERM' | 'stdout closed';

/** The stop requests of one command run. */
export interface ProcessLife {
  /** Resolves with the first stop request (never, if none comes before `end()`). */
  readonly stopRequested: Promise<StopCause>;
  /** Removes the signal and stdout handlers (a closed stdout stays ignored). */
  end(): void;
}

/** Options of `processLife`. */
export interface ProcessLifeOptions {
  err: { write(chunk: string): unknown };
  /** Written after `eddy: SIGINT, ` when a signal arrives, e.g. `stopping…`. */
  stoppingMessage: string;
}

/** Exit code of a second signal: 128 + SIGINT, as a shell reports an interrupted command. */
export const SECOND_SIGNAL_EXIT_CODE = 130;

/** A stdout error that means its reader went away. */
const isClosedPipe = (e: NodeJS.ErrnoException): boolean => e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED';
/** Set once stdout was found closed: its later errors are ignored by a listener that stays. */
let stdoutClosed = false;
const ignore = (): void => undefined;

/** Starts listening for stop requests (see the module comment). */
export function processLife(opts: ProcessLifeOptions): ProcessLife {
  let signals = 0;
  let request!: (cause: StopCause) => void;
  const stopRequested = new Promise<StopCause>((resolve) => {
    request = resolve;
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      opts.err.write('eddy: second interrupt, exiting without cleanup\n');
      process.exit(SECOND_SIGNAL_EXIT_CODE);
      return;
    }
    opts.err.write(`eddy: ${signal}, ${opts.stoppingMessage}\n`);
    request(signal === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
  };
  const onStdoutError = (e: NodeJS.ErrnoException): void => {
    if (!isClosedPipe(e)) return;
    if (!stdoutClosed) {
      stdoutClosed = true;
      process.stdout.on('error', ignore);
    }
    request('stdout closed');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.stdout.on('error', onStdoutError);
  return {
    stopRequested,
    end() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.stdout.off('error', onStdoutError);
    },
  };
}
