/**
 * The dashboard's DOM: the status pill, the pipeline header, one uPlot chart
 * per charted key, the key chips, the engine panel and the anomaly list,
 * drawn from a DashboardState (state.ts), the /live connection's state and
 * the engine poller's numbers. Charts redraw only when their series changed.
 */
import uPlot from 'uplot';
import type { EnginePoller } from './engine.js';
import type { LiveConnection } from './connection.js';
import { compact, keyChartOptions, rateChartOptions } from './chart.js';
import { keyText, type DashboardState } from './state.js';

/** Key chips shown in the selector. */
const MAX_CHIPS = 32;
const CHART_HEIGHT = 240;
const RATE_CHART_HEIGHT = 90;

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`dashboard: #${id} missing from the page`);
  return el as T;
};

function setText(id: string, text: string): void {
  const el = $(id);
  if (el.textContent !== text) el.textContent = text;
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

function dur(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/** One key's chart card. */
interface KeyChart {
  key: string;
  card: HTMLElement;
  title: HTMLElement;
  stats: HTMLElement;
  plot: uPlot;
  /** The forecast horizon the chart was built for. */
  horizon: number;
}

/** Draws the page (see the module comment). */
export class DashboardView {
  private readonly charts = new Map<string, KeyChart>();
  private rateChart: uPlot | null = null;
  private chipSignature = '';
  private resizeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Chart redraws (for tests). */
  redraws = 0;

  constructor(
    private readonly state: DashboardState,
    private readonly live: LiveConnection,
    private readonly engine: EnginePoller,
  ) {}

  /** Listens to key chip clicks and window resizes. */
  attach(): void {
    $('keys').addEventListener('click', (ev) => this.onChipClick(ev));
    window.addEventListener('resize', () => {
      clearTimeout(this.resizeTimer);
      this.resizeTimer = setTimeout(() => this.resize(), 150);
    });
  }

  /** Draws everything that changed. */
  render(): void {
    this.renderConnection();
    this.renderHeader();
    this.renderCharts();
    this.renderChips();
    this.renderEngine();
    this.renderAnomalies();
  }

  /** Removes every key chart (rebuilt on the next render). */
  destroyCharts(): void {
    for (const c of this.charts.values()) {
      c.plot.destroy();
      c.card.remove();
    }
    this.charts.clear();
  }

  renderConnection(): void {
    const live = this.live;
    const el = $('conn');
    const state = live.state;
    el.className = `conn ${state}`;
    let text = state === 'connected' ? 'live' : state === 'connecting' ? 'connecting…' : 'disconnected';
    if (state === 'disconnected' && live.retryAt !== null) text += ` · retry in ${Math.max(0, (live.retryAt - performance.now()) / 1000).toFixed(1)} s`;
    el.textContent = text;
    el.title = `connections opened: ${live.opens}`;
    document.body.dataset.connection = state;
  }

  private resize(): void {
    const w = this.chartWidth();
    for (const c of this.charts.values()) c.plot.setSize({ width: w, height: CHART_HEIGHT });
    if (this.rateChart) this.rateChart.setSize({ width: Math.max(200, $('rates').clientWidth - 4), height: RATE_CHART_HEIGHT });
  }

  private chartWidth(): number {
    const grid = $('charts');
    const cols = grid.clientWidth >= 1100 ? 2 : 1;
    return Math.max(280, Math.floor((grid.clientWidth - (cols - 1) * 16) / cols) - 26);
  }

  private createChart(key: string): KeyChart {
    const state = this.state;
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
    const s = () => state.series.get(key);
    const h = state.horizon();
    const plot = new uPlot(
      keyChartOptions(this.chartWidth(), CHART_HEIGHT, h, { thresholds: () => state.info?.thresholds ?? [], matches: () => s()?.matches ?? [] }),
      [[], [], [], [], [], [], [], [], []],
      body,
    );
    const chart = { key, card, title, stats, plot, horizon: h };
    this.charts.set(key, chart);
    const sr = s();
    if (sr) sr.dirty = true;
    return chart;
  }

  private removeChart(c: KeyChart): void {
    c.plot.destroy();
    c.card.remove();
    this.charts.delete(c.key);
  }

  private renderCharts(): void {
    const state = this.state;
    const next = state.updateDisplayed();
    for (const [key, c] of this.charts) if (!next.includes(key)) this.removeChart(c);
    const h = state.horizon();
    const slide = state.slideSec();
    for (const key of next) {
      const s = state.seriesFor(key, true);
      let c = this.charts.get(key);
      if (c && c.horizon !== h) {
        this.removeChart(c);
        c = undefined;
      }
      if (!c) c = this.createChart(key);
      // keep DOM order = sorted key order
      $('charts').append(c.card);
      if (!s?.dirty) continue;
      c.plot.setData(s.data(slide, h) as uPlot.AlignedData);
      this.redraws++;
      const l = s.last;
      const m = s.markers();
      c.stats.textContent = l
        ? `avg ${compact(l.avg_value)} · σ ${compact(l.stddev_value)} · n ${compact(l.count)} · z ${compact(l.zscore, 1)} · score ${compact(l.anomaly_score, 1)} · ${m.zscore + m.score} markers`
        : '';
      c.card.classList.toggle('alert', !!l && (l.is_anomaly || (l.anomaly_score ?? 0) >= 0.5));
    }
    $('empty').hidden = next.length > 0;
  }

  private renderChips(): void {
    const state = this.state;
    const ranked = state.ranked().slice(0, MAX_CHIPS);
    const signature = `${state.mode}|${state.displayed.join(',')}|${ranked.map(([k]) => k).join(',')}`;
    if (signature === this.chipSignature) {
      // only the volumes changed
      $('keys')
        .querySelectorAll<HTMLElement>('button[data-key]')
        .forEach((chip) => {
          const small = chip.querySelector('small');
          if (small) small.textContent = compact(state.volume.get(chip.dataset.key ?? '') ?? 0);
        });
      return;
    }
    this.chipSignature = signature;
    const box = $('keys');
    const frag = document.createDocumentFragment();
    const auto = document.createElement('button');
    auto.type = 'button';
    auto.className = `chip auto${state.mode === 'auto' ? ' on' : ''}`;
    auto.textContent = `top ${state.settings.top} by volume`;
    auto.dataset.auto = '1';
    frag.append(auto);
    for (const [k, v] of ranked) {
      const chip = document.createElement('button');
      chip.type = 'button';
      chip.className = `chip${state.displayed.includes(k) ? ' on' : ''}`;
      chip.dataset.key = k;
      chip.append(keyText(k), ' ');
      const small = document.createElement('small');
      small.textContent = compact(v);
      chip.append(small);
      frag.append(chip);
    }
    box.replaceChildren(frag);
  }

  private onChipClick(ev: Event): void {
    const target = (ev.target as HTMLElement).closest('button');
    if (!target) return;
    if (target.dataset.auto) this.state.chartBusiest();
    else if (target.dataset.key !== undefined) this.state.toggleKey(target.dataset.key);
    this.render();
  }

  private renderHeader(): void {
    const state = this.state;
    const { maxPoints, updateInterval } = state.settings;
    setText('query', state.info?.query ?? state.helloQuery ?? '');
    const i = state.info;
    const parts: string[] = [];
    if (i) {
      parts.push(`${i.kind} · ${i.sizeMs === i.slideMs ? `tumbling ${dur(i.sizeMs)}` : `${dur(i.sizeMs)} sliding by ${dur(i.slideMs)}`}`);
      parts.push(`by ${i.keyColumns.join(', ') || '—'}`);
      if (i.anomalies) parts.push(`z-score > ${i.anomalies.threshold} over ${i.anomalies.rows} rows${i.anomalies.score ? ' · score ≥ 0.5' : ''}`);
      if (i.forecast) parts.push(`Holt α ${i.forecast.alpha}, +${i.forecast.horizon} slides`);
      if (i.thresholds.length > 0) parts.push(`thresholds ${i.thresholds.map((t) => t.name).join(', ')}`);
      if (i.sequences.length > 0) parts.push(`sequences ${i.sequences.join(' | ')}`);
    }
    parts.push(`max_points ${maxPoints} · update ${updateInterval} ms`);
    setText('pipeline', parts.join(' · '));
  }

  private renderEngine(): void {
    const { messages, anomalies } = this.state;
    const n = this.engine.numbers;
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
    if (!this.rateChart) {
      const box = $('rates');
      this.rateChart = new uPlot(rateChartOptions(Math.max(200, box.clientWidth - 4), RATE_CHART_HEIGHT), [[], [], []], box);
    }
    this.rateChart.setData(this.engine.history() as uPlot.AlignedData);
  }

  private renderAnomalies(): void {
    const state = this.state;
    if (!state.anomaliesDirty) return;
    state.anomaliesDirty = false;
    const body = $('anomaly-rows');
    const rows = state.anomalies.recent.slice(-12).reverse();
    const frag = document.createDocumentFragment();
    for (const a of rows) {
      const tr = document.createElement('tr');
      tr.className = `rule-${a.rule}`;
      // the year is left out to keep the table inside its card (the full time is the row's tooltip)
      tr.title = a.window_end;
      for (const text of [
        a.window_end.slice(5, 19).replace('T', ' '),
        keyText(a.key),
        compact(a.value),
        compact(a.zscore, 1),
        compact(a.anomaly_score, 1),
        a.rule === 'both' ? 'z + score' : a.rule === 'zscore' ? 'z-score' : 'score',
      ]) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      frag.append(tr);
    }
    body.replaceChildren(frag);
  }
}
