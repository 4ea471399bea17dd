/**
 * The checkpoints of `processing` (Kafka sources): where, how often, how many
 * are kept.
 */
import { parseDuration } from '../engine/duration.js';
import { fields, type ConfigValues } from './fieldTable.js';

export const CHECKPOINT_FIELDS = fields([
  { name: 'checkpoint_location', kind: 'string', defaultText: 'none: no checkpoints', description: 'Kafka sources: the checkpoint directory, shared by the group\'s processes (a relative path resolves from the config file\'s folder). Other sources ignore it, with a warning.' },
  { name: 'checkpoint_interval', kind: 'duration', default: '10 s', description: 'A partition is checkpointed (and its offset committed) this often…' },
  { name: 'checkpoint_every_batches', kind: 'integer', min: 0, default: 0, description: '…and/or every this many batches (0: not by count).' },
  { name: 'checkpoint_keep', kind: 'integer', min: 1, max: 1000, default: 3, description: 'Checkpoints of each partition kept (the newest).' },
]);

/** Checkpoint settings: a directory, written every `intervalMs` and/or every `everyBatches` batches (0 = not by count), keeping the newest `keep`. */
export interface CheckpointConfig {
  location: string;
  intervalMs: number;
  everyBatches: number;
  keep: number;
}

/**
 * The checkpoint settings, when the config has a location. Not tabular:
 * only a Kafka source writes checkpoints; the others keep the settings and
 * get a warning that they ignore them.
 */
export function checkpointOf(p: ConfigValues<typeof CHECKPOINT_FIELDS>, sourceType: string, warnings: string[]): CheckpointConfig | undefined {
  if (p.checkpoint_location === undefined) return undefined;
  if (sourceType !== 'kafka') warnings.push('processing.checkpoint_location: checkpoints are written for Kafka sources only; other sources ignore the field');
  return { location: p.checkpoint_location, intervalMs: parseDuration(p.checkpoint_interval), everyBatches: p.checkpoint_every_batches, keep: p.checkpoint_keep };
}
