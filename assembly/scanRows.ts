/**
 * What every byte scanner does around its format: room in the input
 * columns for one more row, the JSON-kind code of a value that is not an
 * object, and the syntax-error reject.
 */
import { JSON_ARRAY, JSON_STRING, JSON_NUMBER, JSON_BOOLEAN, JSON_NULL } from "./abi";
export { JSON_ARRAY, JSON_STRING, JSON_NUMBER, JSON_BOOLEAN, JSON_NULL };
import { inputCap, inputGrowKeeping, inputReserve, MAX_BATCH } from "./input";
import { reject, REJECT_SYNTAX } from "./scanConfig";
import { syntaxError, syntaxErrorAt } from "./jsonText";


/** The JSON kind of the (valid) value starting with byte c. */
export function jsonKindOf(c: u32): i32 {
  if (c == 0x5b) return JSON_ARRAY;
  if (c == 0x22) return JSON_STRING;
  if (c == 0x74 || c == 0x66) return JSON_BOOLEAN;
  if (c == 0x6e) return JSON_NULL;
  return JSON_NUMBER;
}

/** Makes the columns ready for a scan of about `bytes` input bytes. */
export function prepareRows(bytes: i32): void {
  // a row takes at least ~16 bytes of JSON or ~6 of CSV; start small and grow
  const guess = bytes >> 5;
  inputReserve(guess < 4096 ? 4096 : guess > MAX_BATCH ? MAX_BATCH : guess);
}

/** True if input row n can be written (growing the columns); false past MAX_BATCH. */
@inline export function roomForRow(n: i32): bool {
  return n < inputCap || inputGrowKeeping(n);
}

/** Rejects a row for the syntax error jsonText.ts just recorded. */
export function rejectSyntax(row: i32, rowStart: usize, rowEnd: usize, item: i32): void {
  reject(row, REJECT_SYNTAX, syntaxError, syntaxErrorAt, rowStart, rowEnd, item);
}
