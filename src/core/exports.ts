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
}

/** ABI version this host speaks; must equal `core_abi_version()`. */
export const CORE_ABI_VERSION = 1;

/** Names every core must export, checked at instantiation so a stale build fails loudly. */
export const CORE_FUNCTIONS: readonly (keyof CoreExports)[] = [
  'core_abi_version', 'window_configure', 'window_reset', 'input_reserve', 'input_ts_ptr', 'input_key_ptr',
  'input_value_ptr', 'input_type_ptr', 'batch_process', 'batch_flush', 'out_windows_ptr', 'out_windows_count', 'out_windows_width',
  'out_late_ptr', 'out_late_count', 'out_late_width', 'stats_watermark', 'stats_events', 'stats_late',
  'stats_invalid', 'stats_windows', 'stats_keys', 'stats_active_keys', 'stats_key_bytes', 'stats_state_bytes',
  'stats_key_late', 'snapshot_take', 'snapshot_ptr', 'snapshot_release', 'restore_reserve', 'restore_commit',
];

/** Field indexes of a window record (f64 each). */
export const W_KEY = 0, W_START = 1, W_END = 2, W_COUNT = 3, W_SUM = 4, W_AVG = 5, W_STDDEV = 6, W_MIN = 7, W_MAX = 8;
/** Field indexes of a late-event record (f64 each). */
export const L_TS = 0, L_KEY = 1, L_VALUE = 2, L_ROW = 3;
