/**
 * Loader for the NAB subset shared next to the repo at `../shared/data/nab`
 * (relative to the repo root): `data/<category>/<file>.csv` (`timestamp,value`)
 * and `windows.json` (`category/file.csv` → list of `[start, end]` timestamps).
 *
 * The data is never copied into the repo; this module finds the repo root by
 * walking up from its own location (works from `bench/nab/*.ts` under vitest
 * and from `dist/bench/nab/*.js` after `tsc`) to the folder holding the
 * project's package.json, then joins `../shared/data/nab`.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One NAB data file, fully loaded. */
export interface NabFile {
  /** `category/file.csv`, the key used in windows.json. */
  name: string;
  /** Category folder, e.g. `realKnownCause`. */
  category: string;
  /** Timestamps exactly as written in the CSV (`2013-07-04 00:00:00`, UTC). */
  timestamps: string[];
  /** The same timestamps as epoch milliseconds (UTC). */
  times: Float64Array;
  values: Float64Array;
  /** Labelled anomaly windows, `[start, end]` timestamp strings as in windows.json. */
  windows: [string, string][];
}

function isRepoRoot(dir: string): boolean {
  const pkg = join(dir, 'package.json');
  if (!existsSync(pkg)) return false;
  try {
    const parsed = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown };
    return parsed.name === 'eddy';
  } catch {
    return false;
  }
}

function findRepoRoot(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (isRepoRoot(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Absolute path of the shared NAB folder (`<repo>/../shared/data/nab`). */
export function nabRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = findRepoRoot(here) ?? findRepoRoot(process.cwd());
  if (root === undefined) throw new Error('nab: cannot find the eddy repo root (package.json) above ' + here);
  return join(root, '..', 'shared', 'data', 'nab');
}

const TS_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/;

/**
 * Parse a NAB timestamp (`YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC) to epoch ms.
 * Fractional seconds are kept to the millisecond (NAB's are all zero).
 */
export function parseNabTimestamp(s: string): number {
  const m = TS_RE.exec(s.trim());
  if (m === null) throw new Error(`nab: bad timestamp ${JSON.stringify(s)}`);
  const frac = m[7] ?? '';
  const ms = frac.length > 0 ? Math.floor(Number('0.' + frac) * 1000 + 1e-6) : 0;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
}

/** Parse one `timestamp,value` CSV (with header). */
export function parseNabCsv(text: string): { timestamps: string[]; times: Float64Array; values: Float64Array } {
  const lines = text.split(/\r?\n/);
  const timestamps: string[] = [];
  const vals: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line === undefined || line.trim() === '') continue;
    const comma = line.indexOf(',');
    if (comma < 0) throw new Error(`nab: bad CSV line ${i + 1}: ${line}`);
    timestamps.push(line.slice(0, comma).trim());
    vals.push(Number(line.slice(comma + 1)));
  }
  const times = new Float64Array(timestamps.length);
  for (let i = 0; i < timestamps.length; i++) times[i] = parseNabTimestamp(timestamps[i] as string);
  return { timestamps, times, values: Float64Array.from(vals) };
}

/** Read windows.json. */
export function loadWindows(root: string = nabRoot()): Record<string, [string, string][]> {
  return JSON.parse(readFileSync(join(root, 'windows.json'), 'utf8')) as Record<string, [string, string][]>;
}

/**
 * Load every file listed in windows.json (the 24 shared files), sorted by name.
 * Files present on disk but missing from windows.json are an error (they would
 * have no labels).
 */
export function loadNab(root: string = nabRoot()): NabFile[] {
  const windows = loadWindows(root);
  const onDisk: string[] = [];
  for (const category of readdirSync(join(root, 'data'))) {
    for (const file of readdirSync(join(root, 'data', category))) {
      if (file.endsWith('.csv')) onDisk.push(`${category}/${file}`);
    }
  }
  onDisk.sort();
  const files: NabFile[] = [];
  for (const name of onDisk) {
    const w = windows[name];
    if (w === undefined) throw new Error(`nab: ${name} has no entry in windows.json`);
    const parsed = parseNabCsv(readFileSync(join(root, 'data', name), 'utf8'));
    files.push({ name, category: name.slice(0, name.indexOf('/')), ...parsed, windows: w });
  }
  return files;
}
