/**
 * eddy's live dashboard (served by `eddy serve` at GET /): window results of
 * the `/live` WebSocket drawn per key with uPlot, and an engine panel fed by
 * `/progress`.
 *
 * URL parameters: `max_points` (points kept per series, default 1000, the
 * seed's AnalyticsDashboard), `update_interval` (ms between redraws and
 * /progress polls, default 1000, the seed's), `top` (keys charted by default,
 * the busiest by volume; default 4), `keys` (comma-separated keys to chart
 * instead), `token` (passed on to /live).
 *
 * Data arrives as fast as the engine produces it and is folded into bounded
 * ring buffers at once; charts redraw at most every update interval, only
 * when their data changed. State for tests: `window.eddyDashboard`.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './dashboard.css';
import { Series, FLAG_SCORE, FLAG_ZSCORE, type LastValues, type SeriesFields } from './series.js';
import { EnginePoller, type EngineNumbers } from './engine.js';
import { LiveConnection, type ConnectionState, type Transition } from './connection.js';
import { compact, keyChartOptions, rateChartOptions, type Threshold } from './chart.js';

// ---------------------------------------------------------------- settings

const params = new URLSearchParams(location.search);
function intParam(name: string, fallback: number, min: number, max: number): number {
  const raw = params.get(name);
  if (raw === null || raw.trim() === '') return fallback;
  const v = Number(raw);
  return Number.isFinite(v) ? Math.min(max, Math.max(min, Math.round(v))) : fallback;
}
const MAX_POINTS = intParam('max_points', 1000, 10, 100_000);
const UPDATE_INTERVAL = intParam('update_interval', 1000, 50, 60_000);
const TOP = intParam('top', 4, 1, 24);
const TOKEN = params.get('token');
const PINNED = (params.get('keys') ?? '').split(',').map((k) => k.trim()).filter((k) => k !== '');
/** Keys whose history is kept (the charted ones among them). */
const MAX_SERIES = Math.max(24, TOP, PINNED.length);
/** Keys whose volume is counted; beyond, the smallest half is forgotten. */
const MAX_VOLUME_KEYS = 10_000;
/** Anomalies listed in the panel. */
const MAX_RECENT_ANOMALIES = 50;
/** Key chips shown in the selector. */
const MAX_CHIPS = 32;
const KEY_SEPARATOR = '\u001f';

/** The pipeline, as GET /dashboard.json describes it. */
interface DashboardInfo {
  query: string;
  runId: string | null;
  kind: 'windows' | 'events';
  keyColumns: string[];
  valueColumn: string | null;
  analyticsOn: string;
  sizeMs: number;
  slideMs: number;
  aggregates: string[];
  fields: { value: string | null; stddev: string | null; min: string | null; max: string | null; count: string | null };
  anomalies: { threshold: number; rows: number; score: boolean } | null;
  forecast: { horizon: number; alpha: number } | null;
  thresholds: Threshold[];
  sequences: string[];
}

/** An anomaly as listed in the panel and exposed for tests. */
export interface AnomalyMark {
  key: string;
  window_end: string;
  value: number | null;
  /** The window's min and max (an injected spike shows here). */
  min: number | null;
  max: number | null;
  zscore: number | null;
  anomaly_score: number | null;
  /** 'zscore' (the seed's is_anomaly rule), 'score' (anomaly_score ≥ 0.5) or 'both'. */
  rule: 'zscore' | 'score' | 'both';
}

/** What window.eddyDashboard.snapshot() returns. */
export interface DashboardSnapshot {
  connection: ConnectionState;
  transitions: Transition[];
  opens: number;
  messages: { total: number; hello: number; results: number; dropped: number; droppedResults: number; other: number; records: number; matches: number };
  query: string | null;
  info: DashboardInfo | null;
  config: { maxPoints: number; updateInterval: number; top: number };
  displayed: string[];
  mode: 'auto' | 'manual';
  series: Record<string, { points: number; maxPoints: number; appended: number; resets: number; last: LastValues | null; markers: { zscore: number; score: number }; seen: { zscore: number; score: number }; matches: number; thresholdHits: number }>;
  anomalies: { zscore: number; score: number; both: number; recent: AnomalyMark[] };
  engine: EngineNumbers;
  redraws: number;
  /** Server runs seen after the first (restarts noticed). */
  restartsSeen: number;
  volumeKeys: number;
}

