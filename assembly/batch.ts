/**
 * One batch through every kernel: windows over the input rows, the events
 * stage over the same rows, the windows stage over the window records the
 * batch emitted, then the sequence patterns over the rows (each does nothing
 * when not configured). Each kernel reads the core's own columns; the host
 * crosses the boundary once.
 */
import { windowProcess, windowFlush } from "./window";
import { windowsOut, outputsReset } from "./output";
import { inputTs, inputKey, inputValue } from "./input";
import { stages, STAGE_EVENTS, STAGE_WINDOWS } from "./stage";
import { WINDOW_WIDTH } from "./output";
import { patternsProcess } from "./patterns";
import { trackingChanges, markChanged } from "./changedKeys";

/** False for queries without windows (an events-only query): the window kernel is skipped. */
export let windowsOn: bool = true;

/** Turns the window kernel on or off. */
export function setWindowsOn(on: bool): void {
  windowsOn = on;
}

/** Processes n input rows through every enabled kernel; returns window records emitted. */
export function batchProcess(n: i32): i32 {
  if (trackingChanges) markRowKeys(n);
  let emitted = 0;
  if (windowsOn) emitted = windowProcess(n);
  else outputsReset(); // no stale window records for the windows stage to score again
  runEventsStage(n);
  runWindowsStage();
  patternsProcess(n);
  return emitted;
}

/** End of input: flushes the windows (and scores the flushed windows). */
export function batchFlush(): i32 {
  const emitted = windowsOn ? windowFlush() : 0;
  if (!windowsOn) outputsReset();
  stages[STAGE_EVENTS].out.count = 0; // flush has no input rows
  runWindowsStage();
  return emitted;
}

/** Marks the key of every row (windows, late counts, the events stage and patterns all change only rows' keys). */
function markRowKeys(n: i32): void {
  for (let i = 0; i < n; i++) {
    const k = load<i32>(inputKey + (<usize>i << 2));
    if (k >= 0) markChanged(k);
  }
}

function runEventsStage(n: i32): void {
  const stage = stages[STAGE_EVENTS];
  stage.out.count = 0;
  if (!stage.enabled) return;
  for (let i = 0; i < n; i++) {
    const ts = load<f64>(inputTs + (<usize>i << 3));
    const k = load<i32>(inputKey + (<usize>i << 2));
    const x = load<f64>(inputValue + (<usize>i << 3));
    if (!(ts - ts == 0) || !(x - x == 0) || k < 0) stage.skip();
    else stage.step(k, ts, x);
  }
}

function runWindowsStage(): void {
  const stage = stages[STAGE_WINDOWS];
  stage.out.count = 0;
  if (!stage.enabled) return;
  const field = <usize>stage.windowField << 3;
  const tracking = trackingChanges;
  for (let w = 0; w < windowsOut.count; w++) {
    const rec = windowsOut.ptr + <usize>(w * WINDOW_WIDTH) * 8;
    const x = load<f64>(rec + field);
    // count-only windows have NaN stddev etc.; a non-finite field scores as a skipped row
    if (!(x - x == 0)) {
      stage.skip();
    } else {
      const k = <i32>load<f64>(rec);
      if (tracking) markChanged(k);
      stage.step(k, load<f64>(rec, 16), x);
    }
  }
}
