/**
 * Waiting that an AbortSignal can cut short, for sources that pace rows
 * (replay, rate-limited generator) or wait for input (stdin). Each helper
 * removes its timer and abort listener when it settles, so thousands of
 * waits leave nothing behind. Uses only timers and `performance`, which
 * browsers have too.
 */

/** Sleeps `ms` milliseconds; resolves early with false when `signal` aborts, else true. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      },
      Math.max(0, ms),
    );
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** What {@link waitFor} saw first. */
export type WaitOutcome<T> = { kind: 'value'; value: T } | { kind: 'timeout' } | { kind: 'aborted' };

/**
 * Waits for `promise`, at most `timeoutMs` (Infinity = no limit), or until
 * `signal` aborts. A rejection of `promise` rejects the result. The promise
 * itself is left running: a caller that timed out may wait for it again.
 */
export function waitFor<T>(promise: Promise<T>, timeoutMs: number, signal: AbortSignal): Promise<WaitOutcome<T>> {
  if (signal.aborted) return Promise.resolve({ kind: 'aborted' });
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      settle();
      resolve({ kind: 'aborted' });
    };
    if (Number.isFinite(timeoutMs)) {
      timer = setTimeout(
        () => {
          settle();
          resolve({ kind: 'timeout' });
        },
        Math.max(0, timeoutMs),
      );
    }
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        settle();
        resolve({ kind: 'value', value });
      },
      (error: unknown) => {
        settle();
        reject(error);
      },
    );
  });
}

/**
 * Lets timers and I/O run now and then during a long synchronous-looking
 * loop. An async generator that never awaits real I/O resumes through
 * microtasks only, which starves the event loop: a Ctrl-C handler (and so
 * the abort) would never run. `maybe()` yields a macrotask at most every
 * `intervalMs`, which costs next to nothing.
 */
export class Breather {
  private last = performance.now();

  /** @param intervalMs longest stretch without yielding to the event loop */
  constructor(private readonly intervalMs = 50) {}

  /** Yields to the event loop if the last yield is older than the interval. */
  async maybe(): Promise<void> {
    const now = performance.now();
    if (now - this.last < this.intervalMs) return;
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    this.last = performance.now();
  }
}
