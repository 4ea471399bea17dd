/**
 * End-to-end: `eddy demo`, what `npm start` runs — the built CLI serves the
 * embedded demo job, prints the dashboard's URL, windows on stdout (NDJSON,
 * as stdout is a pipe here) and progress on stderr as `eddy run` does, and
 * stops cleanly on Ctrl-C, and quietly when its reader closes stdout
 * (`eddy demo | head -5`).
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CLI } from '../support/cli.js';

describe('eddy demo (npm start)', () => {
  it('is what npm start runs', () => {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe('node dist/src/cli/main.js demo');
  });

  it('serves the dashboard, prints its URL, windows and progress, and stops cleanly on SIGINT', async () => {
    // port 0: a free one, so the test never meets a demo someone left running on 8080
    const child = spawn(process.execPath, [CLI, 'demo', '--port', '0', '--progress', '1s'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const deadline = Date.now() + 25_000;
      let url: string | undefined;
      while (url === undefined && Date.now() < deadline) {
        url = /dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr)?.[1];
        if (url === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      expect(url, stderr).toBeDefined();
      const page = await fetch(url!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<script type="module" src="dashboard.js">');
      expect((await fetch(`${url}dashboard.js`)).status).toBe(200);
      const info = (await (await fetch(`${url}dashboard.json`)).json()) as Record<string, unknown>;
      // what the dashboard draws besides windows: the seed's z-score rule and score, Holt, threshold bands
      expect(info).toMatchObject({ query: 'eddy-demo', anomalies: { threshold: 2, rows: 11, score: true }, forecast: { horizon: 10 } });
      expect((info.thresholds as unknown[]).length).toBe(2);
      // windows close about once a second (event time runs 60× the wall clock)
      while (!/"metric":"cpu"/.test(stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    } finally {
      child.kill('SIGINT');
    }
    expect(await closed).toBe(0);
    // stdout is not a terminal: one JSON object per line, every field (the file sink's format)
    const records = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const cpu = records.find((r) => r.metric === 'cpu');
    expect(cpu).toMatchObject({ window: { start: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z$/) }, avg_value: expect.any(Number) });
    expect(Object.keys(cpu!)).toEqual([
      'window',
      'metric',
      'avg_value',
      'stddev_value',
      'min_value',
      'max_value',
      'count',
      'rolling_avg',
      'rolling_stddev',
      'zscore',
      'is_anomaly',
      'anomaly_score',
      'level',
      'trend',
      'forecast',
      'forecast_h',
      'detected_patterns',
    ]);
    expect(stderr).toMatch(/progress: batch \d+ · .* watermark 2024-01-01T/);
    expect(stderr).toContain('SIGINT, stopping');
  }, 40_000);

  it('ends quietly with exit code 0 when its reader closes stdout (eddy demo | head -5)', async () => {
    const child = spawn(process.execPath, [CLI, 'demo', '--port', '0', '--progress', '1s'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal })),
    );
    // as head -5: read five lines, then close the pipe
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.split('\n').length > 5) {
          child.stdout.destroy();
          resolve();
        }
      });
      child.on('close', () => resolve());
    });
    const { code, signal } = await closed;
    clearTimeout(timer);
    expect(
      stdout
        .split('\n')
        .slice(0, 5)
        .every((line) => line.startsWith('{"window":')),
      stdout.slice(0, 500),
    ).toBe(true);
    expect({ code, signal }, stderr).toEqual({ code: 0, signal: null });
    // nothing on stderr but the demo's own lines: no EPIPE, no stack trace
    const unexpected = stderr.split('\n').filter((line) => line !== '' && !/^eddy: (dashboard at|also ws:)/.test(line) && !line.startsWith('progress: '));
    expect(unexpected).toEqual([]);
  }, 40_000);
});