// ---------------------------------------------------------------- state

const series = new Map<string, Series>();
const volume = new Map<string, number>();
const firstSeen = new Map<string, number>();
let seenCounter = 0;
let info: DashboardInfo | null = null;
let helloQuery: string | null = null;
let helloKind: 'windows' | 'events' = 'windows';
let keyColumns: string[] = [];
let displayed: string[] = [];
let mode: 'auto' | 'manual' = PINNED.length > 0 ? 'manual' : 'auto';
let manual: string[] = [...PINNED];
const messages = { total: 0, hello: 0, results: 0, dropped: 0, droppedResults: 0, other: 0, records: 0, matches: 0 };
const anomalies = { zscore: 0, score: 0, both: 0, recent: [] as AnomalyMark[] };
let redraws = 0;
/** Runs seen after the first (server restarts with a new run). */
let runs = 0;
let anomaliesDirty = true;

const slideSec = (): number => (info && info.kind !== 'events' ? info.slideMs / 1000 : 0);
const horizon = (): number => info?.forecast?.horizon ?? 0;
/** The record fields charted (before /dashboard.json answers: the seed's names). */
let fields: SeriesFields = { value: 'avg_value', stddev: 'stddev_value', min: 'min_value', max: 'max_value', count: 'count' };
function updateFields(): void {
  if (helloKind === 'events') fields = { value: info?.valueColumn ?? 'value', stddev: null, min: null, max: null, count: null };
  else if (info) fields = { ...info.fields, value: info.fields.value ?? 'avg_value' };
}
const valueField = (): string => fields.value;
const keyText = (key: string): string => key.split(KEY_SEPARATOR).join(' · ');

// ---------------------------------------------------------------- messages

function keyOf(r: Record<string, unknown>): string {
  if (keyColumns.length === 1) return String(r[keyColumns[0]!]);
  return keyColumns.map((c) => String(r[c])).join(KEY_SEPARATOR);
}

function toSeconds(iso: unknown): number {
  return typeof iso === 'string' ? Date.parse(iso) / 1000 : NaN;
}

function addVolume(key: string, n: number): void {
  const v = volume.get(key);
  if (v === undefined) {
    if (volume.size >= MAX_VOLUME_KEYS) pruneVolume();
    volume.set(key, n);
    firstSeen.set(key, seenCounter++);
  } else volume.set(key, v + n);
}

function pruneVolume(): void {
  const keep = new Set([...volume.entries()].sort((a, b) => b[1] - a[1]).slice(0, MAX_VOLUME_KEYS / 2).map(([k]) => k));
  for (const k of displayed) keep.add(k);
  for (const k of manual) keep.add(k);
  for (const k of [...volume.keys()]) {
    if (!keep.has(k)) {
      volume.delete(k);
      firstSeen.delete(k);
    }
  }
}

/** The series of a key, created when there is room or the key is wanted (evicting the least busy unwanted one). */
function seriesFor(key: string, wanted = false): Series | undefined {
  let s = series.get(key);
  if (s) return s;
  if (series.size >= MAX_SERIES) {
    if (!wanted && !displayed.includes(key) && !manual.includes(key)) return undefined;
    let victim: string | undefined;
    let least = Infinity;
    for (const k of series.keys()) {
      if (displayed.includes(k) || manual.includes(k) || k === key) continue;
      const v = volume.get(k) ?? 0;
      if (v < least) {
        least = v;
        victim = k;
      }
    }
    if (victim === undefined) return undefined;
    series.delete(victim);
  }
  s = new Series(key, MAX_POINTS);
  series.set(key, s);
  return s;
}

function noteAnomaly(key: string, r: Record<string, unknown>, flags: number, endIso: string): void {
  const rule = (flags & FLAG_ZSCORE) && (flags & FLAG_SCORE) ? 'both' : flags & FLAG_ZSCORE ? 'zscore' : 'score';
  if (flags & FLAG_ZSCORE) anomalies.zscore++;
  if (flags & FLAG_SCORE) anomalies.score++;
  if (rule === 'both') anomalies.both++;
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  if (anomalies.recent.length >= MAX_RECENT_ANOMALIES) anomalies.recent.shift();
  anomalies.recent.push({ key, window_end: endIso, value: num(r[valueField()]), min: fields.min === null ? null : num(r[fields.min]), max: fields.max === null ? null : num(r[fields.max]), zscore: num(r.zscore), anomaly_score: num(r.anomaly_score), rule });
  anomaliesDirty = true;
}

