/**
 * The dashboard's state: the page's settings (settings.ts), the pipeline as
 * `/dashboard.json` and the `hello` message describe it, the bounded series
 * per key, key volumes, the keys charted, message and anomaly counts. One
 * `DashboardState` object holds it; `/live` messages are folded into it as
 * they arrive (no DOM here: view.ts draws it).
 */
import { Series, FLAG_SCORE, FLAG_ZSCORE, type SeriesFields } from './series.js';
import type { DashboardSettings } from './settings.js';
import type { AnomalyCounts, DashboardInfo, KeyMode, MessageCounts, QueryKind } from './types.js';

// ---------------------------------------------------------------- keys and limits

/** Keys whose volume is counted; beyond, the smallest half is forgotten. */
const MAX_VOLUME_KEYS = 10_000;
/** Anomalies listed in the panel. */
const MAX_RECENT_ANOMALIES = 50;
const KEY_SEPARATOR = '\u001f';

/** A key as shown (the values of a composite key joined by ' · '). */
export const keyText = (key: string): string => key.split(KEY_SEPARATOR).join(' · ');

// ---------------------------------------------------------------- state

function toSeconds(iso: unknown): number {
  return typeof iso === 'string' ? Date.parse(iso) / 1000 : NaN;
}

const finiteOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Hooks the state calls while folding messages in. */
export interface StateHooks {
  /** The hello of an events query: only its anomalies (and matches) should come to the page. */
  onEventsHello(): void;
}

/** Everything the page knows (see the module comment). */
export class DashboardState {
  /** History per key (at most settings.maxSeries keys). */
  readonly series = new Map<string, Series>();
  /** Records (or counted events) per key. */
  readonly volume = new Map<string, number>();
  /** Order in which keys were first seen (ties in volume go to the older key). */
  readonly firstSeen = new Map<string, number>();
  private seenCounter = 0;
  /** The pipeline, once /dashboard.json answered. */
  info: DashboardInfo | null = null;
  /** The query's name from the hello message. */
  helloQuery: string | null = null;
  helloKind: QueryKind = 'windows';
  keyColumns: string[] = [];
  /** Keys charted (sorted). */
  displayed: string[] = [];
  mode: KeyMode;
  /** Keys picked (manual mode). */
  manual: string[];
  readonly messages: MessageCounts = { total: 0, hello: 0, results: 0, dropped: 0, droppedResults: 0, other: 0, records: 0, matches: 0 };
  readonly anomalies: AnomalyCounts = { zscore: 0, score: 0, both: 0, recent: [] };
  /** Runs seen after the first (server restarts with a new run). */
  runs = 0;
  /** Set when the anomaly list changed since it was drawn. */
  anomaliesDirty = true;
  /** The record fields charted (before /dashboard.json answers: the seed's names). */
  fields: SeriesFields = { value: 'avg_value', stddev: 'stddev_value', min: 'min_value', max: 'max_value', count: 'count' };

  constructor(
    readonly settings: DashboardSettings,
    private readonly hooks: StateHooks,
  ) {
    this.mode = settings.pinned.length > 0 ? 'manual' : 'auto';
    this.manual = [...settings.pinned];
  }

  /** Seconds between windows (0 for an events query or before /dashboard.json answers). */
  slideSec(): number {
    const info = this.info;
    return info && info.kind !== 'events' ? info.slideMs / 1000 : 0;
  }

  /** Forecast slides drawn ahead (0: none). */
  horizon(): number {
    return this.info?.forecast?.horizon ?? 0;
  }

  private updateFields(): void {
    const info = this.info;
    if (this.helloKind === 'events') this.fields = { value: info?.valueColumn ?? 'value', stddev: null, min: null, max: null, count: null };
    else if (info) this.fields = { ...info.fields, value: info.fields.value ?? 'avg_value' };
  }

  // ---------------------------------------------------------------- messages

