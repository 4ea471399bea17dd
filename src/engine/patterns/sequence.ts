/**
 * Sequence patterns as users write them, parsed and compiled to the plain
 * structure the wasm core is configured with (assembly/patterns.ts has the
 * matching semantics).
 *
 *   pattern  := step (arrow step)+ [within duration]
 *   arrow    := '->'   relaxed: other events of the key may come in between (Flink CEP followedBy)
 *             | '=>'   strict: the key's very next event must match (Flink CEP next)
 *   step     := name | "quoted name" | 'quoted name'     (the event's `type`)
 *   name     := letters, digits, _ . : and - (not before >); not the keyword `within`
 *   duration := anything parseDuration reads: 5m, 5 minutes, 30 s, 1h30m
 *
 * Without `within` the pattern is unbounded in time (withinMs = Infinity):
 * `A -> B` matches an A followed by a B however far apart. That is what the
 * text says; a hidden default bound would silently miss matches. Memory stays
 * bounded regardless: the core keeps at most `maxPartials` partial matches
 * per key and pattern, and without a time bound it needs at most one per step.
 *
 * Errors are PatternSyntaxError with the 1-based column and a caret line:
 *
 *   pattern 'A -> -> C': expected an event type at column 6
 *     A -> -> C
 *          ^
 */
import { parseDuration } from '../duration.js';
import { MAX_STEPS } from '../../core/exports.js';

/** Most steps in one pattern (the core's limit). */
export const MAX_PATTERN_STEPS = MAX_STEPS;

/** One step of a pattern. */
export interface SequenceStep {
  /** The event type this step matches (compared with the event's `type` as a string). */
  type: string;
  /** Must immediately follow the previous step's event (no other event of the key in between); false on the first step. */
  strict: boolean;
}

/** A compiled pattern: what the core is configured with, plus its name. */
export interface SequencePattern {
  /** The explicit name, or the pattern's normalised text (`A -> B -> C within 5m`). */
  name: string;
  /** At least two steps. */
  steps: SequenceStep[];
  /** Most time from the first to the last matched event, in ms; Infinity = unbounded. */
  withinMs: number;
}

/** A pattern as configured: its text, or its text with an explicit name. */
export type PatternSpec = string | { name?: string; pattern: string };

/** A pattern text that does not parse; says where and why. */
export class PatternSyntaxError extends Error {
  /** The first line of the message, without the caret lines. */
  readonly summary: string;

  constructor(
    readonly pattern: string,
    readonly column: number,
    readonly reason: string,
  ) {
    const summary = `pattern '${pattern}': ${reason} at column ${column}`;
    super(`${summary}\n  ${pattern}\n  ${' '.repeat(column - 1)}^`);
    this.name = 'PatternSyntaxError';
    this.summary = summary;
  }
}

const NAME_START = /[\p{L}\p{N}_]/u;
const NAME_PART = /[\p{L}\p{N}_.:]/u;
const WHOLE_NAME = /^[\p{L}\p{N}_](?:[\p{L}\p{N}_.:]|-(?!>))*$/u;
const KEYWORD = 'within';

/** A parsed pattern text: its steps and time bound. */
export interface ParsedSequence {
  steps: SequenceStep[];
  withinMs: number;
}

