/**
 * The server's byte scanner: NDJSON and JSON ingest payloads are read by a
 * wasm core of the server's own (the query's core runs the engine on its own
 * schedule), with the same scanners and reasons as files, stdin and Kafka.
 * One copy of the body into the core and one scan call per payload; the
 * valid events leave as columns (three typed-array copies) whose keys index
 * the scanner's key table, which only grows and which the engine maps once
 * per new key (ColumnBatch.keyTable). No JavaScript object per event.
 */
import type { WasmCore } from '../core/wasmCore.js';
import type { CoreScanner } from '../core/coreScanner.js';
import type { QueryPlan } from '../engine/plan.js';
import type { ColumnBatch } from '../engine/columnBatch.js';
import { TypeDictionary } from '../engine/columnBatch.js';
import { KeyInterner } from '../engine/interner.js';
import { EventTypeIds } from '../engine/patterns/typeIds.js';
import { reportScanRejects } from '../engine/scanReasons.js';
import { scanFieldsOf } from '../engine/scanFields.js';
import type { InputError } from '../engine/inputError.js';

/** Why the scanner refused a payload as a whole. */
export type ScanRefusal = { tooManyRows: true } | { invalidJson: string };

/** What a scan of one payload gave. */
export interface ScannedPayload {
  batch: ColumnBatch | undefined;
  errors: InputError[];
}

/** A type name no pattern names, standing for the id the core gives every such type. */
function otherTypeName(names: readonly string[]): string {
  let name = '\u0000other';
  while (names.includes(name)) name += '\u0000';
  return name;
}

/** Scans ingest payloads for one plan with a core of its own; keys persist across payloads. */
export class IngestScanner {
  private readonly scanner: CoreScanner;
  private readonly keys = new KeyInterner();
  /** Type names by the core's type id (pattern types, then "other"), for windows queries with sequences. */
  private readonly typeNames: string[] | undefined;
  /** Scored events carry their type's value: the names are read from the bytes. */
  private readonly withTypeValues: boolean;

  /** @param core a core of the scanner's own (never the query's) */
  constructor(
    readonly plan: QueryPlan,
    private readonly core: WasmCore,
  ) {
    const sequences = plan.sequences ?? [];
    const types = sequences.length > 0 ? new EventTypeIds(sequences) : undefined;
    this.scanner = core.scanner(scanFieldsOf(plan, types), types?.names() ?? []);
    this.keys.attach(this.scanner);
    // the HTTP line limit is in characters, as a JavaScript client measures a string
    this.scanner.lineLimitInUnits(true);
    this.withTypeValues = plan.kind === 'events' && plan.typeColumn !== undefined;
    if (this.withTypeValues) this.scanner.keepFieldSpans(true);
    if (types && !this.withTypeValues) {
      const names = types.names();
      this.typeNames = [...names, otherTypeName(names)];
    }
  }

  /**
   * Scans one payload: NDJSON lines (each over `maxLineChars` UTF-16 code
   * units rejected alone) or a JSON document. Refuses the whole payload when
   * it holds more than `maxRows` events or (JSON) is not valid JSON; then no
   * key it held is kept.
   */
  scan(kind: 'ndjson' | 'json', body: Uint8Array, source: string, maxLineChars: number, maxRows: number): ScannedPayload | ScanRefusal {
    const scanner = this.scanner;
    const keysBefore = scanner.keyCount;
    scanner.load([body], body.length);
    let rows: number;
    try {
      rows = kind === 'json' ? scanner.scanJson(body.length) : scanner.scanNdjson(body.length, 1, maxLineChars);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      scanner.truncateKeys(keysBefore);
      return { tooManyRows: true };
    }
    const errors: InputError[] = [];
    reportScanRejects(scanner, this.plan, source, errors, { maxLineBytes: maxLineChars, lineUnit: 'characters' });
    if (rows < 0) return { invalidJson: errors[0]?.reason.replace(/^not valid JSON: /, '') ?? 'not valid JSON' };
    // an NDJSON body's events are its lines that are not blank; a JSON body's, its elements
    const events = kind === 'json' ? scanner.lines : rows + scanner.rejects().count;
    if (events > maxRows) {
      scanner.truncateKeys(keysBefore);
      return { tooManyRows: true };
    }
    this.keys.syncFromCore();
    if (rows === 0) return { batch: undefined, errors };
    const input = this.core.inputViews(rows);
    const batch: ColumnBatch = { rows, ts: input.ts.slice(), value: input.value.slice(), key: input.key.slice(), keyTable: this.keys, source };
    if (this.withTypeValues) {
      const dictionary = new TypeDictionary();
      const type = new Int32Array(rows);
      for (let r = 0; r < rows; r++) type[r] = dictionary.idOf(scanner.typeValue(r));
      batch.type = type;
      batch.types = dictionary.names;
    } else if (this.typeNames) {
      batch.type = input.type.slice();
      batch.types = this.typeNames;
    }
    return { batch, errors };
  }
}
