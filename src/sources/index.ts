/**
 * The event sources: files, standard input, the synthetic generator and
 * in-memory arrays, with the interfaces every source implements.
 */
export type { Row, Source, SourceBatch } from './source.js';
export { fileSource, FileSource, FILE_EXTENSIONS, formatForPath, type FileSourceOptions } from './file.js';
export { stdinSource, StdinSource, DEFAULT_FLUSH_MS, type StdinSourceOptions } from './stdin.js';
export { generatorSource, GeneratorSource, KEY_NAMES, EVENT_TYPES, keyName, type GeneratorOptions } from './generator.js';
export { arraySource, ArraySource, type ArraySourceOptions } from './array.js';
export { columnSource, ColumnSource } from './columns.js';
export { Prng, hashSeed } from './prng.js';
export { splitCsvLine, CsvParser, type CsvCells, type CsvSyntaxError } from './csv.js';
export { LineSplitter, splitLines, DEFAULT_MAX_LINE_BYTES, type Line } from './lines.js';
export { LINE_FORMATS, type LineFormat } from './lineFormat.js';
