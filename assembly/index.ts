/**
 * eddy's wasm core: the one flat export surface.
 *
 * Plain functions over numbers and addresses into memory the core owns; no
 * class crosses the boundary. Names are `<area>_<verb>`. A batch is:
 * `input_reserve(n)` → host writes the columns at `input_*_ptr()` →
 * `batch_process(n)` → host reads `out_windows_*` and `out_late_*`. Any call
 * may grow memory: recreate typed-array views after each one.
 */
import { inputReserve, inputTs, inputKey, inputValue } from "./input";
import { windowsOut, lateOut, WINDOW_WIDTH, LATE_WIDTH } from "./output";
import {
  windowConfigure, windowProcess, windowFlush, windowReset, windowWatermark,
  windowEventsTotal, windowLateTotal, windowInvalidTotal, windowEmittedTotal, windowActiveKeys, windowKeyLate,
} from "./window";
import { keyCount, keyBytes, keysAllocatedBytes } from "./keys";
import { snapshotTake, snapshotAddress, snapshotRelease, restoreReserve, restoreCommit } from "./snapshot";

/** Layout version of the boundary; the host refuses a core with another. */
export function core_abi_version(): i32 { return 1; }

/** Configures windows (ms; mode 0 append, 1 update) and empties all state; 0 or an error code. */
export function window_configure(size: f64, slide: f64, delay: f64, lateness: f64, mode: i32): i32 {
  return windowConfigure(size, slide, delay, lateness, mode);
}
/** Empties all state, keeping the configuration. */
export function window_reset(): void { windowReset(); }

/** Makes the input columns hold `rows` rows; returns the capacity or -1 if too large. */
export function input_reserve(rows: i32): i32 { return inputReserve(rows); }
/** Address of the event-time column (f64 epoch ms). */
export function input_ts_ptr(): usize { return inputTs; }
/** Address of the key-id column (i32). */
export function input_key_ptr(): usize { return inputKey; }
/** Address of the value column (f64). */
export function input_value_ptr(): usize { return inputValue; }

/** Processes `n` rows of the input columns; returns the number of window records output. */
export function batch_process(n: i32): i32 { return windowProcess(n); }
/** End of input: emits every open window; later events are late. Returns window records output. */
export function batch_flush(): i32 { return windowFlush(); }

/** Address of the window records of the last call (see output.ts for the layout). */
export function out_windows_ptr(): usize { return windowsOut.ptr; }
/** Number of window records of the last call. */
export function out_windows_count(): i32 { return windowsOut.count; }
/** f64 fields per window record. */
export function out_windows_width(): i32 { return WINDOW_WIDTH; }
/** Address of the late-event records of the last call. */
export function out_late_ptr(): usize { return lateOut.ptr; }
/** Number of late-event records of the last call. */
export function out_late_count(): i32 { return lateOut.count; }
/** f64 fields per late-event record. */
export function out_late_width(): i32 { return LATE_WIDTH; }

/** Watermark in epoch ms (-∞ before the first event, +∞ after flush). */
export function stats_watermark(): f64 { return windowWatermark(); }
/** Events folded into windows since start. */
export function stats_events(): f64 { return windowEventsTotal(); }
/** Late events since start. */
export function stats_late(): f64 { return windowLateTotal(); }
/** Rows rejected by the core (non-finite time/value or negative key) since start. */
export function stats_invalid(): f64 { return windowInvalidTotal(); }
/** Window records emitted since start. */
export function stats_windows(): f64 { return windowEmittedTotal(); }
/** Highest key id seen + 1. */
export function stats_keys(): i32 { return keyCount; }
/** Keys holding data in an open window. */
export function stats_active_keys(): i32 { return windowActiveKeys(); }
/** Bytes of state per key (its pane slots and header). */
export function stats_key_bytes(): i32 { return <i32>keyBytes(); }
/** Bytes of key state allocated. */
export function stats_state_bytes(): f64 { return keysAllocatedBytes(); }
/** Late events counted for key `k`. */
export function stats_key_late(k: i32): f64 { return windowKeyLate(k); }

/** Serialises all state; returns the byte length (read at snapshot_ptr()). */
export function snapshot_take(): i32 { return snapshotTake(); }
/** Address of the last snapshot. */
export function snapshot_ptr(): usize { return snapshotAddress(); }
/** Frees the last snapshot after the host copied it. */
export function snapshot_release(): void { snapshotRelease(); }
/** Reserves `length` bytes for a snapshot to restore; returns the address to copy it to. */
export function restore_reserve(length: i32): usize { return restoreReserve(length); }
/** Replaces all state with the reserved snapshot; 0, or an error code (state is then empty). */
export function restore_commit(): i32 { return restoreCommit(); }
