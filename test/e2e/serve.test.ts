/**
 * `eddy serve` from the command line: a port already taken is a runtime
 * failure with its own message and exit code 1, not bad usage (2).
 */
import { describe, it, expect } from 'vitest';
import { createServer, type Server } from 'node:net';
import { runCli } from '../support/cli.js';

function listen(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

describe('eddy serve', () => {
  it('exits 1 with "cannot listen" when its port is taken; a bad flag value is still usage (2)', async () => {
    const { server, port } = await listen();
    try {
      const r = await runCli(['serve', '--host', '127.0.0.1', '--port', String(port), '--progress', '0']);
      expect(r.stderr).toContain(`cannot listen on 127.0.0.1:${port}`);
      expect(r.stderr).not.toContain('run eddy help');
      expect(r.code).toBe(1);
    } finally {
      server.close();
    }
    const bad = await runCli(['serve', '--port', 'eighty']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--port: expected a number');
  }, 60_000);
});
