/**
 * JSON text for any value, without ever throwing.
 *
 * Sinks serialize whatever the engine or a user callback put in a record, and
 * a sink that throws on an odd value would stop the whole query. Plain
 * `JSON.stringify` throws on BigInt and on cycles, and silently drops
 * `undefined` fields, which would make NDJSON lines of one query carry
 * different keys.
 */

/**
 * Like `JSON.stringify(value)`, but: `undefined` (as a field, array item or
 * the whole value) becomes `null`; NaN and ±Infinity become `null` (as in
 * JSON.stringify); a BigInt becomes its decimal string (exact, unlike a
 * Number); a reference back to an enclosing object (a cycle) becomes the
 * string `"[Circular]"`. If serialization still fails (a `toJSON` method that
 * throws), the result is the JSON string of `String(value)`, or `null`.
 */
export function safeJsonStringify(value: unknown): string {
  try {
    // A replacer takes JSON.stringify off its fast path: use one only when a value needs it.
    return (needsReplacer(value, 0) ? JSON.stringify(value, plainReplacer) : JSON.stringify(value)) ?? 'null';
  } catch {
    // Only cycles and throwing toJSON methods get here: retry with a replacer
    // that tracks the current path, which costs more so is not the default.
    return stringifyGuarded(value);
  }
}

/** Deeper than this, assume a replacer is needed rather than walk on (a cycle also ends here). */
const MAX_CHECKED_DEPTH = 32;

/** True when `value` holds an undefined or a BigInt that plain JSON.stringify would drop or throw on. */
function needsReplacer(value: unknown, depth: number): boolean {
  if (value === undefined || typeof value === 'bigint') return true;
  if (typeof value !== 'object' || value === null) return false;
  if (depth >= MAX_CHECKED_DEPTH) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (needsReplacer(value[i], depth + 1)) return true;
    return false;
  }
  // objects with toJSON (Date) serialise themselves; what they return is not checked here, as before
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return true;
  for (const key in value) {
    if (Object.hasOwn(value, key) && needsReplacer((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

function plainReplacer(_key: string, value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  return value;
}

function stringifyGuarded(root: unknown): string {
  // JSON.stringify calls the replacer with `this` = the holder object, so the
  // chain of holders is the path from the root; an object already on that
  // chain is a cycle (an object seen twice on different branches is not).
  const ancestors: object[] = [];
  function guardedReplacer(this: unknown, key: string, value: unknown): unknown {
    const safe = plainReplacer(key, value);
    if (typeof safe === 'object' && safe !== null) {
      while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
      if (ancestors.includes(safe)) return '[Circular]';
      ancestors.push(safe);
    }
    return safe;
  }
  try {
    return JSON.stringify(root, guardedReplacer) ?? 'null';
  } catch {
    try {
      return JSON.stringify(String(root));
    } catch {
      return 'null';
    }
  }
}
