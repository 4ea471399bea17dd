/**
 * The `processing` section: windows (windowSection.ts), batches and
 * flushing (below), analytics (analyticsSection.ts), checkpoints
 * (checkpointSection.ts) — one object in the file, one table per concern.
 */
import { DEFAULT_BATCH_SIZE } from '../engine/plan.js';
import { ConfigError } from './configError.js';
import { fields, type Field, type ValueOf } from './fieldTable.js';
import { WINDOW_FIELDS } from './windowSection.js';
import { ANALYTICS_FIELDS } from './analyticsSection.js';
import { CHECKPOINT_FIELDS } from './checkpointSection.js';

const BATCH_FIELDS = fields([
  { name: 'batch_size', kind: 'integer', min: 1, max: 1 << 24, default: DEFAULT_BATCH_SIZE, description: 'Most rows per engine batch.' },
  {
    name: 'max_offsets_per_trigger',
    kind: 'integer',
    min: 1,
    max: 1 << 24,
    aliasOf: 'batch_size',
    description: "The seed's name of `batch_size` (Kafka: the most messages of one engine batch).",
  },
  {
    name: 'flush_on_stop',
    kind: 'boolean',
    default: false,
    description:
      'Emit the open windows when the query is stopped (Ctrl-C, SIGTERM). Refused with a Kafka source or with checkpoints: the open windows stay in the checkpoint and close after a restart.',
  },
  { name: 'flush_at_end', kind: 'boolean', default: true, description: 'Emit the open windows when a bounded source (a file, a generator with a limit) ends.' },
]);

/** The `processing` field. */
export const PROCESSING_FIELD = {
  name: 'processing',
  kind: 'section',
  default: {},
  fields: [...WINDOW_FIELDS, ...BATCH_FIELDS, ...ANALYTICS_FIELDS, ...CHECKPOINT_FIELDS],
  description: 'Windows, batches, analytics and checkpoints.',
} as const satisfies Field;

/** The processing section as validated. */
export type ProcessingValues = ValueOf<typeof PROCESSING_FIELD, 'out'>;

/**
 * Why a query may not flush its open windows when stopped, if it may not:
 * a Kafka topic has no end, and a checkpointed file is resumed later, so
 * stopping is not the end of the stream — open windows stay in the
 * checkpoint and close after a restart. Flushing them would emit partial
 * windows under the very ids their complete versions get later, and a
 * consumer deduplicating by id would keep the partial one. One text for the
 * config field and the CLI flag.
 */
export function flushOnStopRefusal(sourceType: string, checkpointed: boolean): string | undefined {
  if (sourceType === 'kafka') return 'a kafka source: open windows stay in the checkpoint and close after a restart';
  if (checkpointed) return 'a checkpointed source: open windows stay in the checkpoint and close when the run is resumed';
  return undefined;
}

/** `processing.flush_on_stop`. Not tabular: refused where {@link flushOnStopRefusal} says why. */
export function flushOnStopOf(p: ProcessingValues, sourceType: string, checkpointed: boolean): boolean {
  const refusal = p.flush_on_stop ? flushOnStopRefusal(sourceType, checkpointed) : undefined;
  if (refusal !== undefined) throw new ConfigError('processing.flush_on_stop', `must be false with ${refusal}`);
  return p.flush_on_stop;
}
