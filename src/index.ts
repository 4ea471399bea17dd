/**
 * eddy's public API for Node.js.
 *
 *   import { eddy, window, avg, stddev, min, max, count, sources, sinks } from 'eddy';
 *
 * `eddy` loads the release wasm core from the package's build folder; use
 * createEddy() with your own core factory to load it differently.
 */
import { createEddy } from './engine/api.js';
import { loadCore } from './node/loadCore.js';

/** The entry object for Node: `eddy.stream(source)…start()`. */
export const eddy = createEddy({ createCore: () => loadCore() });

export { createEddy, DataStream, GroupedStream, AggregatedStream, DataStreamWriter, type Eddy, type WatermarkOptions } from './engine/api.js';
export { window, type WindowColumn } from './engine/windowColumn.js';
export { avg, mean, stddev, min, max, sum, count, type Aggregate, type AggregateFunction } from './engine/aggregates.js';
export { StreamingQuery, type QuerySinks, type QueryEnvironment } from './engine/query.js';
export type { StateStore, SavedState, CheckpointPolicy } from './engine/stateStore.js';
export { CheckpointStore, type CheckpointStoreOptions } from './checkpoint/checkpointStore.js';
export type { QueryProgress, BatchDurations } from './engine/progress.js';
export type { QueryPlan, OutputMode } from './engine/plan.js';
export type { InputError, InputErrorKind } from './engine/inputError.js';
export { parseDuration, type Duration } from './engine/duration.js';
export { parseTimestamp, formatTimestamp } from './engine/timestamp.js';
export { WasmCore, type WindowSettings, type InputColumns } from './core/wasmCore.js';
export { loadCore, corePath } from './node/loadCore.js';
export { parsePipelineConfig, type PipelineConfig, type PipelineDocument } from './config/pipelineConfig.js';
export { ConfigError } from './config/configError.js';
export { startPipeline } from './config/buildPipeline.js';
export * as sources from './sources/index.js';
export * as sinks from './sinks/index.js';
export { memoryTable, memoryTableNames } from './sinks/memoryTable.js';
export { encodeColumns, decodeColumns, COLUMNAR_CONTENT_TYPE, type ColumnsInput, type DecodedColumns } from './server/columnarFormat.js';
export { PushSource } from './sources/push.js';
export type { ColumnBatch } from './engine/columnBatch.js';
