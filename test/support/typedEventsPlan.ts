/**
 * The events query the byte-path tests share: per-`host` z-scores over `v`
 * at time `ts`, and a sequence pattern over the `kind` type column, so the
 * core keeps each row's type span and matches patterns.
 */
import type { QueryPlan } from '../../src/engine/plan.js';
import { compileSequences } from '../../src/engine/patterns/sequence.js';

/** A fresh plan (plans are not shared between engines). */
export function typedEventsPlan(): QueryPlan {
  return {
    name: 't',
    kind: 'events',
    timeColumn: 'ts',
    valueColumn: 'v',
    keyColumns: ['host'],
    aggregates: [],
    sizeMs: 60_000,
    slideMs: 60_000,
    delayMs: 0,
    latenessMs: 0,
    outputMode: 'append',
    batchSize: 65_536,
    flushAtEnd: true,
    flushOnStop: false,
    analytics: { thresholds: [], score: false, zscore: { mode: 'rows', rows: 5, timeMs: 0, threshold: 2 } },
    sequences: compileSequences(['A -> B within 1m']),
    typeColumn: 'kind',
  };
}
