/**
 * Interns group keys: the wasm core sees dense integer ids (0, 1, 2, …) and
 * the host maps them back to the grouping columns' values for output.
 */

import type { CoreScanner } from '../core/coreScanner.js';
import { KIND_BOOLEAN, KIND_NUMBER, KIND_STRING } from '../core/exports.js';

/** Separates the parts of a composite key; a control character no real key contains. */
const SEPARATOR = '\u001f';

/** The kind bytes of grouping values, as the core's key table stores them. */
function kindsOf(values: readonly unknown[]): Uint8Array {
  const kinds = new Uint8Array(values.length);
  values.forEach((v, i) => {
    kinds[i] = typeof v === 'number' ? KIND_NUMBER : typeof v === 'boolean' ? KIND_BOOLEAN : KIND_STRING;
  });
  return kinds;
}

/**
 * Key ids shared with the core: when a core key table is attached, every
 * key interned here is interned there too (same id, since both hand out ids
 * in order), and keys the core's byte scanners interned are adopted with
 * `syncFromCore()`. Without one (batch-local dictionaries) it is a plain Map.
 */
export class KeyInterner {
  private readonly ids = new Map<string, number>();
  private readonly values: unknown[][] = [];
  private core: CoreScanner | undefined;
  /** Keys with ids below this are in the core's table too. */
  private mirrored = 0;
  /** Changes whenever ids are reassigned (import), so caches of ids know to start over. */
  generation = 0;

  /**
   * Mirrors this table into the core's key table (reset to this one at the
   * next syncToCore). Mirroring is deferred: interning in the core may grow
   * its memory, which would detach the column views a batch is being
   * written through.
   */
  attach(core: CoreScanner): void {
    this.core = core;
    core.resetKeys();
    this.mirrored = 0;
  }

  /** Interns in the core every key interned here since the last sync (call between batches, before a byte scan). */
  syncToCore(): void {
    const core = this.core;
    if (core === undefined) return;
    for (; this.mirrored < this.values.length; this.mirrored++) {
      const id = this.mirrored;
      const v = this.values[id]!;
      const text = v.map(String).join(SEPARATOR);
      const got = core.intern(text, kindsOf(v));
      if (got !== id) throw new Error(`key table out of step with the core: key ${JSON.stringify(text)} is ${got} there, ${id} here`);
    }
  }

  /** Adopts the keys the core interned since the last call (byte scanners), with their values typed by kind. */
  syncFromCore(): void {
    const core = this.core;
    if (core === undefined) return;
    if (this.mirrored !== this.values.length) throw new Error('syncFromCore before syncToCore: the key tables would disagree');
    for (let id = this.values.length, n = core.keyCount; id < n; id++) {
      const { text, kinds } = core.key(id);
      const parts = kinds.length <= 1 ? [text] : text.split(SEPARATOR);
      const values: unknown[] =
        kinds.length === 0 ? [''] : parts.map((p, i) => (kinds[i] === KIND_NUMBER ? Number(p) : kinds[i] === KIND_BOOLEAN ? p === 'true' : p));
      this.ids.set(text, id);
      this.values.push(values);
    }
    this.mirrored = this.values.length;
  }

  /** Number of distinct keys seen. */
  get size(): number {
    return this.values.length;
  }

  /** Id of a single-column key, assigning the next id on first sight. */
  internOne(value: string | number | boolean): number {
    const text = String(value);
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(text, id);
      this.values.push([value]);
    }
    return id;
  }

  /** Id of a composite key (several grouping columns). */
  internMany(parts: (string | number | boolean)[]): number {
    const text = parts.join(SEPARATOR);
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(text, id);
      this.values.push(parts.slice());
    }
    return id;
  }

  /** Id of a key given its grouping values, without interning it. */
  lookup(parts: readonly (string | number | boolean)[]): number | undefined {
    return this.ids.get(parts.length === 1 ? String(parts[0]) : parts.join(SEPARATOR));
  }

  /** The grouping columns' values of key `id` (as first seen). */
  valuesOf(id: number): readonly unknown[] {
    const v = this.values[id];
    if (!v) throw new RangeError(`unknown key id ${id}`);
    return v;
  }

  /** All keys in id order, for snapshots. */
  export(): unknown[][] {
    return this.values.map((v) => v.slice());
  }

  /** Replaces all keys with an exported list (ids are positions). */
  import(values: unknown[][]): void {
    this.generation++;
    this.ids.clear();
    this.values.length = 0;
    this.core?.resetKeys();
    this.mirrored = 0;
    for (const v of values) {
      this.ids.set(v.map(String).join(SEPARATOR), this.values.length);
      this.values.push(v.slice());
    }
  }
}
