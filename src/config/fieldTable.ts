/**
 * The config's fields, described once as data. Each section of a config file
 * is a table of fields (name, kind, range, default, description, required);
 * from the tables come the validation (readSection: unknown keys refused with
 * a suggestion, kinds and ranges checked, defaults applied), the TypeScript
 * types of a config document (ConfigInput / ConfigValues), the JSON Schema
 * (configSchema.ts, `eddy config --schema`) and the config reference
 * (configReference.ts, docs/config-reference.md).
 *
 * A hand-written table rather than a schema library (TypeBox, valibot, zod):
 * the parser sits in the core path (the library entry `eddy` and every CLI
 * command load it), so it gains no dependency; its messages stay exactly
 * what they were, word for word (`source.keys: expected a whole number ≥ 1
 * and ≤ 10000000, got "many"`), where a library would word them its own way
 * or need a custom message per field; and the table is small (ten kinds,
 * about a hundred fields) — smaller than the adapter a library would need to
 * produce this reference and these messages.
 *
 * What is not tabular — rules between fields (a slide no longer than its
 * window, SASL settings that need a SASL protocol, flush_on_stop refused for
 * a Kafka source) — is a small explicit check next to the table that it
 * concerns, run on the values the table has validated.
 */
import { parseDuration, type Duration } from '../engine/duration.js';
import { ConfigError, describe, rejectUnknownKeys } from './configError.js';

/** A JSON value (defaults are written as the config file would write them). */
export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

/** What a value is. */
export type Kind =
  /** A non-empty string; with `pattern`, one that matches it (say what in `expected`). */
  | { readonly kind: 'string'; readonly pattern?: RegExp }
  /** A finite number within [min, max] (and > `above` when given); `integer`: a whole one. */
  | { readonly kind: 'number' | 'integer'; readonly min?: number; readonly max?: number; readonly above?: number }
  | { readonly kind: 'boolean' }
  /** One of `choices`; `synonyms` are accepted too but not offered in messages. */
  | { readonly kind: 'enum'; readonly choices: readonly string[]; readonly synonyms?: readonly string[] }
  /** '5 minutes', '10 s', '1h', or milliseconds; read as written (parseDuration gives milliseconds). */
  | { readonly kind: 'duration' }
  /** An array of `items` (non-empty unless `allowEmpty`). */
  | { readonly kind: 'array'; readonly items: Item; readonly allowEmpty?: boolean }
  /** An object of free keys (called `keyName` in the reference), each value an `values`. */
  | { readonly kind: 'object'; readonly values: Item; readonly keyName: string }
  /** An object with the fields of a table. */
  | { readonly kind: 'section'; readonly fields: Table }
  /** An object whose `type` picks its table (plus the `common` fields). */
  | { readonly kind: 'variants'; readonly variants: { readonly [type: string]: Table }; readonly common?: Table }
  /** Any of `options`, picked by the value's JSON type (the first option taking that type). */
  | { readonly kind: 'oneOf'; readonly options: readonly Item[] };

/** A kind, and how it is named when a value is wrong. */
export type Item = Kind & {
  /** What a wrong value gets told it should be, instead of the kind's wording (a oneOf's options inherit it). */
  readonly expected?: string;
  /** A section shared by several fields: its name in the schema's $defs and the reference's heading. */
  readonly def?: string;
  /** JSON Schema keywords added to the generated ones, where the schema can say more than the kind (e.g. `const`). */
  readonly schema?: { readonly [keyword: string]: Json };
};

/** One field of a section. */
export type Field = Item & {
  readonly name: string;
  /** One or two sentences for the reference and the schema. */
  readonly description: string;
  readonly required?: boolean;
  /** Applied when the field is absent (and validated as if written). */
  readonly default?: Json;
  /** The default in words, when the code works it out (from other fields) or a component owns it. */
  readonly defaultText?: string;
  /** Another name of that field of the same table: its value fills the field when the field is absent. */
  readonly aliasOf?: string;
  /** Accepted (and validated) but not acted on: the warning's text. */
  readonly ignored?: string;
  /** Accepted but not offered in unknown-field messages (`$schema`). */
  readonly unlisted?: boolean;
};

/** The fields of a section, in the order they are checked and listed. */
export type Table = readonly Field[];

