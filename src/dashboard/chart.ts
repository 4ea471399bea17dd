/**
 * uPlot options of the dashboard's charts: one per key (window average with
 * its ±σ band, min/max, the Holt forecast ahead of the data, anomaly markers
 * by rule, threshold bands, sequence-match annotations) and the engine's
 * rate sparkline.
 */
import uPlot from 'uplot';
import { SERIES_ANOMALY_SCORE, SERIES_ANOMALY_Z, SERIES_HI, SERIES_LO, yRange, type MatchMark } from './series.js';

/** A threshold pattern of the pipeline (`patterns.threshold`). */
export interface Threshold {
  name: string;
  upper?: number;
  lower?: number;
}

/** What the draw hooks read at draw time. */
export interface ChartContext {
  thresholds: () => readonly Threshold[];
  matches: () => readonly MatchMark[];
}

/** The dashboard's palette (series, markers, annotations, rates). */
export const COLORS = {
  avg: '#2563eb',
  band: 'rgba(37, 99, 235, 0.14)',
  minmax: '#94a3b8',
  forecast: '#9333ea',
  zscore: '#dc2626',
  score: '#f59e0b',
  match: 'rgba(16, 185, 129, 0.16)',
  matchText: '#047857',
  input: '#0891b2',
  processed: '#16a34a',
};

/** Band colour of a threshold, by its name (critical → red, warning → amber, others grey). */
export function thresholdColor(name: string): { fill: string; line: string } {
  const n = name.toLowerCase();
  if (n.includes('crit') || n.includes('error') || n.includes('alert')) return { fill: 'rgba(220, 38, 38, 0.10)', line: 'rgba(220, 38, 38, 0.7)' };
  if (n.includes('warn')) return { fill: 'rgba(245, 158, 11, 0.12)', line: 'rgba(217, 119, 6, 0.75)' };
  return { fill: 'rgba(100, 116, 139, 0.10)', line: 'rgba(100, 116, 139, 0.7)' };
}

const utc = (ts: number): Date => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');

/**
 * Time axis labels in 24-hour UTC (uPlot's defaults are 12-hour and crowd
 * each other): seconds only when ticks are less than a minute apart, the
 * date on the first tick and at each midnight.
 */
