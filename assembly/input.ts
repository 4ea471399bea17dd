/**
 * The input columns of one batch, owned by the core and filled by the host.
 *
 *   ts    f64[cap]   event time, epoch milliseconds
 *   key   i32[cap]   interned key id (≥ 0)
 *   value f64[cap]   the measured value
 *   type  i32[cap]   interned event type for sequence patterns (-1 = none)
 *
 * The host calls `input_reserve(n)`, re-reads the three pointers (the blocks
 * may have moved), writes n rows through typed-array views and calls
 * `batch_process(n)`: one boundary crossing per batch.
 */
import { E_BATCH_TOO_LARGE } from "./abi";
import { release } from "./buffers";

/** Largest batch the core accepts in one call. */
export const MAX_BATCH: i32 = 1 << 24;

/** Address of the event-time column. */
export let inputTs: usize = 0;
/** Address of the key-id column. */
export let inputKey: usize = 0;
/** Address of the value column. */
export let inputValue: usize = 0;
/** Address of the event-type column. */
export let inputType: usize = 0;
/** Address of the source-row column (line or message number of each row; written by the byte scanners). */
export let inputRow: usize = 0;
/** Rows the columns can hold. */
export let inputCap: i32 = 0;

/** Makes the columns hold at least `rows` rows; returns the capacity, or −E_BATCH_TOO_LARGE above MAX_BATCH. */
export function inputReserve(rows: i32): i32 {
  if (rows < 0 || rows > MAX_BATCH) return -E_BATCH_TOO_LARGE;
  if (rows <= inputCap) return inputCap;
  let cap = inputCap < 4096 ? 4096 : inputCap;
  while (cap < rows) cap <<= 1;
  // Old contents need not survive: the host refills the columns for each batch.
  release(inputTs);
  release(inputKey);
  release(inputValue);
  release(inputType);
  release(inputRow);
  inputTs = heap.alloc(<usize>cap << 3);
  inputKey = heap.alloc(<usize>cap << 2);
  inputValue = heap.alloc(<usize>cap << 3);
  inputType = heap.alloc(<usize>cap << 2);
  inputRow = heap.alloc(<usize>cap << 2);
  inputCap = cap;
  return cap;
}

/**
 * Doubles the columns keeping their first `rows` rows, for scanners that
 * learn the row count as they go; false above MAX_BATCH.
 */
export function inputGrowKeeping(rows: i32): bool {
  if (inputCap >= MAX_BATCH) return false;
  const cap = inputCap < 4096 ? 4096 : inputCap << 1;
  inputTs = heap.realloc(inputTs, <usize>cap << 3);
  inputKey = heap.realloc(inputKey, <usize>cap << 2);
  inputValue = heap.realloc(inputValue, <usize>cap << 3);
  inputType = heap.realloc(inputType, <usize>cap << 2);
  inputRow = heap.realloc(inputRow, <usize>cap << 2);
  inputCap = cap;
  return rows < cap;
}

/**
 * Moves rows [from, from + n) of the columns to [0, n), so a scanned chunk
 * can be processed in slices (a paced replay releases rows as their time
 * comes); false when the range is outside the columns.
 */
export function inputShift(from: i32, n: i32): bool {
  if (from < 0 || n < 0 || from > inputCap || n > inputCap - from) return false;
  memory.copy(inputTs, inputTs + (<usize>from << 3), <usize>n << 3);
  memory.copy(inputKey, inputKey + (<usize>from << 2), <usize>n << 2);
  memory.copy(inputValue, inputValue + (<usize>from << 3), <usize>n << 3);
  memory.copy(inputType, inputType + (<usize>from << 2), <usize>n << 2);
  memory.copy(inputRow, inputRow + (<usize>from << 2), <usize>n << 2);
  return true;
}
