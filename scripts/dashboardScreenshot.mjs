// Takes docs/dashboard.png from the real dashboard: runs `eddy demo` (what
// `npm start` runs; build first), opens its dashboard in headless Chromium
// (Debian's /usr/bin/chromium, driven by playwright-core) and saves a
// screenshot once the charts have filled for a while.
//
//   node scripts/dashboardScreenshot.mjs [--seconds 90] [--out docs/dashboard.png] [--chromium /usr/bin/chromium]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
const seconds = Number(option('seconds', '90'));
const out = option('out', `${root}docs/dashboard.png`);
const executablePath = option('chromium', '/usr/bin/chromium');

// the demo picks 8080 or the next free port and prints the URL on stderr
const demo = spawn(process.execPath, [`${root}dist/src/cli/main.js`, 'demo', '--progress', '0'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
const url = await new Promise((resolve, reject) => {
  let text = '';
  demo.stderr.on('data', (d) => {
    text += d.toString();
    const m = /dashboard at (http:\/\/\S+)/.exec(text);
    if (m) resolve(m[1]);
  });
  demo.on('close', (code) => reject(new Error(`eddy demo exited with ${code}: ${text}`)));
});

const browser = await chromium.launch({
  executablePath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(url);
  process.stderr.write(`waiting ${seconds} s for ${url} to fill…\n`);
  await page.waitForTimeout(seconds * 1000);
  await page.screenshot({ path: out, fullPage: false });
  const s = await page.evaluate(() => window.eddyDashboard.snapshot());
  process.stderr.write(
    `saved ${out}: ${s.displayed.length} keys charted, ${s.anomalies.zscore} z-score and ${s.anomalies.score} score anomalies, connection ${s.connection}\n`,
  );
} finally {
  await browser.close();
  demo.kill('SIGTERM');
}
