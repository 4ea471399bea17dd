/**
 * The synchronous heart of a query: one wasm core plus the host state that
 * goes with it (interned keys, event-type ids), turning source batches into
 * output records — window results or scored events, late events, sequence
 * matches. StreamingQuery drives it asynchronously; `eddy detect`, tests and
 * checkpoints use it directly. No Node-only imports.
 *
 * Lifecycle hooks, each testable alone: create (configure) or restore →
 * processBatch* → flush → snapshot.
 */
import type { WasmCore } from '../core/wasmCore.js';
import type { SourceBatch } from './source.js';
import type { OutputBatch, ResultRecord } from './sink.js';
import { recordBatch } from './outputBatch.js';
import { ColumnOutputs } from './columnOutput.js';
import type { InputError } from './inputError.js';
import { KeyInterner } from './interner.js';
import { RowEncoder } from './encoder.js';
import { copyColumns } from './columnCopy.js';
import { FIELD_OF, RecordBuilder } from './records.js';
import { ScoredCsvWriter } from './scoredCsv.js';
import type { QueryPlan } from './plan.js';
import { hasAnalytics, type AnalyticsPlan } from './analytics.js';
import { M_KEY, M_PATTERN, M_TS_AT, MESSAGE_KEY, MESSAGE_TIME, STAGE_EVENTS, STAGE_WINDOWS } from '../core/exports.js';
import { EventTypeIds } from './patterns/typeIds.js';
import { configurePatterns } from './patterns/configurePatterns.js';
import type { StageSettings } from '../core/wasmCore.js';
import type { CoreScanner, ScanMessage } from '../core/coreScanner.js';
import type { ByteChunk } from './source.js';
import { LineCarry } from './lineCarry.js';
import { reportScanRejects } from './scanReasons.js';
import { scanFieldsOf } from './scanFields.js';
import { csvHeaderNames } from './csvText.js';

const lineDecoder = new TextDecoder();

/** A line's text without its CR. */
function decodeLine(bytes: Uint8Array): string {
  const n = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
  return lineDecoder.decode(bytes.subarray(0, n));
}
import { DEFAULT_MAX_LINE_BYTES } from './limits.js';
import { decodeEngineSnapshot, encodeEngineSnapshot, mergeEngineSnapshots, type EngineSnapshotHeader } from './engineSnapshot.js';

/** The outputs of one batch as column batches (records built only when read). */
export interface BatchOutputs {
  /** Window results (closed windows in append mode, changed ones in update mode); empty for events queries. */
  windowBatch: OutputBatch;
  /** Scored events, one per valid input row (events queries only). */
  eventBatch: OutputBatch;
  /** Late events (empty unless `withLateRecords`). */
  lateBatch: OutputBatch;
  /** Sequence-pattern matches. */
  matchBatch: OutputBatch;
}

/** What one batch produced. */
export interface BatchResult extends BatchOutputs {
  /** windowBatch's records (built when first read). */
  readonly windows: ResultRecord[];
  /** eventBatch's records (built when first read). */
  readonly events: ResultRecord[];
  /** lateBatch's records (built when first read). */
  readonly late: ResultRecord[];
  /** matchBatch's records. */
  readonly matches: ResultRecord[];
  /** Number of late events (also when their records were not built). */
  lateCount: number;
  /** Rejected rows. */
  errors: InputError[];
  /** Rows written into the core. */
  encodedRows: number;
  /** Rows the batch held: parsed rows, column rows and scanned lines that were not blank, valid or not. */
  inputRows: number;
  /** For each row written into the core, its index in the source batch (valid until the next batch). */
  sourceRows: Int32Array;
  /** ms spent validating and filling columns, in the core call, and building records. */
  timings: { encode: number; process: number; build: number };
}

/** A message as a message source hands it over (kafkajs's KafkaMessage is one). */
export interface EngineMessage extends ScanMessage {
  /** Its offset in its partition (decimal text), named in its errors. */
  readonly offset: string;
  /** Its timestamp, epoch ms (decimal text). */
  readonly timestamp: string;
}

/** Where a message's events take key and time from besides their fields. */
export interface MessageOptions {
  /** The message key is the first grouping column (messages without a key keep the field). */
  keyFromMessage: boolean;
  /** The message timestamp is the event time. */
  timeFromMessage: boolean;
}

