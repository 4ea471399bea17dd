/**
 * The wasm core's export surface as the host sees it: plain functions over
 * numbers and addresses (see assembly/index.ts for each one's contract).
 */
export interface CoreExports {
  memory: WebAssembly.Memory;
  core_abi_version(): number;
  window_configure(size: number, slide: number, delay: number, lateness: number, mode: number): number;
  window_reset(): void;
  input_reserve(rows: number): number;
  input_ts_ptr(): number;
  input_key_ptr(): number;
  input_value_ptr(): number;
  input_type_ptr(): number;
  batch_process(n: number): number;
  batch_flush(): number;
  out_windows_ptr(): number;
  out_windows_count(): number;
  out_windows_width(): number;
  out_late_ptr(): number;
  out_late_count(): number;
  out_late_width(): number;
  stats_watermark(): number;
  stats_events(): number;
  stats_late(): number;
  stats_invalid(): number;
  stats_windows(): number;
  stats_keys(): number;
  stats_active_keys(): number;
  stats_key_bytes(): number;
  stats_state_bytes(): number;
  stats_key_late(key: number): number;
  snapshot_take(): number;
  snapshot_ptr(): number;
  snapshot_release(): void;
  restore_reserve(length: number): number;
  restore_commit(): number;
  window_enable(on: number): void;
  stage_zscore(stage: number, mode: number, rows: number, timeMs: number, threshold: number): number;
  stage_holt(stage: number, enabled: number, alpha: number, beta: number, gamma: number, horizon: number, slots: number, seasonMs: number): number;
  stage_thresholds_clear(stage: number): void;
  stage_threshold(stage: number, i: number, upper: number, lower: number): number;
  stage_thresholds_max(): number;
  stage_detector(stage: number, enabled: number): number;
  stage_window_field(field: number): number;
  stage_reset(stage: number): void;
  out_stage_ptr(stage: number): number;
  out_stage_count(stage: number): number;
  out_stage_width(): number;
  // sequence patterns (assembly/patterns.ts)
  patterns_define(count: number, maxPartials: number): number;
  patterns_set(p: number, steps: number, withinMs: number): number;
  patterns_set_step(p: number, i: number, typeId: number, strict: number): number;
  patterns_reset(): void;
  patterns_process(n: number): number;
  out_matches_ptr(): number;
  out_matches_count(): number;
  out_matches_width(): number;
  out_match_ts_ptr(): number;
  out_match_ts_count(): number;
  patterns_active_partials(): number;
  patterns_matches_total(): number;
  patterns_dropped_partials(): number;
}

/** ABI version this host speaks; must equal `core_abi_version()`. */
export const CORE_ABI_VERSION = 3;

/** Names every core must export, checked at instantiation so a stale build fails loudly. */
export const CORE_FUNCTIONS: readonly (keyof CoreExports)[] = [
  'core_abi_version', 'window_configure', 'window_reset', 'input_reserve', 'input_ts_ptr', 'input_key_ptr',
  'input_value_ptr', 'input_type_ptr', 'batch_process', 'batch_flush', 'out_windows_ptr', 'out_windows_count', 'out_windows_width',
  'out_late_ptr', 'out_late_count', 'out_late_width', 'stats_watermark', 'stats_events', 'stats_late',
  'stats_invalid', 'stats_windows', 'stats_keys', 'stats_active_keys', 'stats_key_bytes', 'stats_state_bytes',
  'stats_key_late', 'snapshot_take', 'snapshot_ptr', 'snapshot_release', 'restore_reserve', 'restore_commit',
  'window_enable', 'stage_zscore', 'stage_holt', 'stage_thresholds_clear', 'stage_threshold', 'stage_thresholds_max',
  'stage_detector', 'stage_window_field', 'stage_reset', 'out_stage_ptr', 'out_stage_count', 'out_stage_width',
  'patterns_define', 'patterns_set', 'patterns_set_step', 'patterns_reset', 'patterns_process', 'out_matches_ptr',
  'out_matches_count', 'out_matches_width', 'out_match_ts_ptr', 'out_match_ts_count', 'patterns_active_partials',
  'patterns_matches_total', 'patterns_dropped_partials',
];

/** Field indexes of a window record (f64 each). */
export const W_KEY = 0, W_START = 1, W_END = 2, W_COUNT = 3, W_SUM = 4, W_AVG = 5, W_STDDEV = 6, W_MIN = 7, W_MAX = 8;
/** Field indexes of a late-event record (f64 each). */
export const L_TS = 0, L_KEY = 1, L_VALUE = 2, L_ROW = 3;
/** Analytics stages: 0 scores input rows, 1 scores window results. */
export const STAGE_EVENTS = 0, STAGE_WINDOWS = 1;
/** Field indexes of a stage output record (f64 each). */
export const S_ZSCORE = 0, S_IS_ANOMALY = 1, S_LEVEL = 2, S_TREND = 3, S_FORECAST = 4, S_FORECAST_H = 5, S_SCORE = 6, S_PATTERNS = 7, S_ROLLING_AVG = 8, S_ROLLING_STDDEV = 9;
/** Field indexes of a sequence-match record (f64 each); its event times are at `M_TS_AT` in the match-times column. */
export const M_KEY = 0, M_PATTERN = 1, M_FIRST_TS = 2, M_LAST_TS = 3, M_ROW = 4, M_TS_AT = 5;
