/**
 * The wasm core binding alone, with no Node-only imports: for browsers,
 * Web Workers and edge runtimes (load the .wasm bytes yourself).
 */
export { WasmCore, CoreAbort, MODE_APPEND, MODE_UPDATE, type WindowSettings, type InputColumns, type StageSettings } from './wasmCore.js';
export * from './exports.js';
export { mergeSnapshots, splitSnapshot, type SnapshotParts } from './snapshotMerge.js';