const NO_OUTPUT = recordBatch([]);

/** A batch's result; its record arrays are built from its output batches when first read. */
class Result implements BatchResult {
  readonly windowBatch: OutputBatch;
  readonly eventBatch: OutputBatch;
  readonly lateBatch: OutputBatch;
  readonly matchBatch: OutputBatch;
  readonly lateCount: number;

  constructor(
    outputs: BatchOutputs & { lateCount: number },
    readonly errors: InputError[],
    readonly encodedRows: number,
    readonly inputRows: number,
    readonly sourceRows: Int32Array,
    readonly timings: { encode: number; process: number; build: number },
  ) {
    // fields one by one, not a spread: a class with a fixed shape is cheap to make once per batch
    this.windowBatch = outputs.windowBatch;
    this.eventBatch = outputs.eventBatch;
    this.lateBatch = outputs.lateBatch;
    this.matchBatch = outputs.matchBatch;
    this.lateCount = outputs.lateCount;
  }

  get windows(): ResultRecord[] {
    return this.windowBatch.records();
  }
  get events(): ResultRecord[] {
    return this.eventBatch.records();
  }
  get late(): ResultRecord[] {
    return this.lateBatch.records();
  }
  get matches(): ResultRecord[] {
    return this.matchBatch.records();
  }
}

const clock = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** The window settings of a plan, as the fingerprint a snapshot must match. */
function fingerprint(plan: QueryPlan): string {
  return JSON.stringify([
    plan.kind ?? 'windows',
    plan.timeColumn,
    plan.valueColumn ?? null,
    plan.keyColumns,
    plan.sizeMs,
    plan.slideMs,
    plan.delayMs,
    plan.latenessMs,
    plan.outputMode,
    plan.analytics ?? null,
    plan.analyticsOn ?? null,
    plan.sequences ?? [],
    plan.typeColumn ?? null,
  ]);
}

/** The core settings of an analytics plan. */
function stageSettings(a: AnalyticsPlan | undefined, windowField?: number): StageSettings {
  const s: StageSettings = {};
  if (!hasAnalytics(a)) return s;
  if (a.zscore) s.zscore = a.zscore;
  if (a.forecast) s.holt = a.forecast;
  if (a.thresholds.length > 0) s.thresholds = a.thresholds;
  s.detector = a.score;
  if (windowField !== undefined) s.windowField = windowField;
  return s;
}

export class BatchEngine {
  private readonly keys = new KeyInterner();
  /** Keys the previous snapshot carried (a snapshot of changes carries the ones after them). */
  private keysSaved = 0;
  private readonly types: EventTypeIds | undefined;
  private readonly eventsQuery: boolean;
  private readonly encoder: RowEncoder;
  private readonly builder: RecordBuilder;
  private readonly columnOutputs: ColumnOutputs;
  private readonly sourceName: string;
  private readonly scanner: CoreScanner;
  /** Scored-event records carry the type field's value. */
  private readonly withTypeValues: boolean;
  /** Line state of the byte stream this engine reads (files, stdin). */
  private streamLines: LineCarry | undefined;
  /** The format of that stream. */
  private streamFormat: string | undefined;
  /** The chunk scanBatch() scanned: its rows, the next to process, the row now at the front of the columns, errors not yet reported. */
  private scanned: { rows: number; next: number; front: number; errors: InputError[] } | undefined;
  /** eddy detect's output writer (created on first use). */
  private scoredCsvWriter: ScoredCsvWriter | undefined;
  /** The CSV header of that stream, once read. */
  private csvNames: string[] | undefined;

