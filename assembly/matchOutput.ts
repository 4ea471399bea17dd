/**
 * Output columns of the sequence patterns, valid until the next call into the core.
 *
 * Matches, `MATCH_WIDTH` f64 per record (48 bytes):
 *
 * ┌─────┬─────────┬──────────┬─────────┬─────┬────────┐
 * │ key │ pattern │ first ts │ last ts │ row │ ts at  │
 * └─────┴─────────┴──────────┴─────────┴─────┴────────┘
 *   key id and pattern index as f64; row = index in its batch of the event
 *   that completed the match; ts at = index in the match-ts column of the
 *   first of the match's k event times
 *
 * Match event times, one f64 per matched event, k per match (k = the
 * pattern's steps), in step order:
 *
 * ┌────────────┬────────────┬─────┬──────────────┬────────────┬─────┐
 * │ m0: ts e1  │ m0: ts e2  │ ... │ m0: ts ek    │ m1: ts e1  │ ... │
 * └────────────┴────────────┴─────┴──────────────┴────────────┴─────┘
 */
import { RecordBuffer } from "./buffers";
import { MATCH_WIDTH } from "./abi";

export { MATCH_WIDTH };

/** Matches completed in the current call. */
export const matchesOut = new RecordBuffer(MATCH_WIDTH);
/** Event times of those matches (a record of width 1 per event). */
export const matchTsOut = new RecordBuffer(1);

/** Empties both outputs; called at the start of every patterns_process. */
export function matchOutputsReset(): void {
  matchesOut.count = 0;
  matchTsOut.count = 0;
}
