/**
 * Event types as the core's type column sees them: each type some pattern
 * step names gets a dense id (0, 1, …, in order of first mention); every
 * other type shares one more id, `other`, because such events must still
 * break strict contiguity (`A => B` does not match A, C, B) but need not be
 * told apart, so the table never grows with the stream's types. A row
 * without a type is -1: invisible to patterns (it neither matches nor breaks
 * strict contiguity).
 */
import type { SequencePattern } from './sequence.js';

/** Type ids for the core's type column. */
export class EventTypeIds {
  private readonly ids = new Map<string, number>();
  /** The id shared by every type no pattern names. */
  readonly other: number;

  constructor(patterns: readonly SequencePattern[]) {
    for (const p of patterns) {
      for (const s of p.steps) if (!this.ids.has(s.type)) this.ids.set(s.type, this.ids.size);
    }
    this.other = this.ids.size;
  }

  /** Id of a row's type field: strings, numbers and booleans by their text; missing/null/'' → -1. */
  idOf(value: unknown): number {
    if (value === undefined || value === null || value === '') return -1;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return this.other;
    return this.ids.get(typeof value === 'string' ? value : String(value)) ?? this.other;
  }

  /** The pattern types in id order (the core's byte scanners look them up themselves). */
  names(): string[] {
    return [...this.ids.keys()];
  }

  /** The type ids of a pattern's steps, in step order. */
  stepIds(pattern: SequencePattern): number[] {
    return pattern.steps.map((s) => this.ids.get(s.type)!);
  }
}