  /**
   * @param withLateRecords build records for late events (when a late sink exists); they are counted either way
   * @param withEventRecords build scored-event records (events queries); callers that read eventScores() themselves skip them
   */
  constructor(
    readonly plan: QueryPlan,
    readonly core: WasmCore,
    sourceName: string,
    private readonly withLateRecords: boolean,
    private readonly withEventRecords = true,
  ) {
    this.eventsQuery = plan.kind === 'events';
    if (!this.eventsQuery && hasAnalytics(plan.analytics) && plan.outputMode !== 'append') {
      throw new TypeError('analytics on window results need append output mode (in update mode a window is emitted many times)');
    }
    core.configure({ sizeMs: plan.sizeMs, slideMs: plan.slideMs, delayMs: plan.delayMs, latenessMs: plan.latenessMs, mode: plan.outputMode });
    core.enableWindows(!this.eventsQuery);
    core.configureStage(STAGE_EVENTS, this.eventsQuery ? stageSettings(plan.analytics) : {});
    core.configureStage(STAGE_WINDOWS, this.eventsQuery ? {} : stageSettings(plan.analytics, FIELD_OF[plan.analyticsOn ?? 'avg']));
    const sequences = plan.sequences ?? [];
    this.types = sequences.length > 0 ? new EventTypeIds(sequences) : undefined;
    if (this.types) configurePatterns(core, sequences, this.types);
    else core.definePatterns([], 1);
    this.encoder = new RowEncoder(plan, this.keys, sourceName, this.types);
    this.sourceName = sourceName;
    this.scanner = core.scanner(scanFieldsOf(plan, this.types), this.types?.names() ?? []);
    this.keys.attach(this.scanner);
    // scored-event records carry each event's type value, which the core reads only as an id: it keeps where the field was
    this.withTypeValues = this.eventsQuery && withEventRecords && plan.typeColumn !== undefined;
    if (this.withTypeValues) this.scanner.keepFieldSpans(true);
    this.builder = new RecordBuilder(plan, this.keys);
    this.columnOutputs = new ColumnOutputs(plan, this.keys, this.builder);
  }

  /** Distinct keys seen. */
  get numKeys(): number {
    return this.keys.size;
  }

  /** True when raw bytes of `format` can replace parsed rows for this query (NDJSON, CSV, a JSON document; messages take 'json'). */
  acceptsBytes(format: string): boolean {
    return format === 'ndjson' || format === 'csv' || format === 'json';
  }

  /** Validates and encodes a batch, processes it in one core call, returns its outputs. */
  processBatch(batch: SourceBatch): BatchResult {
    this.scanned = undefined; // the columns are refilled
    if (batch.bytes) return this.processBytes(batch.bytes, batch.errors);
    const t0 = clock();
    const columns = batch.columns ?? [];
    const total = columns.reduce((n, c) => n + c.rows, batch.rows.length);
    const cols = this.core.reserve(Math.max(total, 1));
    const encoded = this.encoder.encode(batch, cols);
    // Column batches follow the parsed rows, in order, in the same core call.
    let count = encoded.count;
    const columnStart = count;
    let columnTypes: (string | undefined)[] | undefined;
    const wantTypes = this.withTypeValues;
    for (const c of columns) {
      // scored-event records carry the type name of each row written
      const rows = wantTypes ? ([] as number[]) : undefined;
      count += copyColumns(c, cols, count, this.keys, this.plan.keyColumns.length, this.types, encoded.errors, this.sourceName, rows);
      if (rows) {
        columnTypes ??= [];
        for (const i of rows) columnTypes.push(c.type && c.types && c.type[i]! >= 0 ? c.types[c.type[i]!] : undefined);
      }
    }
    // the keys this batch added go into the core's table now that the columns are written (it may grow memory)
    this.keys.syncToCore();
    const t1 = clock();
    this.core.process(count);
    const t2 = clock();
    const typeColumn = this.plan.typeColumn;
    const typeOf = typeColumn
      ? (r: number) => (r < columnStart ? batch.rows[encoded.rowIndex[r]!]?.[typeColumn] : columnTypes?.[r - columnStart])
      : () => undefined;
    const outputs = this.outputs(count, typeOf);
    const t3 = clock();
    return new Result(outputs, encoded.errors, count, total + batch.errors.length, encoded.rowIndex, { encode: t1 - t0, process: t2 - t1, build: t3 - t2 });
  }

  /**
   * The byte path: the chunk's whole lines go into the core in one copy, the
   * core scans them into its input columns (interning keys itself), and the
   * batch runs with no JavaScript object per event.
   */
  private processBytes(chunk: ByteChunk, sourceErrors: readonly InputError[]): BatchResult {
    const t0 = clock();
    const errors: InputError[] = sourceErrors.slice();
    const count = this.scanBytes(chunk, errors);
    return this.finishBytes(count, errors, t0);
  }

