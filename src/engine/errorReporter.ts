/**
 * Bad-input bookkeeping for a query: counts rejected rows by reason, prints
 * the first few with where they came from, and forwards every one to an
 * optional dead-letter sink. Never throws on bad input; a failing
 * dead-letter sink does fail the query (losing the record silently would be worse).
 */
import type { InputError, InputErrorKind } from './inputError.js';
import type { Sink } from './sink.js';

/** Columns of dead-letter records. */
export const DEAD_LETTER_COLUMNS = ['source', 'line', 'offset', 'kind', 'reason', 'raw'];

export class InputErrorReporter {
  /** Rejected rows so far. */
  total = 0;
  /** Rejected rows by reason. */
  readonly byKind: Partial<Record<InputErrorKind, number>> = {};
  private opened = false;

  constructor(
    private readonly log: (line: string) => void,
    private readonly maxLogged = 10,
    private readonly deadLetter?: Sink,
  ) {}

  /** Counts, logs and forwards one batch's errors. */
  async report(errors: InputError[]): Promise<void> {
    if (errors.length === 0) return;
    for (const e of errors) {
      const kind = e.kind ?? 'malformed';
      this.byKind[kind] = (this.byKind[kind] ?? 0) + 1;
      this.total++;
      if (this.total <= this.maxLogged) this.log(`bad input at ${describeLocation(e)}: ${e.reason}`);
      if (this.total === this.maxLogged + 1) this.log('more bad input: counted in progress (errors), not printed');
    }
    if (this.deadLetter) {
      if (!this.opened) {
        await this.deadLetter.open({ kind: 'errors', mode: 'append', columns: DEAD_LETTER_COLUMNS, keyColumns: [] });
        this.opened = true;
      }
      await this.deadLetter.write(errors.map((e) => ({ ...e, kind: e.kind ?? 'malformed' })));
    }
  }

  /** A one-line summary, e.g. "3 rows rejected (not_a_number 2, bad_timestamp 1)". */
  summary(): string {
    const parts = Object.entries(this.byKind).map(([k, n]) => `${k} ${n}`);
    return `${this.total} row${this.total === 1 ? '' : 's'} rejected${parts.length ? ` (${parts.join(', ')})` : ''}`;
  }

  /** Flushes and closes the dead-letter sink. */
  async close(): Promise<void> {
    if (this.deadLetter && this.opened) await this.deadLetter.close();
  }
}

/** "data.csv line 17", "stdin line 3", "events[2] offset 1234". */
export function describeLocation(e: InputError): string {
  if (e.line !== undefined) return `${e.source} line ${e.line}`;
  if (e.offset !== undefined) return `${e.source} offset ${e.offset}`;
  return e.source;
}
