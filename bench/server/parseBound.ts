/**
 * The JSON.parse-only bound of the server benchmark, run as a child process:
 * a plain `node:http` server that reads each POST body, splits it into lines
 * and `JSON.parse`s every non-blank one, answering `{"accepted":n}`. No
 * validation, no columns, no engine: what ingesting NDJSON costs in Node at
 * the least, to compare eddy's /ingest with.
 *
 * Prints `{"port":N}` on stdout once listening (port 0: a free one, or argv[2]).
 */
import http from 'node:http';

let objects = 0;

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
  });
  req.on('end', () => {
    const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)).toString('utf8');
    let n = 0;
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      if (end > start) {
        const row: unknown = JSON.parse(text.slice(start, end));
        if (typeof row === 'object' && row !== null) n++;
      }
      start = end + 1;
    }
    objects += n;
    const body = `{"accepted":${n}}`;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 120_000;
server.headersTimeout = 130_000;

server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});

process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  process.stderr.write(`parse bound: ${objects} objects parsed\n`);
  process.exitCode = 0;
});
