/**
 * eddy for browsers and edge runtimes (package export `eddy/browser`, bundled
 * by `npm run build:web` to dist/browser/eddy.js with the wasm core beside it
 * as dist/browser/eddy.wasm).
 *
 *   import { createBrowserEddy, generatorSource, window, avg, count, callbackSink } from 'eddy/browser';
 *
 *   const eddy = await createBrowserEddy();            // fetches ./eddy.wasm next to this module, once
 *   const query = eddy.stream(generatorSource({ keys: 4, limit: 10_000 }))
 *     .withWatermark('timestamp', '1 minute')
 *     .groupBy(window('timestamp', '5 minutes', '1 minute'), 'metric')
 *     .agg(avg('value'), count())
 *     .writeStream(callbackSink((records) => draw(records)))
 *     .start();
 *   await query.awaitTermination();
 *
 * The same wasm core and the same TypeScript host as the Node package run
 * here, so a query gives the same results in Node and in a page on the same
 * input.
 *
 * Where it runs: anything with WebAssembly and ES modules —
 *  - browsers (main thread) and Web Workers (module workers): the default
 *    fetches `new URL('./eddy.wasm', import.meta.url)`, compiled with
 *    `WebAssembly.compileStreaming` when the server sends `application/wasm`;
 *    compile once in the page and post the `WebAssembly.Module` to workers
 *    (`createBrowserEddy(module)`) to skip a second fetch and compile;
 *  - Deno and Bun: the default works (fetch of a file: or http: URL), or pass
 *    the bytes (`Deno.readFile`, `Bun.file(…).arrayBuffer()`);
 *  - Cloudflare Workers / workerd and Vercel Edge: they forbid compiling wasm
 *    from bytes at run time and cannot fetch a relative URL, so import the
 *    .wasm file through the platform's bundler (`import wasm from
 *    './eddy.wasm'` or `'./eddy.wasm?module'`), which yields a
 *    `WebAssembly.Module`, and pass it: `createBrowserEddy(wasm)`;
 *  - Node works too (pass the bytes), though Node users want the `eddy`
 *    package entry, which also has file, stdin and Kafka sources.
 *
 * Nothing in this module's import graph uses Node-only APIs (no `node:*`,
 * `Buffer` or `process`): test/browser/importGraph.test.ts checks it, and
 * esbuild bundles it with `platform: 'browser'` and no Node shims. Sources
 * and sinks that need Node (file, stdin, console, Kafka) are not exported.
 */
import { createEddy, type Eddy } from '../engine/api.js';
import { WasmCore } from '../core/wasmCore.js';
import type { QueryProgress } from '../engine/progress.js';
import type { InputError } from '../engine/inputError.js';

/** Where the wasm core comes from: a URL to fetch, its bytes, a compiled module, or a (promised) fetch Response. */
export type WasmInput = URL | string | BufferSource | WebAssembly.Module | Response | Promise<Response>;

/** Options of {@link createBrowserEddy} beyond the wasm. */
export interface BrowserEddyOptions {
  /** Receives human-readable notices about bad input (default: console.error). */
  log?: (line: string) => void;
  /** Receives every query's progress after every batch. */
  onProgress?: (progress: QueryProgress) => void;
  /** Receives every rejected input row. */
  onRejected?: (errors: InputError[]) => void;
}

/** The fluent API (`stream(source)…start()`) bound to one compiled core. */
export interface BrowserEddy extends Eddy {
  /** The compiled core: post it to a Worker and pass it to createBrowserEddy there. */
  readonly module: WebAssembly.Module;
  /** A fresh core instance (each query gets its own; also for driving the core directly). */
  createCore(): WasmCore;
}

/** The default location of the core: eddy.wasm beside this module (dist/browser/eddy.wasm). */
export function defaultWasmUrl(): URL {
  return new URL('./eddy.wasm', import.meta.url);
}

/** Modules compiled from URLs, by URL: each is fetched and compiled once per page or worker. */
const byUrl = new Map<string, Promise<WebAssembly.Module>>();

/**
 * Compiles the core from any {@link WasmInput}. Responses and URLs are
 * compiled while they download (`compileStreaming`) when the runtime has it
 * and the response is `application/wasm`; otherwise from the whole body.
 * A URL (the default included) is fetched and compiled once per page or
 * worker, however often this is called.
 */
export function compileCore(wasm: WasmInput = defaultWasmUrl()): Promise<WebAssembly.Module> {
  if (typeof wasm !== 'string' && !(wasm instanceof URL)) return compileFrom(wasm);
  const key = String(wasm);
  let module = byUrl.get(key);
  if (!module) {
    module = compileFrom(wasm).catch((error: unknown) => {
      byUrl.delete(key); // let a later call retry (the network may come back)
      throw error;
    });
    byUrl.set(key, module);
  }
  return module;
}

