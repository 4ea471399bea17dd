/**
 * Sequence patterns from text to matches: the parser (syntax, errors with
 * positions, names), and the seed's example `A -> B -> C within 5m` run
 * through the compiler, the type ids and the wasm core.
 */
import { describe, expect, it } from 'vitest';
import {
  PatternSyntaxError,
  compileSequence,
  compileSequences,
  formatDurationMs,
  formatSequence,
  parseSequence,
  type PatternSpec,
} from '../../src/engine/patterns/sequence.js';
import { EventTypeIds } from '../../src/engine/patterns/typeIds.js';
import { configurePatterns } from '../../src/engine/patterns/configurePatterns.js';
import { loadCore } from '../../src/node/loadCore.js';
import { feedPatternBatch } from '../reference/sequence.js';

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);

/** Runs string-typed events (one key unless given) through the core; returns each match as `name: t1,t2,…` (minutes after T0). */
function run(specs: PatternSpec[], events: [minutes: number, type: string | null, key?: number][], maxPartials?: number): string[] {
  const patterns = compileSequences(specs);
  const types = new EventTypeIds(patterns);
  const core = loadCore();
  configurePatterns(core, patterns, types, maxPartials);
  const out = feedPatternBatch(
    core,
    events.map(([m, type, key]) => ({ ts: T0 + m * MIN, key: key ?? 0, type: types.idOf(type) })),
  );
  return out.map((m) => `${patterns[m.pattern]!.name}: ${m.ts.map((t) => (t - T0) / MIN).join(',')}`);
}

