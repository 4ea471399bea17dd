/**
 * The dashboard's files as the server serves them: read once, when a server
 * starts, from the built bundle (`dist/dashboard/`: dashboard.js and
 * dashboard.css, uPlot's CSS included, from `npm run build`), and kept in
 * memory. Paths are fixed here; a request never names a file.
 *
 * The page itself (index.html) is copied to dist/dashboard/ when the build
 * does so, and otherwise read from src/dashboard/ beside it.
 * EDDY_DASHBOARD_DIR points at another built directory (tests, development).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** One file served. */
export interface DashboardFile {
  body: Buffer;
  contentType: string;
}

/** The files by route, or why there are none. */
export type DashboardAssets = { files: ReadonlyMap<string, DashboardFile>; dir: string } | { missing: string };

/** Routes and the built files behind them. */
const ROUTES: readonly { route: string; file: string; contentType: string; optional?: boolean }[] = [
  { route: '/dashboard.js', file: 'dashboard.js', contentType: 'text/javascript; charset=utf-8' },
  { route: '/dashboard.css', file: 'dashboard.css', contentType: 'text/css; charset=utf-8' },
  { route: '/dashboard.js.map', file: 'dashboard.js.map', contentType: 'application/json; charset=utf-8', optional: true },
  { route: '/dashboard.css.map', file: 'dashboard.css.map', contentType: 'application/json; charset=utf-8', optional: true },
];

const HTML_TYPE = 'text/html; charset=utf-8';

/** Where the built dashboard may be: dist/dashboard seen from this module compiled (dist/src/dashboard) or as source (src/dashboard). */
function builtDirs(): string[] {
  const fromEnv = process.env.EDDY_DASHBOARD_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return [fromEnv];
  return [fileURLToPath(new URL('../../dashboard/', import.meta.url)), fileURLToPath(new URL('../../dist/dashboard/', import.meta.url))];
}

/** Where the page's source may be, when the build did not copy it. */
function htmlSources(): string[] {
  return [fileURLToPath(new URL('./index.html', import.meta.url)), fileURLToPath(new URL('../../../src/dashboard/index.html', import.meta.url))];
}

/** Reads the dashboard's files (synchronously: once per server start). */
export function loadDashboardAssets(): DashboardAssets {
  const dir = builtDirs().find((d) => existsSync(join(d, 'dashboard.js')));
  if (dir === undefined) return { missing: 'the dashboard is not built: run `npm run build` (or `npm run build:web`)' };
  const files = new Map<string, DashboardFile>();
  try {
    for (const r of ROUTES) {
      const path = join(dir, r.file);
      if (r.optional && !existsSync(path)) continue;
      files.set(r.route, { body: readFileSync(path), contentType: r.contentType });
    }
    const html = [join(dir, 'index.html'), ...htmlSources()].find((p) => existsSync(p));
    if (html === undefined) return { missing: 'the dashboard page (index.html) is missing: run `npm run build`' };
    const page = { body: readFileSync(html), contentType: HTML_TYPE };
    files.set('/', page);
    files.set('/index.html', page);
  } catch (e) {
    return { missing: `cannot read the built dashboard in ${dir}: ${(e as Error).message}; run \`npm run build\`` };
  }
  return { files, dir };
}
