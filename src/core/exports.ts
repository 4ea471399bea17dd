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
  stats_detector_key_bytes(stage: number): number;
  stats_detector_state_bytes(stage: number): number;
  stats_stage_state_bytes(stage: number): number;
  stats_pattern_state_bytes(): number;
  stats_key_late(key: number): number;
  snapshot_take(kind: number): number;
  changes_track(on: number): void;
  changes_count(): number;
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
  // byte scanners and the key table (assembly/scanConfig.ts, ndjsonScan.ts, keyTable.ts)
  scan_bytes_reserve(n: number): number;
  scan_config_reset(): void;
  scan_set_field(slot: number, len: number): number;
  scan_add_type(len: number): number;
  scan_max_key_columns(): number;
  scan_ndjson(len: number, firstLine: number, maxLineBytes: number): number;
  scan_lines(): number;
  scan_csv_columns(count: number): number;
  scan_csv_map(column: number, slot: number): number;
  scan_csv(len: number, firstLine: number, maxLineBytes: number): number;
  scan_json(len: number): number;
  scan_messages_reserve(count: number): number;
  scan_message_times_ptr(): number;
  scan_message_width(): number;
  scan_messages(count: number, len: number, flags: number): number;
  scan_keep_field_spans(on: number): void;
  scan_line_limit_units(on: number): void;
  scan_field_spans_ptr(): number;
  scan_field_spans_width(): number;
  input_shift(from: number, n: number): number;
  scan_rejects_ptr(): number;
  scan_rejects_count(): number;
  scan_rejects_width(): number;
  input_row_ptr(): number;
  keys_count(): number;
  keys_text_ptr(): number;
  keys_entries_ptr(): number;
  keys_intern(len: number, parts: number): number;
  keys_truncate(count: number): void;
  keys_reset(): void;
  text_to_number(len: number, json: number): number;
  number_to_text(x: number): number;
  text_to_timestamp(len: number): number;
  normal_tail(z: number): number;
  scored_csv(from: number, to: number): number;
  scored_csv_ptr(): number;
  scored_csv_length(): number;
}

/** Names every core must export, checked at instantiation so a stale build fails loudly. */
export const CORE_FUNCTIONS: readonly (keyof CoreExports)[] = [
  'core_abi_version',
  'window_configure',
  'window_reset',
  'input_reserve',
  'input_ts_ptr',
  'input_key_ptr',
  'input_value_ptr',
  'input_type_ptr',
  'batch_process',
  'batch_flush',
  'out_windows_ptr',
  'out_windows_count',
  'out_windows_width',
  'out_late_ptr',
  'out_late_count',
  'out_late_width',
  'stats_watermark',
  'stats_events',
  'stats_late',
  'stats_invalid',
  'stats_windows',
  'stats_keys',
  'stats_active_keys',
  'stats_key_bytes',
  'stats_state_bytes',
  'stats_detector_key_bytes',
  'stats_detector_state_bytes',
  'stats_stage_state_bytes',
  'stats_pattern_state_bytes',
  'stats_key_late',
  'snapshot_take',
  'changes_track',
  'changes_count',
  'snapshot_ptr',
  'snapshot_release',
  'restore_reserve',
  'restore_commit',
  'window_enable',
  'stage_zscore',
  'stage_holt',
  'stage_thresholds_clear',
  'stage_threshold',
  'stage_thresholds_max',
  'stage_detector',
  'stage_window_field',
  'stage_reset',
  'out_stage_ptr',
  'out_stage_count',
  'out_stage_width',
  'patterns_define',
  'patterns_set',
  'patterns_set_step',
  'patterns_reset',
  'patterns_process',
  'out_matches_ptr',
  'out_matches_count',
  'out_matches_width',
  'out_match_ts_ptr',
  'out_match_ts_count',
  'patterns_active_partials',
  'patterns_matches_total',
  'patterns_dropped_partials',
  'scan_bytes_reserve',
  'scan_config_reset',
  'scan_set_field',
  'scan_add_type',
  'scan_max_key_columns',
  'scan_ndjson',
  'scan_lines',
  'scan_csv_columns',
  'scan_csv_map',
  'scan_csv',
  'scan_json',
  'scan_messages_reserve',
  'scan_message_times_ptr',
  'scan_message_width',
  'scan_messages',
  'scan_keep_field_spans',
  'scan_field_spans_ptr',
  'scan_field_spans_width',
  'input_shift',
  'scan_line_limit_units',
  'scan_rejects_ptr',
  'scan_rejects_count',
  'scan_rejects_width',
  'input_row_ptr',
  'keys_count',
  'keys_text_ptr',
  'keys_entries_ptr',
  'keys_intern',
  'keys_truncate',
  'keys_reset',
  'text_to_number',
  'number_to_text',
  'text_to_timestamp',
  'normal_tail',
  'scored_csv',
  'scored_csv_ptr',
  'scored_csv_length',
];

// Record layouts, widths, stage ids, scanner codes, status codes, limits and the ABI version: one file read by the core and the host.
export * from '../../assembly/abi.js';