function timeLabels(_u: uPlot, splits: number[]): string[] {
  const step = splits.length > 1 ? splits[1]! - splits[0]! : 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return splits.map((t, i) => {
    const d = new Date(t * 1000);
    const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}${step < 60 ? `:${pad(d.getUTCSeconds())}` : ''}`;
    const midnight = d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0;
    return i === 0 || midnight ? `${time}\n${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` : time;
  });
}

/** A number shortened for a tile, a legend or an axis (1.2k, 3.4M; — for none); `digits` + 2 significant digits below 10k. */
export function compact(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toFixed(2)}G`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  return Number(v.toPrecision(digits + 2)).toString();
}

const legendValue = (_u: uPlot, v: number | null): string => compact(v);

/** Draws threshold bands and match spans under the series. */
function drawUnder(u: uPlot, ctx: ChartContext): void {
  const c = u.ctx;
  const { left, top, width, height } = u.bbox;
  c.save();
  c.beginPath();
  c.rect(left, top, width, height);
  c.clip();
  const dpr = uPlot.pxRatio;
  for (const t of ctx.thresholds()) {
    const color = thresholdColor(t.name);
    c.fillStyle = color.fill;
    c.strokeStyle = color.line;
    c.lineWidth = dpr;
    c.setLineDash([4 * dpr, 3 * dpr]);
    c.font = `${10 * dpr}px system-ui, sans-serif`;
    if (t.upper !== undefined) {
      const y = u.valToPos(t.upper, 'y', true);
      if (y > top) c.fillRect(left, top, width, Math.min(height, y - top));
      line(c, left, width, y);
      label(c, `${t.name} ↑ ${compact(t.upper)}`, left + width - 4 * dpr, y - 3 * dpr, color.line);
    }
    if (t.lower !== undefined) {
      const y = u.valToPos(t.lower, 'y', true);
      c.fillStyle = color.fill; // label() left its own colour
      if (y < top + height) c.fillRect(left, Math.max(top, y), width, top + height - Math.max(top, y));
      line(c, left, width, y);
      label(c, `${t.name} ↓ ${compact(t.lower)}`, left + width - 4 * dpr, y + 11 * dpr, color.line);
    }
  }
  c.setLineDash([]);
  const xMin = u.scales.x?.min ?? -Infinity;
  const xMax = u.scales.x?.max ?? Infinity;
  let lastLabelX = -Infinity;
  for (const m of ctx.matches()) {
    if (m.end < xMin || m.start > xMax) continue;
    const x0 = u.valToPos(m.start, 'x', true);
    const x1 = u.valToPos(m.end, 'x', true);
    c.fillStyle = COLORS.match;
    c.fillRect(x0, top, Math.max(2 * dpr, x1 - x0), height);
    if (x0 - lastLabelX > 60 * dpr) {
      label(c, `⟶ ${m.pattern}`, x0 + 3 * dpr, top + 11 * dpr, COLORS.matchText, 'left');
      lastLabelX = x0;
    }
  }
  c.restore();
}

function line(c: CanvasRenderingContext2D, left: number, width: number, y: number): void {
  c.beginPath();
  c.moveTo(left, y);
  c.lineTo(left + width, y);
  c.stroke();
}

function label(c: CanvasRenderingContext2D, text: string, x: number, y: number, color: string, align: CanvasTextAlign = 'right'): void {
  c.fillStyle = color;
  c.textAlign = align;
  c.fillText(text, x, y);
}

/** Options of a key chart. */
export function keyChartOptions(width: number, height: number, horizon: number, ctx: ChartContext): uPlot.Options {
  const markers = (stroke: string, size: number, fill: string): uPlot.Series.Points => ({ show: true, size, width: 2, stroke, fill });
  return {
    width,
    height,
    tzDate: utc,
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: true },
      y: { range: (u) => yRange(u.data as unknown as (number | null)[][]) },
    },
    axes: [
      { stroke: '#475569', grid: { stroke: '#e2e8f0', width: 1 }, ticks: { stroke: '#cbd5e1', width: 1 }, space: 70, values: timeLabels },
      {
        stroke: '#475569',
        grid: { stroke: '#e2e8f0', width: 1 },
        ticks: { stroke: '#cbd5e1', width: 1 },
        size: 56,
        values: (_u, vals) => vals.map((v) => compact(v)),
      },
    ],
    series: [
      { value: '{YYYY}-{MM}-{DD} {HH}:{mm}:{ss}' },
      { label: 'avg', stroke: COLORS.avg, width: 2, value: legendValue, spanGaps: false, points: { show: false } },
      { label: '+σ', stroke: 'rgba(37,99,235,0.35)', width: 1, value: legendValue, points: { show: false } },
      { label: '−σ', stroke: 'rgba(37,99,235,0.35)', width: 1, value: legendValue, points: { show: false } },
      { label: 'min', stroke: COLORS.minmax, width: 1, dash: [3, 3], value: legendValue, points: { show: false } },
      { label: 'max', stroke: COLORS.minmax, width: 1, dash: [3, 3], value: legendValue, points: { show: false } },
      { label: `forecast +${horizon}`, stroke: COLORS.forecast, width: 1.5, dash: [6, 3], value: legendValue, points: { show: false } },
      { label: 'anomaly (z-score)', stroke: COLORS.zscore, width: 0, paths: () => null, points: markers(COLORS.zscore, 9, COLORS.zscore), value: legendValue },
      {
        label: 'anomaly (score ≥ 0.5)',
        stroke: COLORS.score,
        width: 0,
        paths: () => null,
        points: markers(COLORS.score, 15, 'rgba(0,0,0,0)'),
        value: legendValue,
      },
    ],
    bands: [{ series: [SERIES_HI, SERIES_LO], fill: COLORS.band }],
    hooks: {
      drawClear: [(u) => drawUnder(u, ctx)],
    },
  };
}

/** Series indexes of the marker series (for tests and CSS). */
export const MARKER_SERIES = { zscore: SERIES_ANOMALY_Z, score: SERIES_ANOMALY_SCORE };

/** Options of the engine's rate sparkline. */
export function rateChartOptions(width: number, height: number): uPlot.Options {
  return {
    width,
    height,
    legend: { live: false },
    cursor: { show: false },
    scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] } },
    axes: [{ show: false }, { stroke: '#475569', size: 60, grid: { stroke: '#e2e8f0', width: 1 }, values: (_u, vals) => vals.map((v) => compact(v)) }],
    series: [
      {},
      { label: 'input/s', stroke: COLORS.input, width: 1.5, fill: 'rgba(8,145,178,0.08)', points: { show: false } },
      { label: 'processed/s', stroke: COLORS.processed, width: 1.5, dash: [4, 2], points: { show: false } },
    ],
  };
}