function addRecord(r: Record<string, unknown>): void {
  messages.records++;
  const key = keyOf(r);
  const window = r.window as { end?: unknown } | undefined;
  const endIso = typeof window?.end === 'string' ? window.end : typeof r.timestamp === 'string' ? r.timestamp : '';
  const t = toSeconds(endIso);
  if (!Number.isFinite(t)) return;
  const n = fields.count === null ? undefined : r[fields.count];
  addVolume(key, typeof n === 'number' ? n : 1);
  const s = seriesFor(key);
  const flags = s ? s.add(r, t, slideSec(), fields) : (r.is_anomaly === true ? FLAG_ZSCORE : 0) | (typeof r.anomaly_score === 'number' && r.anomaly_score >= 0.5 ? FLAG_SCORE : 0);
  if (flags !== 0) noteAnomaly(key, r, flags, endIso);
}

function addMatch(r: Record<string, unknown>): void {
  messages.matches++;
  const s = series.get(keyOf(r));
  const start = toSeconds(r.start);
  const end = toSeconds(r.end);
  if (s && Number.isFinite(start) && Number.isFinite(end)) s.addMatch(String(r.pattern), start, end);
}

function onMessage(data: string): void {
  messages.total++;
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(data) as Record<string, unknown>;
  } catch {
    messages.other++;
    return;
  }
  switch (doc.type) {
    case 'hello': {
      messages.hello++;
      helloQuery = typeof doc.query === 'string' ? doc.query : null;
      helloKind = doc.kind === 'events' ? 'events' : 'windows';
      keyColumns = Array.isArray(doc.keyColumns) ? doc.keyColumns.map(String) : [];
      // an events query scores every event: only its anomalies (and matches) come to the page
      if (helloKind === 'events') live.send({ subscribe: { kinds: ['anomalies', 'patterns'] } });
      updateFields();
      break;
    }
    case 'results': {
      messages.results++;
      const primary = (helloKind === 'events' ? doc.anomalies : doc.windows) as Record<string, unknown>[] | undefined;
      if (primary) for (const r of primary) addRecord(r);
      const patterns = doc.patterns as Record<string, unknown>[] | undefined;
      // `patterns` also repeats window records that carry threshold patterns; only sequence matches are new
      if (patterns) for (const r of patterns) if (typeof r.pattern === 'string' && !('window' in r)) addMatch(r);
      break;
    }
    case 'dropped':
      messages.dropped++;
      messages.droppedResults += typeof doc.count === 'number' ? doc.count : 0;
      break;
    default:
      messages.other++;
  }
}

// ---------------------------------------------------------------- connection

function liveUrl(): string {
  const url = new URL('live', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  url.searchParams.set('kinds', 'windows,patterns');
  if (TOKEN !== null) url.searchParams.set('token', TOKEN);
  return url.toString();
}

async function loadInfo(): Promise<void> {
  try {
    const res = await fetch(new URL('dashboard.json', location.href), { cache: 'no-store' });
    if (!res.ok) return;
    const next = (await res.json()) as DashboardInfo;
    if (info && (info.runId !== next.runId || info.slideMs !== next.slideMs || info.query !== next.query)) startOver();
    const horizonChanged = (info?.forecast?.horizon ?? 0) !== (next.forecast?.horizon ?? 0);
    info = next;
    if (helloKind !== next.kind) helloKind = next.kind;
    if (keyColumns.length === 0) keyColumns = next.keyColumns;
    updateFields();
    if (horizonChanged) destroyCharts();
    for (const s of series.values()) s.dirty = true;
  } catch {
    // the info only refines the charts (slide, horizon, thresholds); retried on the next connect
  }
}

/** A new run behind the same address (a restarted server): its windows start over, so do the charts and key volumes. */
function startOver(): void {
  for (const s of series.values()) s.clear();
  volume.clear();
  firstSeen.clear();
  runs++;
}

const live = new LiveConnection(liveUrl, onMessage, () => renderConnection(), () => void loadInfo());

// ---------------------------------------------------------------- engine

const progressUrl = new URL('progress', location.href).toString();
const engine = new EnginePoller(progressUrl);

// ---------------------------------------------------------------- DOM

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`dashboard: #${id} missing from the page`);
  return el as T;
};

