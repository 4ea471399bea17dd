/**
 * The checkpoints of `processing` (Kafka and file sources, the resumable
 * ones): where, how often, how many are kept.
 */
import { parseDuration } from '../engine/duration.js';
import { fields, type ConfigValues } from './fieldTable.js';

export const CHECKPOINT_FIELDS = fields([
  {
    name: 'checkpoint_location',
    kind: 'string',
    defaultText: 'none: no checkpoints',
    description:
      "The checkpoint directory (a relative path resolves from the config file's folder). Kafka sources: shared by the group's processes. File sources: a restarted run continues after the last checkpointed line. Other sources cannot resume: they ignore it, with a warning.",
  },
  {
    name: 'checkpoint_interval',
    kind: 'duration',
    default: '10 s',
    description: 'The state is checkpointed (for Kafka: per partition, and its offset committed) this often…',
  },
  { name: 'checkpoint_every_batches', kind: 'integer', min: 0, default: 0, description: '…and/or every this many batches (0: not by count).' },
  { name: 'checkpoint_keep', kind: 'integer', min: 1, max: 1000, default: 3, description: 'Checkpoints kept (the newest; for Kafka, of each partition).' },
]);

/**
 * The source types that can resume from a checkpoint: Kafka from an offset
 * per partition, a file from a byte offset at a line boundary. Stdin, the
 * generator and the pushed sources (`http`, `ws`) cannot be read again from
 * a position, so a checkpoint of theirs could not be used.
 */
export const RESUMABLE_SOURCE_TYPES: readonly string[] = ['kafka', 'file'];

/** Checkpoint settings: a directory, written every `intervalMs` and/or every `everyBatches` batches (0 = not by count), keeping the newest `keep`. */
export interface CheckpointConfig {
  location: string;
  intervalMs: number;
  everyBatches: number;
  keep: number;
}

/**
 * The checkpoint settings, when the config has a location and its source can
 * resume. Not tabular: a source that cannot resume gets none (its query runs
 * without checkpoints rather than failing) and a warning that says so.
 */
export function checkpointOf(p: ConfigValues<typeof CHECKPOINT_FIELDS>, sourceType: string, warnings: string[]): CheckpointConfig | undefined {
  if (p.checkpoint_location === undefined) return undefined;
  if (!RESUMABLE_SOURCE_TYPES.includes(sourceType)) {
    warnings.push(
      `processing.checkpoint_location: a ${sourceType} source cannot resume from a checkpoint (only ${RESUMABLE_SOURCE_TYPES.join(' and ')} sources can); the field is ignored`,
    );
    return undefined;
  }
  return {
    location: p.checkpoint_location,
    intervalMs: parseDuration(p.checkpoint_interval),
    everyBatches: p.checkpoint_every_batches,
    keep: p.checkpoint_keep,
  };
}
