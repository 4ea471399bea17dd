/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests
 * and benches that read eddy's /metrics back (src/server/metrics.ts writes
 * it). Not part of the library: the server only renders.
 */

import { METRIC_NAME } from '../../src/server/metrics.js';

/** One sample line. */
export interface ParsedSample {
  /** Sample name, e.g. `x_bucket` within family `x`. */
  name: string;
  /** Label values by name, unescaped. */
  labels: Record<string, string>;
  /** The value; NaN and ±Infinity included. */
  value: number;
}

/** One metric family: its `# TYPE`, `# HELP` and samples in order. */
export interface ParsedFamily {
  /** From `# TYPE`, if the family has one. */
  type?: string;
  /** From `# HELP`, unescaped, if the family has one. */
  help?: string;
  /** Sample lines in order, the family's `_bucket`/`_sum`/`_count` included. */
  samples: ParsedSample[];
}

const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
/** Decimal floats as Go's ParseFloat reads them (hex floats are not accepted). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL = /^(?:([+-]?)(inf|infinity)|nan)$/i;
const TIMESTAMP = /^-?\d+$/;
const SAMPLE_NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_TOKEN = /[a-zA-Z_][a-zA-Z0-9_]*/y;

/**
 * Parses text format 0.0.4 strictly, grouping samples by family (`x_bucket`,
 * `x_sum`, `x_count` belong to `x` once `x` is typed histogram; `_sum` and
 * `_count` to a typed summary). Timestamps are accepted and dropped.
 *
 * @throws SyntaxError naming the line on anything malformed: a missing final
 *   line feed, bad names, escapes or numbers, a repeated `# HELP`/`# TYPE` or
 *   one after the family's samples, a family split into two groups, a
 *   repeated series, a histogram bucket without `le`.
 */
export function parsePrometheusText(text: string): Map<string, ParsedFamily> {
  const families = new Map<string, ParsedFamily>();
  if (text === '') return families;
  if (!text.endsWith('\n')) throw new SyntaxError('prometheus text: the last line must end with a line feed');
  const lines = text.slice(0, -1).split('\n');
  const finished = new Set<string>();
  const seriesSeen = new Set<string>();
  let current: string | undefined;

  /** Makes `name` the family being read, refusing to reopen an earlier one. */
  const enter = (name: string, lineNo: number): ParsedFamily => {
    if (name !== current) {
      if (finished.has(name)) throw lineError(lineNo, `metric ${name} appears in two separate groups`);
      if (current !== undefined) finished.add(current);
      current = name;
    }
    let family = families.get(name);
    if (family === undefined) {
      family = { samples: [] };
      families.set(name, family);
    }
    return family;
  };

  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!;
    const cursor: Cursor = { text: line, at: 0, lineNo };
    // Leading blanks are allowed, as in Prometheus's own parser; blank lines are skipped.
    skipBlanks(cursor);
    if (cursor.at === line.length) continue;
    if (line[cursor.at] === '#') {
      cursor.at++;
      skipBlanks(cursor);
      const keyword = readUntilBlank(cursor);
      if (keyword !== 'HELP' && keyword !== 'TYPE') continue; // an ordinary comment
      if (!skipBlanks(cursor)) throw lineError(lineNo, `# ${keyword} needs a metric name`);
      const name = readUntilBlank(cursor);
      if (!METRIC_NAME.test(name)) throw lineError(lineNo, `invalid metric name ${JSON.stringify(name)}`);
      const family = enter(name, lineNo);
      if (family.samples.length > 0) throw lineError(lineNo, `# ${keyword} for ${name} after its samples`);
      skipBlanks(cursor);
      if (keyword === 'HELP') {
        if (family.help !== undefined) throw lineError(lineNo, `second # HELP for ${name}`);
        family.help = unescapeValue(cursor, line.slice(cursor.at), false);
      } else {
        if (family.type !== undefined) throw lineError(lineNo, `second # TYPE for ${name}`);
        const rest = line.slice(cursor.at);
        const type = readUntilBlank(cursor);
        skipBlanks(cursor);
        if (!TYPES.has(type) || cursor.at !== line.length) {
          throw lineError(lineNo, `# TYPE ${name} must be one of ${[...TYPES].join(', ')}, got ${JSON.stringify(rest)}`);
        }
        family.type = type;
      }
      continue;
    }

    const sample = readSample(cursor);
    const familyName = familyOf(sample.name, families);
    const family = enter(familyName, lineNo);
    if (family.type === 'histogram') {
      if (sample.name === familyName) throw lineError(lineNo, `histogram ${familyName} has a sample without _bucket, _sum or _count`);
      if (sample.name.endsWith('_bucket')) {
        const le = sample.labels.le;
        if (le === undefined) throw lineError(lineNo, `histogram bucket ${sample.name} has no le label`);
        parseNumber(cursor, le, 'le');
      }
    }
    const identity = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
    if (seriesSeen.has(identity)) throw lineError(lineNo, `repeated series ${line.slice(0, cursor.valueStart).trim()}`);
    seriesSeen.add(identity);
    family.samples.push(sample);
  }
  return families;
}

