/**
 * The fields a query's byte scanners look for, from its plan: one mapping
 * for the engine's scanner and the server's.
 */
import type { ScanFields } from '../core/coreScanner.js';
import type { QueryPlan } from './plan.js';
import type { EventTypeIds } from './patterns/typeIds.js';

/** Time, value, grouping columns and the type field (named when the plan has one or sequence patterns read it). */
export function scanFieldsOf(plan: QueryPlan, types: EventTypeIds | undefined): ScanFields {
  return { time: plan.timeColumn, value: plan.valueColumn, keys: plan.keyColumns, type: plan.typeColumn ?? (types ? 'type' : undefined) };
}
