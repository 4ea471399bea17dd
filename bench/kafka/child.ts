/**
 * Runs a bench step in a child Node process (a fresh heap and JIT for each
 * measured run, and a separate CPU profile when asked): the child gets one
 * JSON argument and prints one JSON object as its last stdout line.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Runs `script` (a path relative to this folder, .js) with `spec`; resolves with its last stdout line parsed. */
export function runChild<T>(script: string, spec: unknown, options: { nodeArgs?: string[]; timeoutMs?: number; label: string }): Promise<T> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), path, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    out += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    err += s;
    for (const line of s.split('\n')) if (line.trim() !== '') process.stderr.write(`  [${options.label}] ${line}\n`);
  });
  return new Promise<T>((resolve, reject) => {
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error(`${options.label}: no result within ${options.timeoutMs} ms`));
          }, options.timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) {
        reject(new Error(`${options.label}: exited with ${code ?? signal}${err ? `\n${err.trim().split('\n').slice(-15).join('\n')}` : ''}`));
        return;
      }
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${options.label}: expected a JSON last line, got ${JSON.stringify(last.slice(0, 200))}`));
      }
    });
  });
}

/** The JSON argument of a child, parsed. */
export function childSpec<T>(): T {
  const arg = process.argv[2];
  if (arg === undefined) throw new Error('expected a JSON argument (this script is run by bench/kafka.ts)');
  return JSON.parse(arg) as T;
}

/** CPU seconds (user + system) of this process since `from` (a process.cpuUsage() value). */
export function cpuSecondsSince(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1e6;
}