/** Position within the line being parsed. */
interface Cursor {
  readonly text: string;
  at: number;
  readonly lineNo: number;
  valueStart?: number;
}

function lineError(lineNo: number, message: string): SyntaxError {
  return new SyntaxError(`prometheus text line ${lineNo}: ${message}`);
}

/** The family a sample belongs to: the typed histogram or summary its suffix points at, else its own name. */
function familyOf(name: string, families: Map<string, ParsedFamily>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const type = families.get(base)?.type;
    if (type === 'histogram' || (type === 'summary' && suffix !== '_bucket')) return base;
  }
  return name;
}

/** Skips spaces and tabs; true if it skipped any. */
function skipBlanks(cursor: Cursor): boolean {
  const start = cursor.at;
  while (cursor.text[cursor.at] === ' ' || cursor.text[cursor.at] === '\t') cursor.at++;
  return cursor.at > start;
}

function readUntilBlank(cursor: Cursor): string {
  const start = cursor.at;
  while (cursor.at < cursor.text.length && cursor.text[cursor.at] !== ' ' && cursor.text[cursor.at] !== '\t') cursor.at++;
  return cursor.text.slice(start, cursor.at);
}

/** `name{labels} value [timestamp]`. */
function readSample(cursor: Cursor): ParsedSample {
  const { text, lineNo } = cursor;
  const name = readToken(cursor, SAMPLE_NAME);
  if (name === undefined) throw lineError(lineNo, `expected a metric name at the start of ${JSON.stringify(text.slice(cursor.at))}`);
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  let blank = skipBlanks(cursor);
  if (text[cursor.at] === '{') {
    cursor.at++;
    skipBlanks(cursor);
    while (text[cursor.at] !== '}') {
      const label = readToken(cursor, LABEL_TOKEN);
      if (label === undefined) throw lineError(lineNo, `expected a label name at column ${cursor.at + 1}`);
      if (Object.hasOwn(labels, label)) throw lineError(lineNo, `label ${label} given twice`);
      skipBlanks(cursor);
      if (text[cursor.at] !== '=') throw lineError(lineNo, `expected = after label ${label}`);
      cursor.at++;
      skipBlanks(cursor);
      if (text[cursor.at] !== '"') throw lineError(lineNo, `expected a quoted value for label ${label}`);
      cursor.at++;
      const start = cursor.at;
      while (cursor.at < text.length && text[cursor.at] !== '"') cursor.at += text[cursor.at] === '\\' ? 2 : 1;
      if (cursor.at >= text.length) throw lineError(lineNo, `unterminated value for label ${label}`);
      labels[label] = unescapeValue(cursor, text.slice(start, cursor.at), true);
      cursor.at++;
      skipBlanks(cursor);
      if (text[cursor.at] === ',') {
        cursor.at++;
        skipBlanks(cursor);
      } else if (text[cursor.at] !== '}') {
        throw lineError(lineNo, `expected , or } after label ${label}`);
      }
    }
    cursor.at++;
    blank = skipBlanks(cursor);
  }
  if (!blank || cursor.at === text.length) throw lineError(lineNo, `expected a space and a value after ${name}`);
  cursor.valueStart = cursor.at;
  const value = parseNumber(cursor, readUntilBlank(cursor), 'value');
  skipBlanks(cursor);
  if (cursor.at < text.length) {
    const timestamp = readUntilBlank(cursor);
    if (!TIMESTAMP.test(timestamp)) throw lineError(lineNo, `invalid timestamp ${JSON.stringify(timestamp)}`);
    skipBlanks(cursor);
    if (cursor.at < text.length) throw lineError(lineNo, `unexpected ${JSON.stringify(text.slice(cursor.at))} after the timestamp`);
  }
  return { name, labels: { ...labels }, value };
}

/** Reads a token matching the sticky `pattern` at the cursor, or undefined. */
function readToken(cursor: Cursor, pattern: RegExp): string | undefined {
  pattern.lastIndex = cursor.at;
  const match = pattern.exec(cursor.text);
  if (match === null) return undefined;
  cursor.at += match[0].length;
  return match[0];
}

function parseNumber(cursor: Cursor, token: string, what: string): number {
  if (DECIMAL.test(token)) return Number(token);
  const special = SPECIAL.exec(token);
  if (special !== null) return special[2] === undefined ? NaN : special[1] === '-' ? -Infinity : Infinity;
  throw lineError(cursor.lineNo, `invalid ${what} ${JSON.stringify(token)}`);
}

/** Undoes `\\`, `\n` and (in label values) `\"`; any other escape is an error. */
function unescapeValue(cursor: Cursor, raw: string, quotes: boolean): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = raw[++i];
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else if (next === '"' && quotes) out += '"';
    else throw lineError(cursor.lineNo, `invalid escape sequence \\${next ?? ''}`);
  }
  return out;
}
