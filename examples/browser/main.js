// eddy embedded in a page: loads the wasm core from dist/browser (built by
// `npm run build`), runs the example query here and in a Web Worker, and draws
// the windows. Serve the repository root over HTTP and open
// /examples/browser/index.html (see README.md here); file:// does not work,
// as browsers do not load ES modules or fetch wasm from files.
//
// Results are exposed as `window.eddyExample` for tests:
//   { status: 'running' | 'done' | 'error', error?, options,
//     page: { rows, events, lateEvents, elapsedMs }, worker: { … same … }, identical }
import * as eddyLib from '../../dist/browser/eddy.js';
import { EXAMPLE, runExample } from './query.js';

const state = { status: 'running', options: EXAMPLE, page: null, worker: null, identical: null, error: null };
window.eddyExample = state;

const $ = (id) => document.getElementById(id);
const rate = (r) => `${r.events.toLocaleString('en-US')} events → ${r.rows.length} windows in ${r.elapsedMs.toFixed(0)} ms ` +
  `(${Math.round(r.events / (r.elapsedMs / 1000)).toLocaleString('en-US')} events/s, ${r.lateEvents} late)`;

function fail(where, error) {
  state.status = 'error';
  state.error = `${where}: ${error?.stack ?? error}`;
  const el = $(where === 'worker' ? 'worker-status' : 'status');
  el.textContent = state.error;
  el.className = 'error';
}

/** Runs the query in a module Worker, handing it the page's compiled core (no second fetch or compile). */
function runInWorker(module) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = ({ data }) => {
      worker.terminate();
      if (data.error) reject(new Error(data.error));
      else resolve(data);
    };
    worker.onerror = (e) => { worker.terminate(); reject(new Error(e.message || 'worker failed to load')); };
    worker.postMessage({ module });
  });
}

/** One small chart per metric: min…max band, avg line, anomalies as dots. */
function draw(rows) {
  const byMetric = new Map();
  for (const r of rows) {
    if (!byMetric.has(r.metric)) byMetric.set(r.metric, []);
    byMetric.get(r.metric).push(r);
  }
  const box = $('charts');
  box.replaceChildren();
  let points = 0;
  for (const [metric, series] of byMetric) {
    const figure = document.createElement('figure');
    const caption = document.createElement('figcaption');
    const anomalies = series.filter((r) => r.is_anomaly).length;
    caption.textContent = `${metric} — ${series.length} windows, ${anomalies} anomalous`;
    const canvas = document.createElement('canvas');
    figure.append(caption, canvas);
    box.append(figure);
    points += plot(canvas, series);
  }
  return points;
}

function plot(canvas, series) {
  const dpr = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 500, height = canvas.clientHeight || 180;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  const g = canvas.getContext('2d');
  g.scale(dpr, dpr);
  const pad = { l: 52, r: 8, t: 8, b: 20 };
  const t = series.map((r) => Date.parse(r.window.start));
  // Scale to the averages plus a typical band, so one spike does not flatten the chart (the band is clipped).
  const spreads = series.map((r) => r.max_value - r.min_value).sort((a, b) => a - b);
  const margin = (spreads[spreads.length >> 1] ?? 0) / 2 || 1;
  const lo = Math.min(...series.map((r) => r.avg_value)) - margin, hi = Math.max(...series.map((r) => r.avg_value)) + margin;
  const t0 = t[0], t1 = t[t.length - 1] || t0 + 1;
  const x = (v) => pad.l + ((v - t0) / (t1 - t0 || 1)) * (width - pad.l - pad.r);
  const y = (v) => height - pad.b - ((v - lo) / (hi - lo || 1)) * (height - pad.t - pad.b);

  g.font = '11px system-ui, sans-serif';
  g.fillStyle = '#666';
  g.strokeStyle = '#eee';
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    g.beginPath(); g.moveTo(pad.l, y(v)); g.lineTo(width - pad.r, y(v)); g.stroke();
    g.fillText(v.toFixed(v < 100 ? 1 : 0), 4, y(v) + 4);
  }
  g.fillText(new Date(t0).toISOString().slice(11, 16), pad.l, height - 5);
  g.fillText(new Date(t1).toISOString().slice(11, 16) + ' UTC', width - pad.r - 60, height - 5);

  g.save();
  g.beginPath(); g.rect(pad.l, pad.t, width - pad.l - pad.r, height - pad.t - pad.b); g.clip();
  g.fillStyle = '#9ecae1';
  g.beginPath();
  series.forEach((r, i) => (i ? g.lineTo(x(t[i]), y(r.max_value)) : g.moveTo(x(t[i]), y(r.max_value))));
  for (let i = series.length - 1; i >= 0; i--) g.lineTo(x(t[i]), y(series[i].min_value));
  g.closePath(); g.fill();

  g.strokeStyle = '#1f77b4';
  g.lineWidth = 1.5;
  g.beginPath();
  series.forEach((r, i) => (i ? g.lineTo(x(t[i]), y(r.avg_value)) : g.moveTo(x(t[i]), y(r.avg_value))));
  g.stroke();

  g.fillStyle = '#d62728';
  for (let i = 0; i < series.length; i++) {
    if (!series[i].is_anomaly) continue;
    g.beginPath(); g.arc(x(t[i]), y(series[i].avg_value), 3.5, 0, 2 * Math.PI); g.fill();
  }
  g.restore();
  return series.length;
}

try {
  const eddy = await eddyLib.createBrowserEddy(); // fetches ../../dist/browser/eddy.wasm once
  const page = await runExample(eddyLib, eddy);
  state.page = page;
  $('status').textContent = rate(page);
  state.pointsDrawn = draw(page.rows);
  try {
    const worker = await runInWorker(eddy.module);
    state.worker = worker;
    state.identical = JSON.stringify(worker.rows) === JSON.stringify(page.rows);
    $('worker-status').textContent = `${rate(worker)}; ${state.identical ? 'identical to the page’s results' : 'DIFFERENT from the page’s results'}`;
    state.status = 'done';
  } catch (error) {
    fail('worker', error);
  }
} catch (error) {
  fail('page', error);
}
