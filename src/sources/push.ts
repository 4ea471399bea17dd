/**
 * A source fed by producers (the server's ingest endpoints): they `offer()`
 * column batches, the engine pulls them. The queue is bounded in events —
 * an offer that would exceed the bound is refused (the server answers 503 /
 * "busy"), so memory stays bounded and nothing accepted is ever dropped.
 *
 * The engine takes everything queued (up to its batch size) in one batch,
 * so many small requests cost one core call. Order is arrival order, which
 * keeps each connection's events in the order it sent them. `close()` ends
 * the source once the queue is drained (graceful shutdown).
 *
 * No Node-only imports.
 */
import type { ColumnBatch } from '../engine/columnBatch.js';
import type { Source, SourceBatch } from '../engine/source.js';

/** Default bound of queued events. */
export const DEFAULT_MAX_QUEUED_EVENTS = 1_000_000;

export class PushSource implements Source {
  readonly bounded = false;
  private readonly queue: ColumnBatch[] = [];
  private queued = 0;
  private closed = false;
  private wake: (() => void) | null = null;
  /** Events accepted so far. */
  acceptedEvents = 0;

  constructor(
    readonly description: string,
    readonly maxQueuedEvents = DEFAULT_MAX_QUEUED_EVENTS,
  ) {}

  /** Events waiting for the engine. */
  get queuedEvents(): number {
    return this.queued;
  }

  /** True once close() was called (no more offers). */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Queues a batch; false (nothing queued) when the source is closed or the
   * queue would exceed its bound. A batch larger than the whole bound is
   * accepted into an empty queue, so it can never be refused forever.
   */
  offer(batch: ColumnBatch): boolean {
    if (this.closed) return false;
    if (this.queued > 0 && this.queued + batch.rows > this.maxQueuedEvents) return false;
    this.queue.push(batch);
    this.queued += batch.rows;
    this.acceptedEvents += batch.rows;
    this.wake?.();
    return true;
  }

  /** No more offers; the engine drains what is queued, then the source ends. */
  close(): void {
    this.closed = true;
    this.wake?.();
  }

  async *batches(maxRows: number, signal: AbortSignal): AsyncGenerator<SourceBatch> {
    const onAbort = () => this.wake?.();
    signal.addEventListener('abort', onAbort);
    try {
      for (;;) {
        if (signal.aborted) return;
        if (this.queue.length === 0) {
          if (this.closed) return;
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
          this.wake = null;
          continue;
        }
        const columns: ColumnBatch[] = [];
        let rows = 0;
        while (this.queue.length > 0 && (columns.length === 0 || rows + this.queue[0]!.rows <= maxRows)) {
          const next = this.queue.shift()!;
          columns.push(next);
          rows += next.rows;
        }
        this.queued -= rows;
        const receivedAt = columns.reduce((t, c) => Math.min(t, c.receivedAt ?? Infinity), Infinity);
        yield { rows: [], errors: [], columns, ...(Number.isFinite(receivedAt) ? { receivedAt } : {}) };
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}
