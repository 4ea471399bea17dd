/**
 * The dashboard's settings, from the page's URL parameters: `max_points`,
 * `update_interval`, `top`, `keys`, `token` (see main.ts).
 */

/** The page's settings, from its URL parameters (see main.ts). */
export interface DashboardSettings {
  /** Points kept per series. */
  maxPoints: number;
  /** ms between redraws and /progress polls. */
  updateInterval: number;
  /** Keys charted by default (the busiest by volume). */
  top: number;
  /** Passed on to /live. */
  token: string | null;
  /** Keys to chart instead of the busiest. */
  pinned: string[];
  /** Keys whose history is kept (the charted ones among them). */
  maxSeries: number;
}

/** Reads the settings from a URL's query string. */
export function readSettings(search: string): DashboardSettings {
  const params = new URLSearchParams(search);
  const intParam = (name: string, fallback: number, min: number, max: number): number => {
    const raw = params.get(name);
    if (raw === null || raw.trim() === '') return fallback;
    const v = Number(raw);
    return Number.isFinite(v) ? Math.min(max, Math.max(min, Math.round(v))) : fallback;
  };
  const top = intParam('top', 4, 1, 24);
  const pinned = (params.get('keys') ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  return {
    maxPoints: intParam('max_points', 1000, 10, 100_000),
    updateInterval: intParam('update_interval', 1000, 50, 60_000),
    top,
    token: params.get('token'),
    pinned,
    maxSeries: Math.max(24, top, pinned.length),
  };
}
