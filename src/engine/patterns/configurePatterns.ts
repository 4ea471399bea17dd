/**
 * Loads compiled sequence patterns into a wasm core (semantics in
 * assembly/patterns.ts): each step's event type becomes its interned id.
 * Configuring empties the core's pattern state, so it happens once, before
 * the first batch (a restored snapshot carries its patterns instead).
 */
import { DEFAULT_MAX_PARTIALS } from '../../core/exports.js';
import type { WasmCore } from '../../core/wasmCore.js';
import type { SequencePattern } from './sequence.js';
import type { EventTypeIds } from './typeIds.js';

/** Partial matches the core keeps per key and pattern unless told otherwise (the core's default). */
export { DEFAULT_MAX_PARTIALS };

/** Declares the patterns in the core, in order (pattern index = position); throws RangeError on a setting the core refuses. */
export function configurePatterns(core: WasmCore, patterns: readonly SequencePattern[], types: EventTypeIds, maxPartials = DEFAULT_MAX_PARTIALS): void {
  core.definePatterns(
    patterns.map((p) => {
      const ids = types.stepIds(p);
      return { name: p.name, withinMs: p.withinMs, steps: p.steps.map((step, s) => ({ typeId: ids[s]!, strict: step.strict })) };
    }),
    maxPartials,
  );
}
