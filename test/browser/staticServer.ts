/**
 * A tiny read-only static file server for the browser example, its test and
 * the browser benchmark: node:http on 127.0.0.1 (a random free port unless
 * given), GET and HEAD only, a few URL prefixes mapped to folders of the
 * repository, correct MIME types (application/wasm included, which
 * WebAssembly.compileStreaming requires), no directory listings, nothing
 * outside the mapped folders.
 *
 * Run it to try the example (after `npm run build`):
 *
 *   node dist/test/browser/staticServer.js [port]
 *   → open http://127.0.0.1:<port>/examples/browser/index.html
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';

export const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.bin': 'application/octet-stream',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticServerOptions {
  /** URL prefix ('/examples/') → folder it serves. */
  mounts: Record<string, string>;
  /** Port; default 0 (a free one). */
  port?: number;
  /** Extra headers on every response (e.g. COOP/COEP for cross-origin isolation). */
  headers?: Record<string, string>;
  /** Extra in-memory files by URL path (e.g. generated benchmark data). */
  files?: Record<string, { body: Uint8Array | string; type: string }>;
}

export interface StaticServer {
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  /** Every request as `METHOD path status`, in order. */
  readonly log: string[];
  close(): Promise<void>;
}

/** Starts the server; resolves once it listens. */
export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const mounts = Object.entries(options.mounts).map(([prefix, dir]) => ({ prefix, dir: resolve(dir) }));
  const log: string[] = [];
  const send = (req: IncomingMessage, res: ServerResponse, status: number, body: Uint8Array | string, type: string): void => {
    log.push(`${req.method} ${req.url} ${status}`);
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...options.headers });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(req, res, 405, 'method not allowed\n', 'text/plain');
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return send(req, res, 400, 'bad path\n', 'text/plain');
    }
    const extra = options.files?.[path];
    if (extra) return send(req, res, 200, extra.body, extra.type);
    const mount = mounts.find((m) => path.startsWith(m.prefix));
    if (!mount || path.includes('\0')) return send(req, res, 404, 'not found\n', 'text/plain');
    const file = resolve(mount.dir, '.' + sep + path.slice(mount.prefix.length));
    if (file !== mount.dir && !file.startsWith(mount.dir + sep)) return send(req, res, 403, 'forbidden\n', 'text/plain');
    try {
      if (!(await stat(file)).isFile()) return send(req, res, 404, 'not found\n', 'text/plain');
      const type = MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
      return send(req, res, 200, await readFile(file), type);
    } catch {
      return send(req, res, 404, 'not found\n', 'text/plain');
    }
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(req, res, 500, 'error\n', 'text/plain');
      else res.destroy();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    log,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

/** The repository root (from test/browser/ in the sources or dist/test/browser/ when built). */
export function repoRoot(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return resolve(here, here.includes(`${sep}dist${sep}`) ? '../../..' : '../..');
}

/** Serves the example: /examples/ and /dist/browser/ of the repository. */
export function exampleMounts(root = repoRoot()): Record<string, string> {
  return { '/examples/': resolve(root, 'examples'), '/dist/browser/': resolve(root, 'dist/browser') };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const server = await startStaticServer({ mounts: exampleMounts(), port: Number(process.argv[2] ?? 8080) });
  console.log(`serving examples/ and dist/browser/ read-only: open ${server.origin}/examples/browser/index.html (Ctrl-C to stop)`);
}