  /**
   * A byte chunk scanned into the core's input columns but not processed
   * yet: `processScanned` runs its rows in slices, so a paced replay can
   * release each row when its time comes. `times` are the scanned rows'
   * event times, in order; `errors` the rejects the first slice will report.
   */
  scanBatch(batch: SourceBatch): { rows: number; times: Float64Array; errors: number } {
    if (!batch.bytes) throw new TypeError('scanBatch() takes a batch of raw bytes');
    const errors: InputError[] = batch.errors.slice();
    const rows = this.scanBytes(batch.bytes, errors);
    this.scanned = { rows, next: 0, front: 0, errors };
    return { rows, times: this.core.inputViews(rows).ts.slice(), errors: errors.length };
  }

  /** Processes the next `n` rows of the batch scanBatch() scanned (its source errors come with the first slice). */
  processScanned(n: number): BatchResult {
    const scanned = this.scanned;
    if (scanned === undefined || n < 0 || scanned.next + n > scanned.rows) throw new RangeError(`no ${n} scanned rows left to process`);
    const t0 = clock();
    if (scanned.next > scanned.front) {
      this.scanner.shiftRows(scanned.next - scanned.front, scanned.rows - scanned.next);
      scanned.front = scanned.next;
    }
    scanned.next += n;
    const errors = scanned.errors;
    scanned.errors = [];
    return this.finishBytes(n, errors, t0);
  }

  /** Scans a chunk into the core's input columns; returns the rows written. */
  private scanBytes(chunk: ByteChunk, errors: InputError[]): number {
    if (!this.acceptsBytes(chunk.format)) throw new TypeError(`this query cannot take raw ${chunk.format} bytes`);
    if (this.streamFormat !== undefined && !chunk.whole && this.streamFormat !== chunk.format) {
      throw new TypeError(`one stream of bytes cannot change format (${this.streamFormat} → ${chunk.format})`);
    }
    if (!chunk.whole) this.streamFormat = chunk.format;
    if (chunk.format === 'json') return this.scanJsonDocument(chunk, errors);
    const maxLineBytes = chunk.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    let lines: LineCarry;
    if (chunk.whole) lines = new LineCarry(maxLineBytes, this.sourceName);
    else lines = this.streamLines ??= new LineCarry(maxLineBytes, this.sourceName);
    if (chunk.line !== undefined && !chunk.whole) {
      if (!Number.isInteger(chunk.line) || chunk.line < lines.nextLine)
        throw new RangeError(`a chunk's line must be a whole number ≥ ${lines.nextLine}, got ${chunk.line}`);
      lines.advance(chunk.line - lines.nextLine);
    }
    const piece = lines.take(chunk.data, chunk.whole === true || chunk.end === true, errors);
    let count = 0;
    if (piece) {
      this.keys.syncToCore();
      this.scanner.load(piece.parts, piece.length);
      let from = 0;
      let firstLine = piece.firstLine;
      if (chunk.format === 'csv') {
        if (chunk.whole) this.csvNames = undefined;
        // the header is the first line that is not blank: read here, mapped into the core once
        while (this.csvNames === undefined && from < piece.length) {
          const all = this.scanner.loaded(0, piece.length);
          let lf = all.indexOf(0x0a, from);
          if (lf === -1) lf = piece.length;
          const names = csvHeaderNames(decodeLine(all.subarray(from, lf)), this.sourceName, firstLine);
          from = lf + 1;
          firstLine++;
          if (names !== undefined) {
            this.csvNames = names;
            this.scanner.csvHeader(names);
          }
        }
        lines.advance(firstLine - piece.firstLine);
        if (from > 0) this.scanner.load([this.scanner.loaded(Math.min(from, piece.length), piece.length).slice()], Math.max(0, piece.length - from));
        if (this.csvNames !== undefined) count = this.scanner.scanCsv(Math.max(0, piece.length - from), firstLine, maxLineBytes);
      } else {
        count = this.scanner.scanNdjson(piece.length, firstLine, maxLineBytes);
      }
      if (chunk.format === 'ndjson' || this.csvNames !== undefined) {
        lines.advance(this.scanner.lines);
        reportScanRejects(this.scanner, this.plan, this.sourceName, errors, { maxLineBytes, csvNames: this.csvNames });
      }
      this.keys.syncFromCore();
    }
    return count;
  }

