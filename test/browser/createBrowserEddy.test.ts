/**
 * createBrowserEddy's ways of getting the wasm core, run under Node (which
 * has WebAssembly, fetch's Response and compileStreaming too): bytes, a
 * compiled module, a Response (with and without the application/wasm type),
 * a promised Response, and the errors for a failed fetch or a wrong input.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { corePath } from '../../src/node/loadCore.js';
import { compileCore, createBrowserEddy, defaultWasmUrl, arraySource, callbackSink, window, avg, count, type ResultRecord } from '../../src/browser/index.js';

const bytes = new Uint8Array(readFileSync(corePath('release')));
const wasmResponse = (type = 'application/wasm'): Response => new Response(bytes.slice(), { headers: { 'content-type': type } });

const rows = Array.from({ length: 600 }, (_, i) => ({ timestamp: Date.UTC(2024, 0, 1) + i * 1000, metric: i % 2 ? 'a' : 'b', value: i }));

async function windows(eddy: Awaited<ReturnType<typeof createBrowserEddy>>): Promise<ResultRecord[]> {
  const out: ResultRecord[] = [];
  const query = eddy
    .stream(arraySource(rows))
    .withWatermark('timestamp', '10 s')
    .groupBy(window('timestamp', '1 minute'), 'metric')
    .agg(avg('value'), count())
    .writeStream(
      callbackSink((records) => {
        out.push(...records);
      }),
    )
    .start();
  await query.awaitTermination();
  return out;
}

describe('createBrowserEddy', () => {
  it('takes bytes, a module, a Response, a non-wasm-typed Response and a promised Response alike', async () => {
    const module = await WebAssembly.compile(bytes);
    const inputs = [bytes, bytes.buffer.slice(0), module, wasmResponse(), wasmResponse('application/octet-stream'), Promise.resolve(wasmResponse())];
    const results = [];
    for (const input of inputs) {
      const eddy = await createBrowserEddy(input);
      expect(eddy.module).toBeInstanceOf(WebAssembly.Module);
      results.push(await windows(eddy));
    }
    expect(results[0]!.length).toBe(20); // 10 one-minute windows × 2 keys
    expect(results[0]![0]).toEqual({ window: { start: '2024-01-01T00:00:00.000Z', end: '2024-01-01T00:01:00.000Z' }, metric: 'b', avg_value: 29, count: 30 });
    for (const r of results) expect(r).toEqual(results[0]);
  });

  it('keeps the compiled module: every query gets a fresh core from it', async () => {
    const module = await WebAssembly.compile(bytes);
    const eddy = await createBrowserEddy(module);
    expect(eddy.module).toBe(module);
    const a = eddy.createCore(),
      b = eddy.createCore();
    expect(a === b).toBe(false); // (not.toBe would pretty-print two wasm memories)
    expect(await windows(eddy)).toEqual(await windows(eddy));
  });

  it('reports a failed fetch, a bad input and a bad wasm readably', async () => {
    await expect(createBrowserEddy(new Response('nope', { status: 404 }))).rejects.toThrow(/HTTP 404/);
    await expect(createBrowserEddy(42 as never)).rejects.toThrow(/expected a URL, bytes/);
    await expect(createBrowserEddy(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))).rejects.toThrow(/missing export/);
    await expect(createBrowserEddy('http://127.0.0.1:1/eddy.wasm')).rejects.toThrow(/cannot fetch the wasm core from http:\/\/127\.0\.0\.1:1\/eddy\.wasm/);
  });

  it('fetches a URL once, however many times it is asked for, and retries after a failure', async () => {
    const requests: string[] = [];
    let fail = true;
    const server = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (fail) {
        res.writeHead(503).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/wasm' }).end(bytes);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/eddy.wasm`;
    try {
      await expect(createBrowserEddy(url)).rejects.toThrow(/HTTP 503/);
      fail = false;
      const [a, b] = await Promise.all([createBrowserEddy(url), createBrowserEddy(new URL(url))]);
      const c = await createBrowserEddy(url);
      expect(a.module).toBe(b.module);
      expect(c.module).toBe(a.module);
      expect(requests).toEqual(['/eddy.wasm', '/eddy.wasm']);
      expect(await windows(c)).toHaveLength(20);
    } finally {
      await new Promise((ok) => server.close(ok));
    }
  });

  it('defaults to eddy.wasm beside the module', () => {
    expect(defaultWasmUrl().pathname).toMatch(/\/browser\/eddy\.wasm$/);
    expect(typeof compileCore).toBe('function');
  });
});