describe('parseSequence', () => {
  it('parses the seed example', () => {
    expect(parseSequence('A -> B -> C within 5m')).toEqual({
      steps: [
        { type: 'A', strict: false },
        { type: 'B', strict: false },
        { type: 'C', strict: false },
      ],
      withinMs: 5 * MIN,
    });
  });

  it('without within the pattern is unbounded', () => {
    expect(parseSequence('A -> B -> C').withinMs).toBe(Infinity);
  });

  it('=> is strict contiguity, -> relaxed; spacing is free', () => {
    expect(parseSequence('A=>B->C  =>   D').steps.map((s) => s.strict)).toEqual([false, true, false, true]);
  });

  it.each([
    ['A -> B within 5 minutes', 300_000],
    ['A -> B within 30 s', 30_000],
    ['A -> B within 1h30m', 5_400_000],
    ['A -> B WITHIN 250 ms', 250],
    ['A -> B within 0s', 0],
    ['A -> B within 42', 42],
  ])('durations: %s', (text, ms) => {
    expect(parseSequence(text).withinMs).toBe(ms);
  });

  it('quoted names, names with punctuation and unicode', () => {
    expect(
      parseSequence(`"disk full" -> 'it\\'s' -> "say \\"hi\\"" -> login.failed -> http:500 -> user-logout -> café -> "within"`).steps.map((s) => s.type),
    ).toEqual(['disk full', "it's", 'say "hi"', 'login.failed', 'http:500', 'user-logout', 'café', 'within']);
  });

  it('a hyphen before > is an arrow, not part of the name', () => {
    expect(parseSequence('a-b->c').steps.map((s) => s.type)).toEqual(['a-b', 'c']);
  });

  it.each([
    ['A -> -> C', 6, 'expected an event type'],
    ['', 1, 'expected an event type'],
    ['A', 2, "a pattern needs at least two steps: expected '->' or '=>'"],
    ['A -> ', 6, 'expected an event type'],
    ['A B', 3, "expected '->' or '=>'"],
    ['A -> B C', 8, "expected '->', '=>' or 'within'"],
    ['A -> B - > C', 8, "expected '->', '=>' or 'within'"],
    ['A ->> B', 5, 'expected an event type'],
    ['A within 5m', 3, "a pattern needs at least two steps before 'within'"],
    ['A -> B within', 14, "expected a duration after 'within'"],
    ['A -> B within 5 minuts', 15, "expected a duration like 5m or 30 s, got '5 minuts'"],
    ['A -> B within 5m -> C', 15, "expected a duration like 5m or 30 s, got '5m -> C'"],
    ['A -> within -> C', 6, "'within' is a keyword: quote it"],
    ['A -> "B', 6, 'unterminated quoted event type'],
    ['A -> ""', 6, 'empty quoted name'],
    ['A -> #', 6, 'expected an event type'],
  ])('%j fails at column %i', (text, column, reason) => {
    let error: unknown;
    try {
      parseSequence(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PatternSyntaxError);
    const e = error as PatternSyntaxError;
    expect(e.column).toBe(column);
    expect(e.reason).toContain(reason);
    expect(e.summary).toBe(`pattern '${text}': ${e.reason} at column ${column}`);
  });

  it('the message has a caret line under the column', () => {
    expect(() => parseSequence('A -> -> C')).toThrow("pattern 'A -> -> C': expected an event type at column 6\n  A -> -> C\n       ^");
  });

  it('at most 32 steps', () => {
    const steps = Array.from({ length: 33 }, (_, i) => `T${i}`);
    expect(parseSequence(steps.slice(0, 32).join(' -> ')).steps).toHaveLength(32);
    const column = steps.slice(0, 32).join(' -> ').length + ' -> '.length + 1;
    expect(() => parseSequence(steps.join(' -> '))).toThrow(`at most 32 steps at column ${column}\n`);
  });
});

describe('names and compile', () => {
  it('the name is the normalised text', () => {
    expect(compileSequence('A->B  =>C within 5 minutes').name).toBe('A -> B => C within 5m');
    expect(compileSequence('A -> B -> C').name).toBe('A -> B -> C');
    expect(compileSequence(`'disk full' -> within2 -> "within" -> "a\\"b"`).name).toBe('"disk full" -> within2 -> "within" -> "a\\"b"');
  });

  it('normalised text parses back to the same pattern', () => {
    for (const text of ['A -> B => "x y" within 90s', '"a\\\\b" -> c within 1500 ms', 'A -> B within 0s', 'a-b -> c-d within 1.5 ms']) {
      const p = compileSequence(text);
      expect(compileSequence(p.name)).toEqual(p);
    }
  });

  it('an explicit name wins', () => {
    expect(compileSequence({ name: 'checkout', pattern: 'A -> B' })).toEqual({
      name: 'checkout',
      steps: [
        { type: 'A', strict: false },
        { type: 'B', strict: false },
      ],
      withinMs: Infinity,
    });
  });

  it('rejects bad specs and duplicate names', () => {
    expect(() => compileSequence(42 as unknown as string)).toThrow(TypeError);
    expect(() => compileSequence({ name: '', pattern: 'A -> B' })).toThrow(/name/);
    expect(() => compileSequences(['A -> B', 'A->B'])).toThrow(/patterns 1 and 2 are both named 'A -> B'/);
    expect(compileSequences(['A -> B', { name: 'again', pattern: 'A->B' }]).map((p) => p.name)).toEqual(['A -> B', 'again']);
  });

  it('durations format to the largest exact unit', () => {
    expect([300_000, 90_000, 3_600_000, 86_400_000, 1500, 0, 1.5].map(formatDurationMs)).toEqual(['5m', '90s', '1h', '1d', '1500ms', '0ms', '1.5ms']);
    expect(
      formatSequence(
        [
          { type: 'A', strict: false },
          { type: 'B', strict: true },
        ],
        Infinity,
      ),
    ).toBe('A => B');
  });
});

describe('type ids', () => {
  it('pattern types get dense ids, every other type one shared id, no type -1', () => {
    const ids = new EventTypeIds(compileSequences(['A -> B', 'B => C -> A']));
    expect(['A', 'B', 'C'].map((t) => ids.idOf(t))).toEqual([0, 1, 2]);
    expect([ids.idOf('D'), ids.idOf('E'), ids.idOf({}), ids.other]).toEqual([3, 3, 3, 3]);
    expect([ids.idOf(undefined), ids.idOf(null), ids.idOf('')]).toEqual([-1, -1, -1]);
    expect(new EventTypeIds(compileSequences(['404 -> 500'])).idOf(500)).toBe(1);
  });
});

describe('A -> B -> C within 5m, through the core', () => {
  const SEED = 'A -> B -> C within 5m';

  it('matches A, B, C within 5 minutes', () => {
    expect(
      run(
        [SEED],
        [
          [0, 'A'],
          [1, 'B'],
          [2, 'C'],
        ],
      ),
    ).toEqual([`${SEED}: 0,1,2`]);
  });

  it('a span of exactly 5 minutes matches; over 5 minutes does not', () => {
    expect(
      run(
        [SEED],
        [
          [0, 'A'],
          [1, 'B'],
          [5, 'C'],
        ],
      ),
    ).toEqual([`${SEED}: 0,1,5`]);
    expect(
      run(
        [SEED],
        [
          [0, 'A'],
          [1, 'B'],
          [5.001, 'C'],
        ],
      ),
    ).toEqual([]);
  });

  it('too slow from one A, but a later A restarts the clock', () => {
    expect(
      run(
        [SEED],
        [
          [0, 'A'],
          [3, 'A'],
          [4, 'B'],
          [7, 'C'],
        ],
      ),
    ).toEqual([`${SEED}: 3,4,7`]);
  });

  it('wrong order does not match', () => {
    expect(
      run(
        [SEED],
        [
          [0, 'B'],
          [1, 'A'],
          [2, 'C'],
        ],
      ),
    ).toEqual([]);
    expect(
      run(
        [SEED],
        [
          [0, 'A'],
          [1, 'C'],
          [2, 'B'],
        ],
      ),
    ).toEqual([]);
  });

  it('interleaved other types: relaxed matches, strict does not', () => {
    const events: [number, string][] = [
      [0, 'A'],
      [1, 'X'],
      [2, 'B'],
      [3, 'Y'],
      [4, 'C'],
    ];
    expect(run([SEED], events)).toEqual([`${SEED}: 0,2,4`]);
    expect(run(['A => B => C within 5m'], events)).toEqual([]);
    expect(
      run(
        ['A => B => C within 5m'],
        [
          [0, 'A'],
          [1, 'B'],
          [2, 'C'],
        ],
      ),
    ).toEqual(['A => B => C within 5m: 0,1,2']);
  });

  it('strict vs relaxed per step', () => {
    const events: [number, string][] = [
      [0, 'A'],
      [1, 'B'],
      [2, 'X'],
      [3, 'C'],
    ];
    expect(run(['A => B -> C'], events)).toEqual(['A => B -> C: 0,1,3']);
    expect(run(['A -> B => C'], events)).toEqual([]);
  });

  it('events without a type are invisible, even to strict steps', () => {
    expect(
      run(
        ['A => B'],
        [
          [0, 'A'],
          [1, null],
          [2, 'B'],
        ],
      ),
    ).toEqual(['A => B: 0,2']);
  });

  it('keys are independent: events of other keys never interleave', () => {
    expect(
      run(
        ['A => B'],
        [
          [0, 'A', 1],
          [1, 'X', 2],
          [2, 'B', 1],
        ],
      ),
    ).toEqual(['A => B: 0,2']);
    expect(
      run(
        [SEED],
        [
          [0, 'A', 1],
          [1, 'B', 2],
          [2, 'C', 1],
        ],
      ),
    ).toEqual([]);
  });

  it('one match per event: the earliest first event, then no reuse of matched events', () => {
    expect(
      run(
        [SEED],
        [
          [0, 'A'],
          [1, 'A'],
          [2, 'B'],
          [3, 'C'],
          [4, 'C'],
        ],
      ),
    ).toEqual([`${SEED}: 0,2,3`]);
    expect(
      run(
        [SEED],
        [
          [0, 'A'],
          [1, 'B'],
          [2, 'C'],
          [3, 'B'],
          [4, 'C'],
          [5, 'A'],
          [6, 'B'],
          [7, 'C'],
        ],
      ),
    ).toEqual([`${SEED}: 0,1,2`, `${SEED}: 5,6,7`]);
  });

  it('several patterns match independently, with their names', () => {
    expect(
      run(
        [SEED, { name: 'ab', pattern: 'A => B' }],
        [
          [0, 'A'],
          [1, 'B'],
          [2, 'C'],
        ],
      ),
    ).toEqual(['ab: 0,1', `${SEED}: 0,1,2`]);
  });

  it('out-of-order: an event more than 5 minutes behind its key starts nothing; a late B still counts within the bound', () => {
    expect(
      run(
        [SEED],
        [
          [10, 'X'],
          [4, 'A'],
          [11, 'B'],
          [12, 'C'],
        ],
      ),
    ).toEqual([]);
    expect(
      run(
        [SEED],
        [
          [0, 'A'],
          [3, 'X'],
          [1, 'B'],
          [4, 'C'],
        ],
      ),
    ).toEqual([`${SEED}: 0,1,4`]);
  });

  it('unbounded: A -> B -> C matches however far apart', () => {
    expect(
      run(
        ['A -> B -> C'],
        [
          [0, 'A'],
          [60 * 24 * 365, 'B'],
          [60 * 24 * 366, 'C'],
        ],
      ),
    ).toEqual(['A -> B -> C: 0,525600,527040']);
  });
});
