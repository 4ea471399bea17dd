/**
 * The windows of `processing`: their size, slide, watermark and lateness,
 * how they are emitted, and their aggregates.
 */
import { parseDuration, type Duration } from '../engine/duration.js';
import { ConfigError, describe } from './configError.js';
import { fields, type ConfigValues } from './fieldTable.js';

/** The aggregates a config may name (with the synonyms aggregateByName takes). */
const AGGREGATES = { kind: 'enum', choices: ['avg', 'stddev', 'min', 'max', 'sum', 'count'], synonyms: ['mean', 'stddev_samp'] } as const;

export const WINDOW_FIELDS = fields([
  {
    name: 'window_size',
    kind: 'duration',
    defaultText: '`"5 minutes"`',
    description: "Window length (also accepted at the top level, where the seed's pipeline class reads it).",
  },
  {
    name: 'slide_duration',
    kind: 'duration',
    defaultText: '`"1 minute"` (the seed\'s), or the window size if shorter',
    description: 'How far each window starts after the previous one: at least 1 ms, at most the window size (equal: tumbling windows).',
  },
  {
    name: 'watermark_delay',
    kind: 'duration',
    default: '10 minutes',
    description: "How far behind the latest event time the watermark trails; a window closes when the watermark passes its end (the seed's default).",
  },
  { name: 'allowed_lateness', kind: 'duration', default: 0, description: 'Extra time a window stays open after the watermark passes its end.' },
  {
    name: 'output_mode',
    kind: 'enum',
    choices: ['append', 'update'],
    defaultText: 'the sink\'s `write_mode`, else `"append"`',
    description: '`append`: a window is emitted once, when it closes; `update`: again whenever a batch changes it.',
  },
  {
    name: 'aggregations',
    kind: 'array',
    items: AGGREGATES,
    default: ['avg', 'stddev', 'min', 'max', 'count'],
    description: 'Aggregates of each window: `avg` (also `mean`), `stddev` (also `stddev_samp`), `min`, `max`, `sum` of the value column, and `count`.',
  },
]);

/** Window sizes in milliseconds. */
export interface Windows {
  sizeMs: number;
  slideMs: number;
  delayMs: number;
  latenessMs: number;
}

/**
 * The windows, from processing's validated fields and the top level's
 * `window_size` / `slide_duration` (the seed reads them from processing in
 * its exercise, from the top level in its pipeline class; processing wins).
 * Not tabular: a window is whole milliseconds, and its slide at most its size.
 */
export function windowsOf(p: ConfigValues<typeof WINDOW_FIELDS>, top: { window_size?: Duration | undefined; slide_duration?: Duration | undefined }): Windows {
  const sizeRaw = p.window_size ?? top.window_size ?? '5 minutes';
  const sizePath = p.window_size !== undefined ? 'processing.window_size' : 'window_size';
  const sizeMs = parseDuration(sizeRaw);
  if (sizeMs < 1 || !Number.isInteger(sizeMs))
    throw new ConfigError(sizePath, `expected a window of at least 1 ms in whole milliseconds, got ${describe(sizeRaw)}`);
  const slideGiven = p.slide_duration ?? top.slide_duration;
  const slidePath = p.slide_duration !== undefined ? 'processing.slide_duration' : 'slide_duration';
  // The seed's default slide is 1 minute; a window shorter than that tumbles instead.
  const slideMs = slideGiven === undefined ? Math.min(60_000, sizeMs) : parseDuration(slideGiven);
  if (slideMs < 1 || !Number.isInteger(slideMs) || slideMs > sizeMs) {
    throw new ConfigError(slidePath, `expected a slide between 1 ms and the window size (${describe(sizeRaw)}), got ${describe(slideGiven)}`);
  }
  return { sizeMs, slideMs, delayMs: parseDuration(p.watermark_delay), latenessMs: parseDuration(p.allowed_lateness) };
}
