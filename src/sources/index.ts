/**
 * The event sources: files, standard input, the synthetic generator and
 * in-memory arrays, with the interfaces every source implements.
 */
export type { Row, Source, SourceBatch } from '../engine/source.js';
export { fileSource, FileSource, FILE_EXTENSIONS, formatForPath, type FileSourceOptions } from './file.js';
export { stdinSource, StdinSource, type StdinSourceOptions } from './stdin.js';
export { generatorSource, GeneratorSource, KEY_NAMES, EVENT_TYPES, keyName, type GeneratorOptions } from './generator.js';
export { arraySource, ArraySource, type ArraySourceOptions } from './array.js';
export { columnSource, ColumnSource } from './columns.js';
export { Prng, hashSeed } from './prng.js';
export { splitCsvLine, type CsvCells, type CsvSyntaxError } from '../engine/csvText.js';
export { DEFAULT_MAX_LINE_BYTES } from '../engine/limits.js';
export { LINE_FORMATS, type LineFormat } from './lineFormat.js';
