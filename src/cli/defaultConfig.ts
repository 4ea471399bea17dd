/**
 * The embedded default job that `npm start` (`eddy run` without --config)
 * runs: the seed's 5-minute windows sliding by 1 minute over synthetic
 * metrics, printed to the console. The file is src/config/builtin/run.json,
 * read and validated as a user's config (`eddy config` prints it).
 *
 * The generator runs event time 60× faster than the wall clock (8 metrics,
 * one event per metric per event-second, 480 events/s), so a window slide
 * (1 event-minute) passes every real second and the first windows appear
 * after a few seconds. Events arrive up to 20 s out of order, a few are
 * delayed by 10 minutes (late events), and rare spikes are injected. The
 * watermark delay is 1 minute instead of the seed's 10 so the demo shows
 * results quickly; the seed's value is the default for config files.
 */
import { loadBuiltinConfig } from '../config/loadConfig.js';
import type { PipelineDocument } from '../config/pipelineConfig.js';

/** The document of src/config/builtin/run.json (validated). */
export const DEFAULT_CONFIG: PipelineDocument = loadBuiltinConfig('run', {}).document;
