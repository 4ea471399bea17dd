/** Blank input lines: skipped by every line format. */

/** True for an empty or whitespace-only line; trims only when the first character is whitespace. */
export function isBlank(text: string): boolean {
  return text.length === 0 || (text.charCodeAt(0) <= 0x20 && text.trim().length === 0);
}
