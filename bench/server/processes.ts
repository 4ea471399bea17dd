/**
 * The servers under test, each a separate Node process on loopback:
 *  - eddy: `node dist/src/cli/main.js serve --config <tmp> --port 0 --progress 0`
 *    (the port is read from its "serving … on http://host:port" line);
 *  - the JSON.parse-only bound: dist/bench/server/parseBound.js.
 * Plus what the benchmark reads of them: /metrics, /progress, and the
 * process's RSS and CPU time from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import { DEFAULT_SERVE_CONFIG } from '../../src/server/defaultServeConfig.js';
import { parsePrometheusText, type ParsedFamily } from '../../test/support/prometheusText.js';
import type { QueryProgress } from '../../src/engine/progress.js';

const MAIN_JS = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const BOUND_JS = fileURLToPath(new URL('./parseBound.js', import.meta.url));

/**
 * The served job: `eddy serve`'s default (5-minute windows sliding by 1
 * minute, z-score anomalies, Holt forecasts), with
 *  - a generous queue (4 M events) so a burst is absorbed, not refused;
 *  - a 10-minute watermark delay, as the core benchmark, so columnar frames
 *    (65 s of event time each) reordered between connections are not late;
 *  - a memory sink keeping 1,000 rows, so writing results costs little.
 */
export function benchConfig(maxQueuedEvents: number): Record<string, unknown> {
  return {
    ...DEFAULT_SERVE_CONFIG,
    name: 'bench',
    source: { type: 'http', max_queued_events: maxQueuedEvents },
    processing: { ...DEFAULT_SERVE_CONFIG.processing, watermark_delay: '10 minutes' },
    sink: { type: 'memory', queryName: 'bench', max_rows: 1000 },
  };
}

/** GET a path; status and body text. */
export function get(port: number, path: string, agent?: http.Agent): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, ...(agent ? { agent } : {}) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resident set size of a process, MB (VmRSS of /proc/<pid>/status). */
export function rssMb(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
}

/** CPU seconds (user + system) a process used so far (/proc/<pid>/stat, 100 ticks/s). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Spawned {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function spawnNode(args: string[]): Spawned {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => {
    err = (err + c).slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => err, exited };
}

async function stopChild(s: Spawned, timeoutMs: number): Promise<number | null> {
  if (s.child.exitCode !== null) return s.child.exitCode;
  s.child.kill('SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
  const first = await Promise.race([s.exited, timer]);
  if (first !== 'timeout') return first;
  s.child.kill('SIGKILL');
  await s.exited;
  throw new Error(`process ${s.child.pid} did not stop within ${timeoutMs} ms of SIGTERM (killed)`);
}

/** A running `eddy serve`. */
export class EddyProcess {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  private constructor(
    private readonly s: Spawned,
    readonly port: number,
  ) {}

  get pid(): number {
    return this.s.child.pid!;
  }

  /** Starts eddy serve with `config` (written to `dir`), waits until /ready answers 200. */
  static async start(dir: string, config: Record<string, unknown>, extraNodeArgs: string[] = []): Promise<EddyProcess> {
    const path = join(dir, `eddy-bench-${Date.now()}.json`);
    writeFileSync(path, JSON.stringify(config, null, 2));
    const s = spawnNode([...extraNodeArgs, MAIN_JS, 'serve', '--config', path, '--port', '0', '--progress', '0']);
    const deadline = performance.now() + 20_000;
    let port = 0;
    while (port === 0) {
      const m = /serving .* on http:\/\/[^\s:]+:(\d+)/.exec(s.stderr());
      if (m) port = Number(m[1]);
      else if (s.child.exitCode !== null) throw new Error(`eddy serve exited ${s.child.exitCode}: ${s.stderr()}`);
      else if (performance.now() > deadline) throw new Error(`eddy serve did not start: ${s.stderr()}`);
      else await sleep(20);
    }
    const p = new EddyProcess(s, port);
    for (;;) {
      const r = await get(port, '/ready', p.agent).catch(() => ({ status: 0, text: '' }));
      if (r.status === 200) break;
      if (performance.now() > deadline) throw new Error(`eddy serve not ready: ${r.status} ${r.text}`);
      await sleep(20);
    }
    return p;
  }

  async metrics(): Promise<Map<string, ParsedFamily>> {
    const r = await get(this.port, '/metrics', this.agent);
    if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
    return parsePrometheusText(r.text);
  }

  async progress(): Promise<{ lastProgress: QueryProgress | null; recentProgress: QueryProgress[] }> {
    const r = await get(this.port, '/progress', this.agent);
    if (r.status !== 200) throw new Error(`/progress answered ${r.status}`);
    return JSON.parse(r.text) as { lastProgress: QueryProgress | null; recentProgress: QueryProgress[] };
  }

  /**
   * Waits until the engine has processed `expected` events in all
   * (lastProgress.totals.inputRows); returns the ms waited.
   */
  async drain(expected: number, timeoutMs = 120_000): Promise<number> {
    const t0 = performance.now();
    for (;;) {
      const q = (await this.metrics()).get('eddy_queue_events')?.samples[0]?.value ?? NaN;
      if (q === 0) {
        const p = (await this.progress()).lastProgress;
        const done = p?.totals.inputRows ?? 0;
        if (done >= expected) return performance.now() - t0;
      }
      if (performance.now() - t0 > timeoutMs) throw new Error(`engine did not drain ${expected} events within ${timeoutMs} ms (queue ${q})`);
      await sleep(2);
    }
  }

  rssMb(): number {
    return rssMb(this.pid);
  }

  cpuSeconds(): number {
    return cpuSeconds(this.pid);
  }

  stderr(): string {
    return this.s.stderr();
  }

  /** Graceful stop (SIGTERM: drain, flush, exit); resolves with the exit code. */
  async stop(): Promise<number | null> {
    this.agent.destroy();
    return stopChild(this.s, 60_000);
  }
}

/** The JSON.parse-only bound server (a plain node:http server). */
export class BoundProcess {
  private constructor(
    private readonly s: Spawned,
    readonly port: number,
  ) {}

  get pid(): number {
    return this.s.child.pid!;
  }

  static async start(): Promise<BoundProcess> {
    const s = spawnNode([BOUND_JS]);
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      s.child.stdout!.setEncoding('utf8');
      s.child.stdout!.on('data', (c: string) => {
        out += c;
        const m = /"port":(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      s.exited.then((code) => reject(new Error(`bound server exited ${code}: ${s.stderr()}`)), reject);
    });
    return new BoundProcess(s, port);
  }

  cpuSeconds(): number {
    return cpuSeconds(this.pid);
  }

  stop(): Promise<number | null> {
    return stopChild(this.s, 10_000);
  }
}

/** Busy CPU seconds of the whole machine so far, all cores (/proc/stat, 100 ticks/s). */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / 100;
}