interface KeyChart {
  key: string;
  card: HTMLElement;
  title: HTMLElement;
  stats: HTMLElement;
  plot: uPlot;
  horizon: number;
}
const charts = new Map<string, KeyChart>();
let rateChart: uPlot | null = null;

function chartWidth(): number {
  const grid = $('charts');
  const cols = grid.clientWidth >= 1100 ? 2 : 1;
  return Math.max(280, Math.floor((grid.clientWidth - (cols - 1) * 16) / cols) - 26);
}

function createChart(key: string): KeyChart {
  const card = document.createElement('section');
  card.className = 'card chart';
  card.dataset.key = key;
  const head = document.createElement('header');
  const title = document.createElement('h2');
  title.textContent = keyText(key);
  const stats = document.createElement('span');
  stats.className = 'stats';
  head.append(title, stats);
  const body = document.createElement('div');
  card.append(head, body);
  $('charts').append(card);
  const s = () => series.get(key);
  const h = horizon();
  const plot = new uPlot(
    keyChartOptions(chartWidth(), 240, h, { thresholds: () => info?.thresholds ?? [], matches: () => s()?.matches ?? [] }),
    [[], [], [], [], [], [], [], [], []],
    body,
  );
  const chart = { key, card, title, stats, plot, horizon: h };
  charts.set(key, chart);
  const sr = s();
  if (sr) sr.dirty = true;
  return chart;
}

function destroyCharts(): void {
  for (const c of charts.values()) {
    c.plot.destroy();
    c.card.remove();
  }
  charts.clear();
}

function fmtBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