  /** A whole JSON document: every element an event; invalid JSON gives one error and no rows. */
  private scanJsonDocument(chunk: ByteChunk, errors: InputError[]): number {
    if (!chunk.whole) throw new TypeError("'json' bytes must be a whole document (whole: true)");
    this.keys.syncToCore();
    this.scanner.load([chunk.data], chunk.data.length);
    const count = Math.max(0, this.scanner.scanJson(chunk.data.length));
    reportScanRejects(this.scanner, this.plan, this.sourceName, errors);
    this.keys.syncFromCore();
    return count;
  }

  /**
   * Message values (Kafka): every value of `messages` in one copy and one
   * scan call (assembly/messageScan.ts: an object, an array of objects or
   * NDJSON per value). Errors carry the message's offset, and the event's
   * place in its message as `line` when it held several. The caller keeps
   * one call's values under MAX_MESSAGE_BYTES_PER_CALL.
   */
  processMessages(messages: readonly EngineMessage[], options: MessageOptions): BatchResult {
    this.scanned = undefined; // the columns are refilled
    const t0 = clock();
    const errors: InputError[] = [];
    const keys = options.keyFromMessage && this.plan.keyColumns.length > 0;
    const timeOf = options.timeFromMessage ? (i: number) => Number(messages[i]!.timestamp) : undefined;
    this.keys.syncToCore();
    const length = this.scanner.loadMessages(messages, 0, messages.length, keys, timeOf);
    const count = this.scanner.scanMessages(messages.length, length, (keys ? MESSAGE_KEY : 0) | (timeOf ? MESSAGE_TIME : 0));
    reportScanRejects(this.scanner, this.plan, this.sourceName, errors, { messageOffset: (m) => Number(messages[m - 1]!.offset) });
    this.keys.syncFromCore();
    return this.finishBytes(count, errors, t0);
  }

  /** Runs the `count` rows a scan wrote through the core and builds the outputs. */
  private finishBytes(count: number, errors: InputError[], t0: number): BatchResult {
    const t1 = clock();
    this.core.process(count);
    const t2 = clock();
    const outputs = this.outputs(count, this.withTypeValues ? (r) => this.scanner.typeValue(r) : () => undefined);
    const t3 = clock();
    return new Result(outputs, errors, count, count + errors.length, this.scanner.rowNumbers(count), { encode: t1 - t0, process: t2 - t1, build: t3 - t2 });
  }

  /** The outputs of the core call just made over `count` rows: scored events or windows and late events, and matches. */
  private outputs(count: number, typeOf: (row: number) => unknown): BatchOutputs & { lateCount: number } {
    let windowBatch = NO_OUTPUT;
    let eventBatch = NO_OUTPUT;
    let lateBatch = NO_OUTPUT;
    let lateCount = 0;
    if (this.eventsQuery && this.withEventRecords) {
      eventBatch = this.columnOutputs.events(this.core.inputViews(count), count, typeOf, this.core.stageRecords(STAGE_EVENTS));
    } else if (!this.eventsQuery) {
      const view = this.core.windowRecords();
      if (view.count > 0) windowBatch = this.columnOutputs.windows(view, this.core.stageRecords(STAGE_WINDOWS));
      const lateView = this.core.lateRecords();
      lateCount = lateView.count;
      if (this.withLateRecords && lateView.count > 0) lateBatch = this.columnOutputs.late(lateView);
    }
    const matches = this.types ? this.matches() : [];
    return { windowBatch, eventBatch, lateBatch, lateCount, matchBatch: matches.length > 0 ? recordBatch(matches) : NO_OUTPUT };
  }