/** Parses a pattern text; throws PatternSyntaxError. */
export function parseSequence(text: string): ParsedSequence {
  let at = 0;
  const fail = (column: number, reason: string): never => {
    throw new PatternSyntaxError(text, column, reason);
  };
  const skipSpace = (): void => {
    while (at < text.length && /\s/.test(text[at]!)) at++;
  };

  const readName = (): string | undefined => {
    const start = at;
    if (at >= text.length || !NAME_START.test(text[at]!)) return undefined;
    at++;
    while (at < text.length && (NAME_PART.test(text[at]!) || (text[at] === '-' && text[at + 1] !== '>'))) at++;
    return text.slice(start, at);
  };

  const readStep = (): string => {
    skipSpace();
    const column = at + 1;
    const quote = text[at];
    if (quote === '"' || quote === "'") {
      let name = '';
      at++;
      for (;;) {
        if (at >= text.length) return fail(column, 'unterminated quoted event type');
        const c = text[at]!;
        if (c === quote) break;
        if (c === '\\' && at + 1 < text.length) {
          name += text[at + 1];
          at += 2;
          continue;
        }
        name += c;
        at++;
      }
      at++;
      if (name === '') fail(column, 'expected an event type, got an empty quoted name');
      return name;
    }
    const name = readName();
    if (name === undefined) return fail(column, 'expected an event type');
    if (name.toLowerCase() === KEYWORD) fail(column, `expected an event type ('${name}' is a keyword: quote it to use it as a type)`);
    return name;
  };

  const steps: SequenceStep[] = [];
  let strict = false;
  for (;;) {
    skipSpace();
    const column = at + 1;
    steps.push({ type: readStep(), strict });
    if (steps.length > MAX_PATTERN_STEPS) fail(column, `a pattern has at most ${MAX_PATTERN_STEPS} steps`);
    skipSpace();
    const column2 = at + 1;
    const two = text.slice(at, at + 2);
    if (two === '->' || two === '=>') {
      strict = two === '=>';
      at += 2;
      continue;
    }
    const wantArrow = steps.length < 2;
    if (at >= text.length) {
      if (wantArrow) fail(column2, "a pattern needs at least two steps: expected '->' or '=>'");
      return { steps, withinMs: Infinity };
    }
    const word = readName();
    if (word?.toLowerCase() !== KEYWORD) {
      fail(column2, wantArrow ? "expected '->' or '=>'" : "expected '->', '=>' or 'within'");
    }
    if (wantArrow) fail(column2, "a pattern needs at least two steps before 'within': expected '->' or '=>'");
    skipSpace();
    const durationColumn = at + 1;
    const rest = text.slice(at).trimEnd();
    if (rest === '') fail(durationColumn, "expected a duration after 'within' (like 5m or 30 s)");
    let withinMs: number;
    try {
      withinMs = parseDuration(rest, 'within');
    } catch {
      return fail(durationColumn, `expected a duration like 5m or 30 s, got '${rest}'`);
    }
    return { steps, withinMs };
  }
}

/** A step's type as pattern text: bare when it reads back as a name, else double-quoted. */
function formatType(type: string): string {
  if (WHOLE_NAME.test(type) && type.toLowerCase() !== KEYWORD) return type;
  return `"${type.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

const UNITS: readonly [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/** Milliseconds as the shortest exact duration text: 300000 → '5m', 1500 → '1500ms'. */
export function formatDurationMs(ms: number): string {
  for (const [unit, size] of UNITS) {
    if (ms > 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** The normalised text of a pattern: `A -> B => C within 5m`. */
export function formatSequence(steps: readonly SequenceStep[], withinMs: number): string {
  const body = steps.map((s, i) => (i === 0 ? '' : s.strict ? ' => ' : ' -> ') + formatType(s.type)).join('');
  return withinMs === Infinity ? body : `${body} within ${formatDurationMs(withinMs)}`;
}

/** Compiles a pattern text, or `{ name, pattern }`; throws PatternSyntaxError on bad text, TypeError on a bad spec. */
export function compileSequence(spec: PatternSpec): SequencePattern {
  let text: unknown = spec;
  let name: unknown;
  if (typeof spec === 'object' && spec !== null && !Array.isArray(spec)) {
    text = spec.pattern;
    name = spec.name;
    if (name !== undefined && (typeof name !== 'string' || name.trim() === '')) {
      throw new TypeError(`pattern name: expected a non-empty string, got ${JSON.stringify(name)}`);
    }
  }
  if (typeof text !== 'string') {
    throw new TypeError(`pattern: expected a string like 'A -> B -> C within 5m' or { name, pattern }, got ${JSON.stringify(text) ?? typeof text}`);
  }
  const { steps, withinMs } = parseSequence(text);
  return { name: (name as string | undefined) ?? formatSequence(steps, withinMs), steps, withinMs };
}

/** Compiles several patterns; their names (explicit or normalised) must be distinct, since outputs carry them. */
export function compileSequences(specs: readonly PatternSpec[]): SequencePattern[] {
  const compiled = specs.map(compileSequence);
  const seen = new Map<string, number>();
  compiled.forEach((p, i) => {
    const earlier = seen.get(p.name);
    if (earlier !== undefined) {
      throw new RangeError(`patterns ${earlier + 1} and ${i + 1} are both named '${p.name}': give one of them an explicit { name, pattern }`);
    }
    seen.set(p.name, i);
  });
  return compiled;
}
