/**
 * Result sinks: where a query's output goes. Console, file, memory and
 * callback sinks, and the flattening and CSV helpers they share.
 *
 * Browser code should import `memory.js`, `memoryTable.js` and
 * `callback.js` directly: the console and file sinks use Node's fs and
 * process.
 */
export type { OutputKind, OutputMode, OutputSchema, ResultRecord, Sink } from '../engine/sink.js';
export { consoleSink, type ConsoleFormat, type ConsoleSinkOptions, type TextOutput } from './console.js';
export { fileSink, fileFormatOf, type FileFormat, type FileSinkOptions } from './file.js';
export { memorySink, type MemorySinkOptions } from './memory.js';
export {
  MemoryTable,
  createMemoryTable,
  dropMemoryTable,
  memoryTable,
  memoryTableNames,
} from './memoryTable.js';
export { callbackSink, type BatchCallback, type CallbackSinkOptions } from './callback.js';
export { flattenRecord, flatRow, flatValue, pickFlatColumns, type FlatRecord, type FlatValue } from '../engine/flatten.js';
export { csvField, csvLine, formatCsv, type CsvLineEnding } from '../engine/csvFormat.js';
export { safeJsonStringify } from '../engine/safeJson.js';