function fmtMs(v: number | null): string {
  if (v === null) return '—';
  return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v < 10 ? 1 : 0)} ms`;
}

function setText(id: string, text: string): void {
  const el = $(id);
  if (el.textContent !== text) el.textContent = text;
}

function renderConnection(): void {
  const el = $('conn');
  const state = live.state;
  el.className = `conn ${state}`;
  let text = state === 'connected' ? 'live' : state === 'connecting' ? 'connecting…' : 'disconnected';
  if (state === 'disconnected' && live.retryAt !== null) text += ` · retry in ${Math.max(0, (live.retryAt - performance.now()) / 1000).toFixed(1)} s`;
  el.textContent = text;
  el.title = `connections opened: ${live.opens}`;
  document.body.dataset.connection = state;
}

function renderEngine(): void {
  const n = engine.numbers;
  setText('e-input', compact(n.inputRate));
  setText('e-processed', compact(n.processedRate));
  setText('e-throughput', compact(n.throughput));
  setText('e-p50', fmtMs(n.latencyP50));
  setText('e-p99', fmtMs(n.latencyP99));
  $('e-latency-note').hidden = n.latencySamples > 0 || n.polls === 0;
  setText('e-errors', n.errors.toLocaleString('en-US'));
  setText('e-late', n.late.toLocaleString('en-US'));
  setText('e-keys', n.keys.toLocaleString('en-US'));
  setText('e-wasm', fmtBytes(n.wasmMemoryBytes));
  setText('e-windows', n.outputRows.toLocaleString('en-US'));
  setText('e-watermark', n.watermark ? n.watermark.replace('T', ' ').replace(/\.000Z$/, 'Z') : '—');
  setText('e-messages', messages.total.toLocaleString('en-US'));
  setText('e-dropped', messages.droppedResults.toLocaleString('en-US'));
  setText('e-anomalies', `${anomalies.zscore} z · ${anomalies.score} score`);
  if (!rateChart) {
    const box = $('rates');
    rateChart = new uPlot(rateChartOptions(Math.max(200, box.clientWidth - 4), 90), [[], [], []], box);
  }
  rateChart.setData(engine.history() as uPlot.AlignedData);
}

function renderAnomalies(): void {
  if (!anomaliesDirty) return;
  anomaliesDirty = false;
  const body = $('anomaly-rows');
  const rows = anomalies.recent.slice(-12).reverse();
  const frag = document.createDocumentFragment();
  for (const a of rows) {
    const tr = document.createElement('tr');
    tr.className = `rule-${a.rule}`;
    // the year is left out to keep the table inside its card (the full time is the row's tooltip)
    tr.title = a.window_end;
    for (const text of [a.window_end.slice(5, 19).replace('T', ' '), keyText(a.key), compact(a.value), compact(a.zscore, 1), compact(a.anomaly_score, 1), a.rule === 'both' ? 'z + score' : a.rule === 'zscore' ? 'z-score' : 'score']) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    frag.append(tr);
  }
  body.replaceChildren(frag);
}

/** Keys to chart: the pinned ones, or the busiest (a newcomer replaces a charted key only when 10 % busier, so ties do not flicker). */
function chooseDisplayed(): string[] {
  if (mode === 'manual') return [...manual];
  const ranked = [...volume.entries()].sort((a, b) => b[1] - a[1] || (firstSeen.get(a[0]) ?? 0) - (firstSeen.get(b[0]) ?? 0));
  const current = displayed.filter((k) => volume.has(k));
  const chosen = new Set(current.slice(0, TOP));
  for (const [k] of ranked) {
    if (chosen.size >= TOP) break;
    chosen.add(k);
  }
  for (const [k, v] of ranked) {
    if (chosen.has(k)) continue;
    let weakest: string | undefined;
    let weakestVolume = Infinity;
    for (const c of chosen) {
      const cv = volume.get(c) ?? 0;
      if (cv < weakestVolume) {
        weakestVolume = cv;
        weakest = c;
      }
    }
    if (weakest === undefined || v <= weakestVolume * 1.1) break;
    chosen.delete(weakest);
    chosen.add(k);
  }
  return [...chosen].sort();
}

let chipSignature = '';
function renderChips(): void {
  const ranked = [...volume.entries()].sort((a, b) => b[1] - a[1] || (firstSeen.get(a[0]) ?? 0) - (firstSeen.get(b[0]) ?? 0)).slice(0, MAX_CHIPS);
  const signature = `${mode}|${displayed.join(',')}|${ranked.map(([k]) => k).join(',')}`;
  if (signature === chipSignature) {
    // only the volumes changed
    $('keys').querySelectorAll<HTMLElement>('button[data-key]').forEach((chip) => {
      const small = chip.querySelector('small');
      if (small) small.textContent = compact(volume.get(chip.dataset.key ?? '') ?? 0);
    });
    return;
  }
  chipSignature = signature;
  const box = $('keys');
  const frag = document.createDocumentFragment();
  const auto = document.createElement('button');
  auto.type = 'button';
  auto.className = `chip auto${mode === 'auto' ? ' on' : ''}`;
  auto.textContent = `top ${TOP} by volume`;
  auto.dataset.auto = '1';
  frag.append(auto);
  for (const [k, v] of ranked) {
    const chip = document.createElement('button');
    chip.type = 'button';
    chip.className = `chip${displayed.includes(k) ? ' on' : ''}`;
    chip.dataset.key = k;
    chip.append(keyText(k), ' ');
    const small = document.createElement('small');
    small.textContent = compact(v);
    chip.append(small);
    frag.append(chip);
  }
  box.replaceChildren(frag);
}

function onChipClick(ev: Event): void {
  const target = (ev.target as HTMLElement).closest('button');
  if (!target) return;
  if (target.dataset.auto) {
    mode = 'auto';
    manual = [];
  } else if (target.dataset.key !== undefined) {
    const key = target.dataset.key;
    if (mode === 'auto') manual = [...displayed];
    mode = 'manual';
    manual = manual.includes(key) ? manual.filter((k) => k !== key) : [...manual, key];
  }
  tick();
}

function renderCharts(): void {
  const next = chooseDisplayed();
  displayed = next;
  for (const [key, c] of charts) {
    if (!next.includes(key)) {
      c.plot.destroy();
      c.card.remove();
      charts.delete(key);
    }
  }
  const h = horizon();
  const slide = slideSec();
  for (const key of next) {
    const s = seriesFor(key, true);
    let c = charts.get(key);
    if (c && c.horizon !== h) {
      c.plot.destroy();
      c.card.remove();
      charts.delete(key);
      c = undefined;
    }
    if (!c) c = createChart(key);
    // keep DOM order = sorted key order
    $('charts').append(c.card);
    if (!s || !s.dirty) continue;
    c.plot.setData(s.data(slide, h) as uPlot.AlignedData);
    redraws++;
    const l = s.last;
    const m = s.markers();
    c.stats.textContent = l
      ? `avg ${compact(l.avg_value)} · σ ${compact(l.stddev_value)} · n ${compact(l.count)} · z ${compact(l.zscore, 1)} · score ${compact(l.anomaly_score, 1)} · ${m.zscore + m.score} markers`
      : '';
    c.card.classList.toggle('alert', !!l && (l.is_anomaly || (l.anomaly_score ?? 0) >= 0.5));
  }
  $('empty').hidden = next.length > 0;
}

function renderHeader(): void {
  setText('query', info?.query ?? helloQuery ?? '');
  const i = info;
  const parts: string[] = [];
  if (i) {
    parts.push(`${i.kind} · ${i.sizeMs === i.slideMs ? `tumbling ${dur(i.sizeMs)}` : `${dur(i.sizeMs)} sliding by ${dur(i.slideMs)}`}`);
    parts.push(`by ${i.keyColumns.join(', ') || '—'}`);
    if (i.anomalies) parts.push(`z-score > ${i.anomalies.threshold} over ${i.anomalies.rows} rows${i.anomalies.score ? ' · score ≥ 0.5' : ''}`);
    if (i.forecast) parts.push(`Holt α ${i.forecast.alpha}, +${i.forecast.horizon} slides`);
    if (i.thresholds.length > 0) parts.push(`thresholds ${i.thresholds.map((t) => t.name).join(', ')}`);
    if (i.sequences.length > 0) parts.push(`sequences ${i.sequences.join(' | ')}`);
  }
  parts.push(`max_points ${MAX_POINTS} · update ${UPDATE_INTERVAL} ms`);
  setText('pipeline', parts.join(' · '));
}

function dur(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

function tick(): void {
  renderConnection();
  renderHeader();
  renderCharts();
  renderChips();
  renderEngine();
  renderAnomalies();
}

// ---------------------------------------------------------------- test hook

function snapshot(): DashboardSnapshot {
  const out: DashboardSnapshot['series'] = {};
  for (const [k, s] of series) {
    out[k] = {
      points: s.count, maxPoints: s.maxCount, appended: s.appended, resets: s.resets, last: s.last, markers: s.markers(),
      seen: { zscore: s.seenZscore, score: s.seenScore }, matches: s.matches.length, thresholdHits: s.thresholdHits,
    };
  }
  return {
    connection: live.state,
    transitions: [...live.transitions],
    opens: live.opens,
    messages: { ...messages },
    query: info?.query ?? helloQuery,
    info,
    config: { maxPoints: MAX_POINTS, updateInterval: UPDATE_INTERVAL, top: TOP },
    displayed: [...displayed],
    mode,
    series: out,
    anomalies: { zscore: anomalies.zscore, score: anomalies.score, both: anomalies.both, recent: anomalies.recent.map((a) => ({ ...a })) },
    engine: { ...engine.numbers },
    redraws,
    restartsSeen: runs,
    volumeKeys: volume.size,
  };
}

declare global {
  interface Window {
    eddyDashboard: {
      readonly connection: ConnectionState;
      readonly messages: number;
      readonly engine: EngineNumbers;
      snapshot(): DashboardSnapshot;
    };
  }
}

window.eddyDashboard = {
  get connection() {
    return live.state;
  },
  get messages() {
    return messages.total;
  },
  get engine() {
    return { ...engine.numbers };
  },
  snapshot,
};

// ---------------------------------------------------------------- start

$('keys').addEventListener('click', onChipClick);
let resizeTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    const w = chartWidth();
    for (const c of charts.values()) c.plot.setSize({ width: w, height: 240 });
    if (rateChart) rateChart.setSize({ width: Math.max(200, $('rates').clientWidth - 4), height: 90 });
  }, 150);
});
live.start();
void loadInfo();
setInterval(() => {
  void engine.poll();
  tick();
}, UPDATE_INTERVAL);
void engine.poll().then(tick);
