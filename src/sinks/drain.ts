/**
 * Waiting for a writable stream to accept more data (backpressure).
 *
 * `write()` returning false means the stream's buffer is full; writing on
 * would grow memory without bound when the destination is slower than the
 * query, so sinks wait for 'drain'. A stream that fails or closes instead
 * never drains, so those end the wait too, or the sink would hang.
 */

/** The part of a Node writable stream that the wait needs. */
export interface DrainableStream {
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
  /** True once the stream is destroyed (it will never drain). */
  readonly destroyed?: boolean;
}

/** True when `value` has the event methods `waitForDrain` needs. */
export function isDrainable(value: unknown): value is DrainableStream {
  const candidate = value as Partial<DrainableStream> | null;
  return typeof candidate?.once === 'function' && typeof candidate.removeListener === 'function';
}

/**
 * Resolves on the stream's next 'drain' or 'close' (or at once if it is
 * already destroyed); rejects with the error of an 'error' event.
 */
export function waitForDrain(stream: DrainableStream): Promise<void> {
  if (stream.destroyed === true) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const cleanup = (): void => {
      stream.removeListener('drain', onDone);
      stream.removeListener('close', onDone);
      stream.removeListener('error', onError);
    };
    const onDone = (): void => {
      cleanup();
      resolve();
    };
    const onError = (...args: unknown[]): void => {
      cleanup();
      reject(args[0] instanceof Error ? args[0] : new Error(String(args[0])));
    };
    stream.once('drain', onDone);
    stream.once('close', onDone);
    stream.once('error', onError);
  });
}
