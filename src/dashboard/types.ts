/**
 * The shapes the dashboard's parts share: the pipeline as GET
 * /dashboard.json describes it, the page's counts and anomaly list, and what
 * `window.eddyDashboard.snapshot()` returns to tests.
 */
import type { LastValues } from './series.js';
import type { EngineNumbers } from './engine.js';
import type { ConnectionState, Transition } from './connection.js';
import type { Threshold } from './chart.js';

/** What a query emits: window records or scored events. */
export type QueryKind = 'windows' | 'events';

/** Charted keys: the busiest by volume, or the ones picked. */
export type KeyMode = 'auto' | 'manual';

/** The pipeline, as GET /dashboard.json describes it. */
export interface DashboardInfo {
  query: string;
  runId: string | null;
  kind: QueryKind;
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

/** `/live` messages counted by type (and the records and matches they carried). */
export interface MessageCounts {
  total: number;
  hello: number;
  results: number;
  dropped: number;
  droppedResults: number;
  other: number;
  records: number;
  matches: number;
}

/** Anomalies counted by rule, and the most recent ones. */
export interface AnomalyCounts {
  zscore: number;
  score: number;
  both: number;
  recent: AnomalyMark[];
}

/** What window.eddyDashboard.snapshot() returns. */
export interface DashboardSnapshot {
  connection: ConnectionState;
  transitions: Transition[];
  opens: number;
  messages: MessageCounts;
  query: string | null;
  info: DashboardInfo | null;
  config: { maxPoints: number; updateInterval: number; top: number };
  displayed: string[];
  mode: KeyMode;
  series: Record<
    string,
    {
      points: number;
      maxPoints: number;
      appended: number;
      resets: number;
      last: LastValues | null;
      markers: { zscore: number; score: number };
      seen: { zscore: number; score: number };
      matches: number;
      thresholdHits: number;
    }
  >;
  anomalies: AnomalyCounts;
  engine: EngineNumbers;
  redraws: number;
  /** Server runs seen after the first (restarts noticed). */
  restartsSeen: number;
  volumeKeys: number;
}
