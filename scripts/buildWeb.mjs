// Bundles what browsers load: the embeddable engine (src/browser → dist/browser/eddy.js,
// with the wasm core beside it) and the dashboard page's script (src/dashboard →
// dist/dashboard/dashboard.js). esbuild, ESM output, sourcemaps; run by `npm run build`.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entries = [
  { in: 'src/browser/index.ts', out: 'dist/browser/eddy.js' },
  { in: 'src/dashboard/main.ts', out: 'dist/dashboard/dashboard.js' },
];
for (const e of entries) {
  if (!existsSync(root + e.in)) continue;
  await build({
    entryPoints: [root + e.in],
    outfile: root + e.out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    legalComments: 'eof',
    logLevel: 'warning',
  });
}
mkdirSync(root + 'dist/browser', { recursive: true });
copyFileSync(root + 'build/eddy.wasm', root + 'dist/browser/eddy.wasm');
