/**
 * Loads compiled sequence patterns into a wasm core (the patterns_* exports;
 * semantics in assembly/patterns.ts). Configuring empties the core's pattern
 * state, so it happens once, before the first batch (a restored snapshot
 * carries its patterns instead).
 */
import { DEFAULT_MAX_PARTIALS, type CoreExports } from '../../core/exports.js';
import type { SequencePattern } from './sequence.js';
import type { EventTypeIds } from './typeIds.js';

/** Partial matches the core keeps per key and pattern unless told otherwise (the core's default). */
export { DEFAULT_MAX_PARTIALS };

const ERRORS: Record<number, string> = {
  1: 'at most 1024 patterns',
  2: 'maxPartials must be a whole number from 1 to 65536',
  3: 'pattern index out of range',
  4: 'a pattern has 2 to 32 steps',
  5: "'within' must be a duration ≥ 0",
  6: 'step index out of range',
  7: 'type id must be ≥ 0',
};

/** Declares the patterns in the core, in order (pattern index = position); throws RangeError on a code the core rejects. */
export function configurePatterns(ex: CoreExports, patterns: readonly SequencePattern[], types: EventTypeIds, maxPartials = DEFAULT_MAX_PARTIALS): void {
  const check = (code: number, what: string): void => {
    if (code !== 0) throw new RangeError(`${what}: ${ERRORS[code] ?? `rejected by the core (code ${code})`}`);
  };
  check(ex.patterns_define(patterns.length, maxPartials), 'patterns');
  patterns.forEach((p, i) => {
    check(ex.patterns_set(i, p.steps.length, p.withinMs), `pattern '${p.name}'`);
    types.stepIds(p).forEach((id, s) => check(ex.patterns_set_step(i, s, id, p.steps[s]!.strict ? 1 : 0), `pattern '${p.name}' step ${s + 1}`));
  });
}