async function compileFrom(wasm: WasmInput): Promise<WebAssembly.Module> {
  if (wasm instanceof WebAssembly.Module) return wasm;
  if (wasm instanceof ArrayBuffer || ArrayBuffer.isView(wasm)) return WebAssembly.compile(wasm);
  if (typeof SharedArrayBuffer !== 'undefined' && wasm instanceof SharedArrayBuffer) return WebAssembly.compile(new Uint8Array(wasm).slice());
  if (typeof wasm === 'string' || wasm instanceof URL) {
    if (typeof fetch !== 'function')
      throw new TypeError(`createBrowserEddy(): this runtime has no fetch to load ${String(wasm)}; pass the wasm bytes or a WebAssembly.Module`);
    let response: Response;
    try {
      response = await fetch(wasm);
    } catch (error) {
      throw new Error(
        `createBrowserEddy(): cannot fetch the wasm core from ${String(wasm)} (${(error as Error).message}); pass the bytes or a WebAssembly.Module where fetching a URL is not possible`,
        { cause: error },
      );
    }
    return compileResponse(response, String(wasm));
  }
  if (isPromiseLike(wasm)) return compileResponse(await wasm, 'the given response');
  if (isResponse(wasm)) return compileResponse(wasm, 'the given response');
  throw new TypeError('createBrowserEddy(): expected a URL, bytes (ArrayBuffer or a typed array), a WebAssembly.Module or a fetch Response');
}

async function compileResponse(response: Response, what: string): Promise<WebAssembly.Module> {
  if (!isResponse(response)) throw new TypeError(`createBrowserEddy(): ${what} is not a fetch Response`);
  if (!response.ok) throw new Error(`createBrowserEddy(): fetching the wasm core from ${response.url || what} failed: HTTP ${response.status}`);
  const type = response.headers.get('content-type') ?? '';
  // compileStreaming insists on the application/wasm MIME type; servers that send
  // another type (file://, misconfigured static hosts) still work through compile().
  if (typeof WebAssembly.compileStreaming === 'function' && /^application\/wasm\b/i.test(type)) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

function isResponse(x: unknown): x is Response {
  if (typeof Response !== 'undefined' && x instanceof Response) return true;
  // Responses from another realm (an iframe) or a polyfill.
  const r = x as Partial<Response> | null;
  return typeof r === 'object' && r !== null && typeof r.arrayBuffer === 'function' && typeof r.headers?.get === 'function' && typeof r.ok === 'boolean';
}

function isPromiseLike(x: unknown): x is PromiseLike<Response> {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';
}

/**
 * Loads the wasm core (once) and returns the fluent API. Default: eddy.wasm
 * beside this module, fetched; pass bytes or a compiled module where a
 * relative URL cannot be fetched (see the module comment).
 */
export async function createBrowserEddy(wasm?: WasmInput, options: BrowserEddyOptions = {}): Promise<BrowserEddy> {
  const module = await compileCore(wasm);
  // Instantiate one core now, so a broken or mismatched wasm fails here rather than at the first query.
  WasmCore.fromModule(module);
  const createCore = (): WasmCore => WasmCore.fromModule(module);
  const api = createEddy({
    createCore,
    ...(options.log ? { log: options.log } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.onRejected ? { onRejected: options.onRejected } : {}),
  });
  return { stream: api.stream, module, createCore };
}

// ── the rest of the API, as the Node entry exports it (browser-safe parts only) ──
export { createEddy, DataStream, GroupedStream, AggregatedStream, DataStreamWriter, type Eddy, type WatermarkOptions } from '../engine/api.js';
export { window, type WindowColumn } from '../engine/windowColumn.js';
export { avg, mean, stddev, min, max, sum, count, type Aggregate, type AggregateFunction } from '../engine/aggregates.js';
export { StreamingQuery, type QuerySinks, type QueryEnvironment } from '../engine/query.js';
export type { QueryProgress, BatchDurations } from '../engine/progress.js';
export type { QueryPlan, OutputMode } from '../engine/plan.js';
export type { InputError, InputErrorKind } from '../engine/inputError.js';
export { parseDuration, type Duration } from '../engine/duration.js';
export { parseTimestamp, formatTimestamp } from '../engine/timestamp.js';
export { WasmCore, CoreAbort, MODE_APPEND, MODE_UPDATE, type WindowSettings, type InputColumns, type StageSettings } from '../core/wasmCore.js';
export * from '../core/exports.js';
export type { Row, Source, SourceBatch } from '../engine/source.js';
export { arraySource, ArraySource, type ArraySourceOptions } from '../sources/array.js';
export { generatorSource, GeneratorSource, KEY_NAMES, EVENT_TYPES, keyName, type GeneratorOptions } from '../sources/generator.js';
export { PushSource } from '../sources/push.js';
export type { ColumnBatch } from '../engine/columnBatch.js';
export type { OutputKind, OutputSchema, ResultRecord, Sink } from '../engine/sink.js';
export { memorySink, type MemorySinkOptions } from '../sinks/memory.js';
export { memoryTable, memoryTableNames, dropMemoryTable, createMemoryTable, MemoryTable } from '../sinks/memoryTable.js';
export { callbackSink, type BatchCallback, type CallbackSinkOptions } from '../sinks/callback.js';
export { flattenRecord, type FlatRecord } from '../engine/flatten.js';
export {
  encodeColumns,
  decodeColumns,
  isColumnarError,
  COLUMNAR_CONTENT_TYPE,
  COLUMNAR_KEY_SEPARATOR,
  type ColumnsInput,
  type DecodedColumns,
  type ColumnarError,
} from '../server/columnarFormat.js';
