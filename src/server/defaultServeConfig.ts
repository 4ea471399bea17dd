/**
 * The job `eddy serve` runs without --config: ingest over HTTP/WebSocket →
 * 5-minute windows sliding by 1 minute per metric, z-score and anomaly score,
 * Holt forecasts, results kept in a memory table and streamed on /live. The
 * file is src/config/builtin/serve.json, read and validated as a user's
 * config.
 */
import { loadBuiltinConfig } from '../config/loadConfig.js';
import type { PipelineDocument } from '../config/pipelineConfig.js';

/** The job `eddy serve` runs without --config: the document of src/config/builtin/serve.json (validated). */
export const DEFAULT_SERVE_CONFIG: PipelineDocument = loadBuiltinConfig('serve', {}).document;