  /** Sequence matches of the last batch as records. */
  private matches(): ResultRecord[] {
    const m = this.core.matchRecords();
    const sequences = this.plan.sequences ?? [];
    const out: ResultRecord[] = new Array(m.count);
    for (let i = 0; i < m.count; i++) {
      const at = m.offset + i * m.width;
      const pattern = sequences[m.data[at + M_PATTERN]!]!;
      const from = m.times + m.data[at + M_TS_AT]!;
      const times = Array.from(m.data.subarray(from, from + pattern.steps.length));
      out[i] = this.builder.match(pattern.name, m.data[at + M_KEY]!, times);
    }
    return out;
  }

  /** The header's field names of the CSV stream this engine reads, once read. */
  csvHeader(): readonly string[] | undefined {
    return this.csvNames;
  }

  /**
   * Keeps, from the next scan on, where each row's time and value fields
   * were, for callers that echo them as read (`eddy detect`; see scoredCsv).
   */
  keepScannedText(): void {
    this.scanner.keepFieldSpans(true);
  }

  /**
   * Rows [from, to) of the last processed slice as CSV lines
   * `time,value,score` (time and value cells as read, copied from the bytes;
   * `scoreOf(r)` the score text), as UTF-8 bytes. Needs keepScannedText().
   */
  scoredCsv(from: number, to: number, scoreOf: (row: number) => string): Uint8Array {
    this.scoredCsvWriter ??= new ScoredCsvWriter(this.scanner);
    return this.scoredCsvWriter.lines(from, to, scoreOf);
  }

  /** The events stage's output of the last batch (one record per encoded row), for callers that build their own rows (`eddy detect`). */
  eventScores(): { data: Float64Array; offset: number; count: number; width: number } {
    return this.core.stageRecords(STAGE_EVENTS);
  }

  /** End of input: emits every open window (with its analytics). Later events are late. */
  flush(): ResultRecord[] {
    return this.flushBatch().records();
  }

  /** flush(), its windows as a column batch. */
  flushBatch(): OutputBatch {
    this.core.flush();
    if (this.eventsQuery) return NO_OUTPUT;
    const view = this.core.windowRecords();
    return view.count > 0 ? this.columnOutputs.windows(view, this.core.stageRecords(STAGE_WINDOWS)) : NO_OUTPUT;
  }

  /** Late events counted for a key, given its grouping values (0 for an unknown key). */
  lateCountOf(...keyValues: (string | number | boolean)[]): number {
    const id = this.keys.lookup(keyValues);
    return id === undefined ? 0 : this.core.keyLateCount(id);
  }

  /**
   * All state as bytes (engineSnapshot.ts): the core's snapshot plus the
   * interned keys and the plan's fingerprint. With `changesOnly` (after
   * trackChanges()) only the keys whose state changed since the previous
   * snapshot, and the keys interned since then: restore it with the
   * snapshots before it back to a full one.
   */
  snapshot(changesOnly = false): Uint8Array {
    const core = this.core.snapshot(changesOnly);
    const all = this.keys.export();
    // Type ids are derived from the plan's patterns, so only the keys travel with the core.
    const header: EngineSnapshotHeader = changesOnly
      ? { plan: fingerprint(this.plan), keys: all.slice(this.keysSaved), keysFrom: this.keysSaved }
      : { plan: fingerprint(this.plan), keys: all };
    this.keysSaved = all.length;
    return encodeEngineSnapshot(header, core);
  }

  /** Makes the core track the keys that change, so snapshot(true) can save only them. */
  trackChanges(): void {
    this.core.trackChanges(true);
  }

  /**
   * Replaces all state with a full snapshot taken by an engine with the same
   * plan, or with a full snapshot and the snapshots of changes taken after
   * it (oldest first); throws a clear Error otherwise.
   */
  restore(bytes: Uint8Array, changes: readonly Uint8Array[] = []): void {
    const { header, core } = decodeEngineSnapshot(changes.length === 0 ? bytes : mergeEngineSnapshots(bytes, changes));
    if (header.keysFrom !== undefined) throw new Error('a snapshot of changes cannot be restored without the full snapshot it follows');
    if (header.plan !== fingerprint(this.plan)) {
      throw new Error(`snapshot was taken with different window settings or columns (${header.plan}) than this query (${fingerprint(this.plan)})`);
    }
    this.core.restore(core);
    this.keys.import(header.keys);
    this.keys.syncToCore();
    this.keysSaved = header.keys.length;
  }
}
