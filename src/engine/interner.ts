/**
 * Interns group keys: the wasm core sees dense integer ids (0, 1, 2, …) and
 * the host maps them back to the grouping columns' values for output.
 */

/** Separates the parts of a composite key; a control character no real key contains. */
const SEPARATOR = '\u001f';

export class KeyInterner {
  private readonly ids = new Map<string, number>();
  private readonly values: unknown[][] = [];

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
    this.ids.clear();
    this.values.length = 0;
    for (const v of values) {
      this.ids.set(v.map(String).join(SEPARATOR), this.values.length);
      this.values.push(v.slice());
    }
  }
}
