/**
 * `eddy run --config <file> --progress 0` as a child process that a test can
 * `kill -9` and restart: its stderr is kept (log lines such as
 * "topic-3: restored checkpoint 12 (next offset 4500)"), and `exited`
 * resolves with how it ended.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './cli.js';

/** How a child ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class EddyProcess {
  readonly child: ChildProcess;
  stderr = '';
  stdout = '';
  readonly exited: Promise<Exit>;
  readonly startedAt = Date.now();
  private ended: Exit | null = null;

  /** Starts `eddy run` on the config file, with a small heap. */
  constructor(
    readonly configPath: string,
    readonly label = 'eddy',
    heapMb = 160,
  ) {
    this.child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, CLI, 'run', '--config', configPath, '--progress', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    });
    this.child.stdout!.on('data', (d: Buffer) => {
      this.stdout += d.toString();
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        this.ended = { code, signal };
        resolve(this.ended);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.ended === null;
  }

  /** The scopes this process restored, with their checkpoint seq and next offset, from its log. */
  restored(): { scope: string; seq: number; nextOffset: number }[] {
    return [...this.stderr.matchAll(/eddy: (\S+): restored checkpoint (\d+)(?: = full checkpoint \d+ \+ \d+ of changes)? \(next offset (\d+)\)/g)].map((m) => ({
      scope: m[1]!,
      seq: Number(m[2]),
      nextOffset: Number(m[3]),
    }));
  }

  /** kill -9, and wait until it is gone. */
  async kill9(): Promise<Exit> {
    if (this.running) this.child.kill('SIGKILL');
    return this.exited;
  }

  /** SIGTERM (a clean stop: checkpoint, commit, leave the group); SIGKILL after `graceMs`. */
  async stop(graceMs = 20_000): Promise<Exit> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }
}