  /** Folds one `/live` message in. */
  onMessage(data: string): void {
    const messages = this.messages;
    messages.total++;
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(data) as Record<string, unknown>;
    } catch {
      messages.other++;
      return;
    }
    switch (doc.type) {
      case 'hello':
        messages.hello++;
        this.onHello(doc);
        break;
      case 'results':
        messages.results++;
        this.onResults(doc);
        break;
      case 'dropped':
        messages.dropped++;
        messages.droppedResults += typeof doc.count === 'number' ? doc.count : 0;
        break;
      default:
        messages.other++;
    }
  }

  private onHello(doc: Record<string, unknown>): void {
    this.helloQuery = typeof doc.query === 'string' ? doc.query : null;
    this.helloKind = doc.kind === 'events' ? 'events' : 'windows';
    this.keyColumns = Array.isArray(doc.keyColumns) ? doc.keyColumns.map(String) : [];
    // an events query scores every event: only its anomalies (and matches) come to the page
    if (this.helloKind === 'events') this.hooks.onEventsHello();
    this.updateFields();
  }

  private onResults(doc: Record<string, unknown>): void {
    const primary = (this.helloKind === 'events' ? doc.anomalies : doc.windows) as Record<string, unknown>[] | undefined;
    if (primary) for (const r of primary) this.addRecord(r);
    const patterns = doc.patterns as Record<string, unknown>[] | undefined;
    // `patterns` also repeats window records that carry threshold patterns; only sequence matches are new
    if (patterns) for (const r of patterns) if (typeof r.pattern === 'string' && !('window' in r)) this.addMatch(r);
  }

  private keyOf(r: Record<string, unknown>): string {
    const keyColumns = this.keyColumns;
    if (keyColumns.length === 1) return String(r[keyColumns[0]!]);
    return keyColumns.map((c) => String(r[c])).join(KEY_SEPARATOR);
  }

  private addRecord(r: Record<string, unknown>): void {
    this.messages.records++;
    const fields = this.fields;
    const key = this.keyOf(r);
    const window = r.window as { end?: unknown } | undefined;
    const endIso = typeof window?.end === 'string' ? window.end : typeof r.timestamp === 'string' ? r.timestamp : '';
    const t = toSeconds(endIso);
    if (!Number.isFinite(t)) return;
    const n = fields.count === null ? undefined : r[fields.count];
    this.addVolume(key, typeof n === 'number' ? n : 1);
    const s = this.seriesFor(key);
    const flags = s
      ? s.add(r, t, this.slideSec(), fields)
      : (r.is_anomaly === true ? FLAG_ZSCORE : 0) | (typeof r.anomaly_score === 'number' && r.anomaly_score >= 0.5 ? FLAG_SCORE : 0);
    if (flags !== 0) this.noteAnomaly(key, r, flags, endIso);
  }

  private addMatch(r: Record<string, unknown>): void {
    this.messages.matches++;
    const s = this.series.get(this.keyOf(r));
    const start = toSeconds(r.start);
    const end = toSeconds(r.end);
    if (s && Number.isFinite(start) && Number.isFinite(end)) s.addMatch(String(r.pattern), start, end);
  }

  private noteAnomaly(key: string, r: Record<string, unknown>, flags: number, endIso: string): void {
    const anomalies = this.anomalies;
    const fields = this.fields;
    const rule = flags & FLAG_ZSCORE && flags & FLAG_SCORE ? 'both' : flags & FLAG_ZSCORE ? 'zscore' : 'score';
    if (flags & FLAG_ZSCORE) anomalies.zscore++;
    if (flags & FLAG_SCORE) anomalies.score++;
    if (rule === 'both') anomalies.both++;
    if (anomalies.recent.length >= MAX_RECENT_ANOMALIES) anomalies.recent.shift();
    anomalies.recent.push({
      key,
      window_end: endIso,
      value: finiteOrNull(r[fields.value]),
      min: fields.min === null ? null : finiteOrNull(r[fields.min]),
      max: fields.max === null ? null : finiteOrNull(r[fields.max]),
      zscore: finiteOrNull(r.zscore),
      anomaly_score: finiteOrNull(r.anomaly_score),
      rule,
    });
    this.anomaliesDirty = true;
  }

  // ---------------------------------------------------------------- keys

  private addVolume(key: string, n: number): void {
    const volume = this.volume;
    const v = volume.get(key);
    if (v === undefined) {
      if (volume.size >= MAX_VOLUME_KEYS) this.pruneVolume();
      volume.set(key, n);
      this.firstSeen.set(key, this.seenCounter++);
    } else volume.set(key, v + n);
  }

  private pruneVolume(): void {
    const volume = this.volume;
    const keep = new Set(
      [...volume.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, MAX_VOLUME_KEYS / 2)
        .map(([k]) => k),
    );
    for (const k of this.displayed) keep.add(k);
    for (const k of this.manual) keep.add(k);
    for (const k of [...volume.keys()]) {
      if (!keep.has(k)) {
        volume.delete(k);
        this.firstSeen.delete(k);
      }
    }
  }

  /** True when the key is charted or picked (its series is never evicted). */
  private wanted(key: string): boolean {
    return this.displayed.includes(key) || this.manual.includes(key);
  }

  /** The series of a key, created when there is room or the key is wanted (evicting the least busy unwanted one). */
  seriesFor(key: string, wanted = false): Series | undefined {
    const series = this.series;
    let s = series.get(key);
    if (s) return s;
    if (series.size >= this.settings.maxSeries) {
      if (!wanted && !this.wanted(key)) return undefined;
      let victim: string | undefined;
      let least = Infinity;
      for (const k of series.keys()) {
        if (this.wanted(k) || k === key) continue;
        const v = this.volume.get(k) ?? 0;
        if (v < least) {
          least = v;
          victim = k;
        }
      }
      if (victim === undefined) return undefined;
      series.delete(victim);
    }
    s = new Series(key, this.settings.maxPoints);
    series.set(key, s);
    return s;
  }

  /** Keys with their volumes, busiest first (ties: the key seen first). */
  ranked(): [string, number][] {
    const firstSeen = this.firstSeen;
    return [...this.volume.entries()].sort((a, b) => b[1] - a[1] || (firstSeen.get(a[0]) ?? 0) - (firstSeen.get(b[0]) ?? 0));
  }

  /** Keys to chart: the pinned ones, or the busiest (a newcomer replaces a charted key only when 10 % busier, so ties do not flicker). */
  private chooseDisplayed(): string[] {
    if (this.mode === 'manual') return [...this.manual];
    const top = this.settings.top;
    const volume = this.volume;
    const ranked = this.ranked();
    const current = this.displayed.filter((k) => volume.has(k));
    const chosen = new Set(current.slice(0, top));
    for (const [k] of ranked) {
      if (chosen.size >= top) break;
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

  /** Chooses the keys to chart now; returns them (also in `displayed`). */
  updateDisplayed(): string[] {
    this.displayed = this.chooseDisplayed();
    return this.displayed;
  }

  /** Back to charting the busiest keys. */
  chartBusiest(): void {
    this.mode = 'auto';
    this.manual = [];
  }

  /** Picks or unpicks a key (the keys charted so far become the picked ones when leaving auto mode). */
  toggleKey(key: string): void {
    if (this.mode === 'auto') this.manual = [...this.displayed];
    this.mode = 'manual';
    this.manual = this.manual.includes(key) ? this.manual.filter((k) => k !== key) : [...this.manual, key];
  }

  // ---------------------------------------------------------------- pipeline

  /**
   * Takes the pipeline's description (GET /dashboard.json). A new run, slide
   * or query starts the series over. Returns true when the forecast horizon
   * changed (the charts must be rebuilt).
   */
  applyInfo(next: DashboardInfo): boolean {
    const info = this.info;
    if (info && (info.runId !== next.runId || info.slideMs !== next.slideMs || info.query !== next.query)) this.startOver();
    const horizonChanged = (info?.forecast?.horizon ?? 0) !== (next.forecast?.horizon ?? 0);
    this.info = next;
    if (this.helloKind !== next.kind) this.helloKind = next.kind;
    if (this.keyColumns.length === 0) this.keyColumns = next.keyColumns;
    this.updateFields();
    return horizonChanged;
  }

  /** Marks every series for a redraw. */
  markAllDirty(): void {
    for (const s of this.series.values()) s.dirty = true;
  }

  /** A new run behind the same address (a restarted server): its windows start over, so do the charts and key volumes. */
  private startOver(): void {
    for (const s of this.series.values()) s.clear();
    this.volume.clear();
    this.firstSeen.clear();
    this.runs++;
  }
}
