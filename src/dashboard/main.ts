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
 * ring buffers at once (state.ts); charts redraw at most every update
 * interval, only when their data changed (view.ts). This file wires the
 * /live connection (connection.ts) and the /progress poller (engine.ts) to
 * the state and the view. State for tests: `window.eddyDashboard`.
 */
import 'uplot/dist/uPlot.min.css';
import './dashboard.css';
import { EnginePoller, type EngineNumbers } from './engine.js';
import { LiveConnection, type ConnectionState } from './connection.js';
import { readSettings } from './settings.js';
import { DashboardState } from './state.js';
import type { DashboardInfo, DashboardSnapshot } from './types.js';
import { DashboardView } from './view.js';

export type { AnomalyMark, DashboardSnapshot } from './types.js';

const settings = readSettings(location.search);
const state = new DashboardState(settings, {
  onEventsHello: () => live.send({ subscribe: { kinds: ['anomalies', 'patterns'] } }),
});

// ---------------------------------------------------------------- connection

function liveUrl(): string {
  const url = new URL('live', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  url.searchParams.set('kinds', 'windows,patterns');
  if (settings.token !== null) url.searchParams.set('token', settings.token);
  return url.toString();
}

async function loadInfo(): Promise<void> {
  try {
    const res = await fetch(new URL('dashboard.json', location.href), { cache: 'no-store' });
    if (!res.ok) return;
    const next = (await res.json()) as DashboardInfo;
    if (state.applyInfo(next)) view.destroyCharts();
    state.markAllDirty();
  } catch {
    // the info only refines the charts (slide, horizon, thresholds); retried on the next connect
  }
}

const live = new LiveConnection(
  liveUrl,
  (data) => state.onMessage(data),
  () => view.renderConnection(),
  () => void loadInfo(),
);
const engine = new EnginePoller(new URL('progress', location.href).toString());
const view = new DashboardView(state, live, engine);

// ---------------------------------------------------------------- test hook

function snapshot(): DashboardSnapshot {
  const out: DashboardSnapshot['series'] = {};
  for (const [k, s] of state.series) {
    out[k] = {
      points: s.count,
      maxPoints: s.maxCount,
      appended: s.appended,
      resets: s.resets,
      last: s.last,
      markers: s.markers(),
      seen: { zscore: s.seenZscore, score: s.seenScore },
      matches: s.matches.length,
      thresholdHits: s.thresholdHits,
    };
  }
  const anomalies = state.anomalies;
  return {
    connection: live.state,
    transitions: [...live.transitions],
    opens: live.opens,
    messages: { ...state.messages },
    query: state.info?.query ?? state.helloQuery,
    info: state.info,
    config: { maxPoints: settings.maxPoints, updateInterval: settings.updateInterval, top: settings.top },
    displayed: [...state.displayed],
    mode: state.mode,
    series: out,
    anomalies: { zscore: anomalies.zscore, score: anomalies.score, both: anomalies.both, recent: anomalies.recent.map((a) => ({ ...a })) },
    engine: { ...engine.numbers },
    redraws: view.redraws,
    restartsSeen: state.runs,
    volumeKeys: state.volume.size,
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
    return state.messages.total;
  },
  get engine() {
    return { ...engine.numbers };
  },
  snapshot,
};

// ---------------------------------------------------------------- start

view.attach();
live.start();
void loadInfo();
setInterval(() => {
  void engine.poll();
  view.render();
}, settings.updateInterval);
void engine.poll().then(() => view.render());