/** Declares a table, keeping its literal types (names, kinds, choices) for ConfigInput / ConfigValues. */
export function fields<const T extends Table>(table: T): T {
  return table;
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** 'in': a document as written (defaults optional); 'out': as validated (defaults applied). */
type Mode = 'in' | 'out';

/** The TypeScript type of a value of kind K. */
export type ValueOf<K, M extends Mode> = K extends { kind: 'string' }
  ? string
  : K extends { kind: 'number' | 'integer' }
    ? number
    : K extends { kind: 'boolean' }
      ? boolean
      : K extends { kind: 'enum'; choices: readonly (infer C)[]; synonyms: readonly (infer S)[] }
        ? C | S
        : K extends { kind: 'enum'; choices: readonly (infer C)[] }
          ? C
          : K extends { kind: 'duration' }
            ? Duration
            : K extends { kind: 'array'; items: infer I }
              ? ValueOf<I, M>[]
              : K extends { kind: 'object'; values: infer V }
                ? Record<string, ValueOf<V, M>>
                : K extends { kind: 'section'; fields: infer T extends Table }
                  ? SectionOf<T, M>
                  : K extends { kind: 'variants'; variants: infer V }
                    ? VariantOf<V, K extends { common: infer C extends Table } ? C : [], M>
                    : K extends { kind: 'oneOf'; options: readonly (infer O)[] }
                      ? ValueOf<O, M>
                      : never;

type Present<F, M extends Mode> = F extends { required: true } ? true : M extends 'out' ? (F extends { default: Json } ? true : false) : false;

/** The object a table describes. */
export type SectionOf<T extends Table, M extends Mode> = Simplify<
  { -readonly [F in T[number] as Present<F, M> extends true ? F['name'] : never]: ValueOf<F, M> } & {
    -readonly [F in T[number] as Present<F, M> extends true ? never : F['name']]?: ValueOf<F, M>;
  }
>;

type VariantOf<V, C extends Table, M extends Mode> = {
  [K in keyof V & string]: V[K] extends Table ? Simplify<{ type: K } & SectionOf<C, M> & SectionOf<V[K], M>> : never;
}[keyof V & string];

/** A section as a config file writes it. */
export type ConfigInput<T extends Table> = SectionOf<T, 'in'>;
/** A section as readSection returns it: validated, defaults applied. */
export type ConfigValues<T extends Table> = SectionOf<T, 'out'>;

type Camel<S extends string> = S extends `${infer H}_${infer R}` ? `${H}${Capitalize<Camel<R>>}` : S;

/** A table's fields (aliases left out) under camelCase names, as the engine-facing configs name them. */
export type CamelOf<T extends Table> = Simplify<
  { -readonly [F in T[number] as F extends { aliasOf: string } ? never : Present<F, 'out'> extends true ? Camel<F['name']> : never]: ValueOf<F, 'out'> } & {
    -readonly [F in T[number] as F extends { aliasOf: string } ? never : Present<F, 'out'> extends true ? never : Camel<F['name']>]?: ValueOf<F, 'out'>;
  }
>;

/** The values of a table's fields (aliases left out, absent ones too) under camelCase names. */
export function camelOf<T extends Table>(table: T, values: Readonly<Record<string, unknown>>): CamelOf<T> {
  const out: Record<string, unknown> = {};
  for (const f of table) {
    if (f.aliasOf !== undefined || values[f.name] === undefined) continue;
    out[f.name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = values[f.name];
  }
  return out as CamelOf<T>;
}

/** What reading a config collects besides its values. */
export interface ReadContext {
  /** Fields accepted but not acted on, with why. */
  warnings: string[];
}

const DURATION = "a duration like '5 minutes', '10 s', '1h' or milliseconds";

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/** The numbers' wording of the messages: `a whole number ≥ 1 and ≤ 16777216`. */
function numberText(k: Extract<Kind, { kind: 'number' | 'integer' }>): string {
  const bounds = [
    ...(k.min !== undefined ? [`≥ ${k.min}`] : []),
    ...(k.above !== undefined ? [`> ${k.above}`] : []),
    ...(k.max !== undefined ? [`≤ ${k.max}`] : []),
  ];
  return `${k.kind === 'integer' ? 'a whole number' : 'a number'}${bounds.length > 0 ? ` ${bounds.join(' and ')}` : ''}`;
}

/** How a message names what a value of this kind should be. */
export function expectedText(item: Item): string {
  if (item.expected !== undefined) return item.expected;
  switch (item.kind) {
    case 'string':
      return 'a non-empty string';
    case 'number':
    case 'integer':
      return numberText(item);
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${item.choices.map((c) => `'${c}'`).join(', ')}`;
    case 'duration':
      return DURATION;
    case 'array': {
      const of = item.items.kind === 'string' || item.items.kind === 'enum' ? 'strings' : 'values';
      return `a${item.allowEmpty ? 'n' : ' non-empty'} array of ${of}`;
    }
    case 'object':
    case 'section':
    case 'variants':
      return 'an object';
    case 'oneOf':
      return item.options.map(expectedText).join(' or ');
  }
}

/** The JSON types a kind takes (a oneOf's options are picked by them). */
export function jsonTypes(item: Item): readonly string[] {
  switch (item.kind) {
    case 'string':
    case 'enum':
      return ['string'];
    case 'number':
    case 'integer':
      return ['number'];
    case 'boolean':
      return ['boolean'];
    case 'duration':
      return ['string', 'number'];
    case 'array':
      return ['array'];
    case 'object':
    case 'section':
    case 'variants':
      return ['object'];
    case 'oneOf':
      return item.options.flatMap(jsonTypes);
  }
}

function jsonTypeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value;
}

const fail = (item: Item, value: unknown, path: string): never => {
  throw new ConfigError(path || 'config', `expected ${expectedText(item)}, got ${describe(value)}`);
};

const isObject = (value: unknown): value is Record<string, unknown> => jsonTypeOf(value) === 'object';

/** Validates one value of a kind (`undefined` for a missing required one); returns it, sections with their defaults. */
export function readValue(item: Item, value: unknown, path: string, ctx: ReadContext): unknown {
  switch (item.kind) {
    case 'string':
      if (typeof value !== 'string' || value === '' || (item.pattern && !item.pattern.test(value))) fail(item, value, path);
      return value;
    case 'number':
    case 'integer': {
      const n = value as number;
      const ok =
        typeof value === 'number' &&
        Number.isFinite(n) &&
        (item.kind === 'number' || Number.isInteger(n)) &&
        (item.min === undefined || n >= item.min) &&
        (item.max === undefined || n <= item.max) &&
        (item.above === undefined || n > item.above);
      if (!ok) fail(item, value, path);
      return n;
    }
    case 'boolean':
      if (typeof value !== 'boolean') fail(item, value, path);
      return value;
    case 'enum':
      if (typeof value !== 'string' || !(item.choices.includes(value) || item.synonyms?.includes(value))) fail(item, value, path);
      return value;
    case 'duration':
      try {
        parseDuration(value as Duration, path);
      } catch {
        fail(item, value, path);
      }
      return value;
    case 'array':
      if (!Array.isArray(value) || (!item.allowEmpty && value.length === 0)) fail(item, value, path);
      return (value as unknown[]).map((v, i) => readValue(item.items, v, `${path}[${i}]`, ctx));
    case 'object':
      if (!isObject(value)) fail(item, value, path);
      return Object.fromEntries(Object.entries(value as object).map(([key, v]) => [key, readValue(item.values, v, join(path, key), ctx)]));
    case 'section':
      if (!isObject(value)) fail(item, value, path);
      return readFields(value as Record<string, unknown>, item.fields, path, ctx);
    case 'variants': {
      if (!isObject(value)) fail(item, value, path);
      const o = value as Record<string, unknown>;
      const types = Object.keys(item.variants);
      const type = readValue({ kind: 'enum', choices: types }, o.type, join(path, 'type'), ctx) as string;
      // a field of another type is named as such: "(… type 'generator' takes it)"
      const elsewhere = (key: string): string | undefined => {
        const takers = types.filter((t) => item.variants[t] !== item.variants[type] && item.variants[t]!.some((f) => f.name === key));
        if (takers.length === 0) return undefined;
        return `${takers.length > 1 ? 'types' : 'type'} ${takers.map((t) => `'${t}'`).join(', ')} ${takers.length > 1 ? 'take' : 'takes'} it`;
      };
      return { type, ...readFields(o, [...(item.common ?? []), ...item.variants[type]!], path, ctx, ['type'], elsewhere) };
    }
    case 'oneOf': {
      const type = jsonTypeOf(value);
      const option = item.options.find((o) => jsonTypes(o).includes(type));
      if (option === undefined) return fail(item, value, path);
      // the option words its own failures, or says what the oneOf says
      return readValue(option.expected === undefined && item.expected !== undefined ? { ...option, expected: item.expected } : option, value, path, ctx);
    }
  }
}

/**
 * Validates an object against a table: the first key the table does not
 * have is refused (with the closest name, or the other variants that take
 * it), then each field is checked in the table's order, then aliases fill
 * their fields and defaults the fields still absent. Returns the values.
 */
function readFields(
  o: Record<string, unknown>,
  table: Table,
  path: string,
  ctx: ReadContext,
  extra: readonly string[] = [],
  elsewhere?: (key: string) => string | undefined,
): Record<string, unknown> {
  rejectUnknownKeys(o, [...extra, ...table.filter((f) => !f.unlisted).map((f) => f.name)], path, {
    accepted: table.filter((f) => f.unlisted).map((f) => f.name),
    ...(elsewhere ? { elsewhere } : {}),
  });
  const out: Record<string, unknown> = {};
  for (const f of table) {
    const p = join(path, f.name);
    if (o[f.name] !== undefined) {
      out[f.name] = readValue(f, o[f.name], p, ctx);
      if (f.ignored !== undefined) ctx.warnings.push(`${p}: ${f.ignored}`);
    } else if (f.required) {
      readValue(f, undefined, p, ctx); // throws: "expected …, got nothing"
    }
  }
  for (const f of table) {
    if (f.aliasOf !== undefined && out[f.name] !== undefined && out[f.aliasOf] === undefined) out[f.aliasOf] = out[f.name];
  }
  for (const f of table) {
    if (out[f.name] === undefined && f.default !== undefined && f.aliasOf === undefined) {
      out[f.name] = readValue(f, structuredClone(f.default), join(path, f.name), ctx);
    }
  }
  return out;
}

/** Validates `value` as the section `table` describes, at `path` ('' for the document). */
export function readSection<const T extends Table>(value: unknown, table: T, path: string, ctx: ReadContext): ConfigValues<T> {
  return readValue({ kind: 'section', fields: table }, value, path, ctx) as ConfigValues<T>;
}
