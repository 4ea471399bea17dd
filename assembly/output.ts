/**
 * Output columns written by a batch, valid until the next call into the core.
 *
 * Window results, `WINDOW_WIDTH` f64 per record (72 bytes):
 *
 * ┌─────┬───────┬─────┬───────┬─────┬─────┬────────┬─────┬─────┐
 * │ key │ start │ end │ count │ sum │ avg │ stddev │ min │ max │
 * └─────┴───────┴─────┴───────┴─────┴─────┴────────┴─────┴─────┘
 *   key id as f64; start/end epoch ms; stddev NaN below two values
 *
 * Late events, `LATE_WIDTH` f64 per record (32 bytes):
 *
 * ┌────┬─────┬───────┬─────┐
 * │ ts │ key │ value │ row │    row = index of the event in its batch
 * └────┴─────┴───────┴─────┘
 */
import { RecordBuffer } from "./buffers";
import { WINDOW_WIDTH, LATE_WIDTH } from "./abi";

export { WINDOW_WIDTH, LATE_WIDTH };

/** Closed (append) or changed (update) windows of the current batch. */
export const windowsOut = new RecordBuffer(WINDOW_WIDTH);
/** Late events of the current batch. */
export const lateOut = new RecordBuffer(LATE_WIDTH);

/** Empties both outputs; called at the start of every batch. */
export function outputsReset(): void {
  windowsOut.count = 0;
  lateOut.count = 0;
}
