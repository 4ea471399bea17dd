/**
 * A sink that hands each batch to a function (Spark's `foreachBatch`): the
 * way to send results anywhere eddy has no sink for, from Node or a browser.
 * Browser-safe: no Node imports.
 */
import type { OutputSchema, ResultRecord, Sink } from '../engine/sink.js';

/** Receives each batch with the schema of its records; may be async. */
export type BatchCallback = (records: ResultRecord[], schema: OutputSchema) => void | Promise<void>;

/** Options of `callbackSink`. */
export interface CallbackSinkOptions {
  /** Description for progress output. Default `callback`. */
  description?: string;
}

/**
 * A sink calling `fn` once per batch, after `open()`. The engine waits for a
 * returned promise before the next batch (backpressure); a throw or a
 * rejection rejects the sink's `write`, so the engine sees the failure.
 */
export function callbackSink(fn: BatchCallback, options: CallbackSinkOptions = {}): Sink {
  if (typeof fn !== 'function') throw new TypeError('callback sink: expected a function');
  let schema: OutputSchema | undefined;
  return {
    description: options.description ?? 'callback',
    open(openedSchema: OutputSchema): void {
      schema = openedSchema;
    },
    async write(records: ResultRecord[]): Promise<void> {
      if (schema === undefined) throw new Error('callback sink: write before open');
      await fn(records, schema);
    },
    flush(): void {
      // Nothing is buffered: each batch went to the callback in write().
    },
    close(): void {
      // The callback owns whatever it wrote to.
    },
  };
}
