/**
 * The JSON Schema of config files (`eddy config --schema`) comes from the
 * parser's field tables: every field of every table is in it, the built-in
 * and golden configs validate, unknown keys and wrong kinds do not, and a
 * config the parser accepts is one the schema accepts (checked over
 * single-field mutations of a few full configs). The validator here is a
 * small one written for the keywords the generator uses — no library.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configJsonSchema, type JsonSchema } from '../../src/config/configSchema.js';
import { PIPELINE_FIELDS, parsePipelineConfig } from '../../src/config/pipelineConfig.js';
import type { Item, Table } from '../../src/config/fieldTable.js';
import { DEFAULT_CONFIG } from '../../src/cli/defaultConfig.js';
import { DEMO_CONFIG } from '../../src/cli/demoCommand.js';
import { DEFAULT_SERVE_CONFIG } from '../../src/server/defaultServeConfig.js';

const schema = configJsonSchema();

/** Where `value` breaks `s` (empty: valid), for the keywords configJsonSchema writes. */
function check(s: JsonSchema, value: unknown, path = '$'): string[] {
  if (typeof s.$ref === 'string') return check((schema.$defs as JsonSchema)[s.$ref.replace('#/$defs/', '')] as JsonSchema, value, path);
  const errors: string[] = [];
  const fail = (why: string) => errors.push(`${path}: ${why}`);
  const type = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  if (s.type !== undefined) {
    const ok = s.type === 'integer' ? Number.isInteger(value) : s.type === 'number' ? typeof value === 'number' && Number.isFinite(value) : s.type === type;
    if (!ok) return [`${path}: not ${String(s.type)}`];
  }
  if (Array.isArray(s.enum) && !s.enum.includes(value as never)) fail(`not in ${JSON.stringify(s.enum)}`);
  if ('const' in s && s.const !== value) fail(`not ${JSON.stringify(s.const)}`);
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) fail(`< ${s.minimum}`);
    if (typeof s.maximum === 'number' && value > s.maximum) fail(`> ${s.maximum}`);
    if (typeof s.exclusiveMinimum === 'number' && !(value > s.exclusiveMinimum)) fail(`≤ ${s.exclusiveMinimum}`);
  }
  if (typeof value === 'string') {
    if (typeof s.minLength === 'number' && value.length < s.minLength) fail('too short');
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value)) fail(`does not match ${s.pattern}`);
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) fail('too few items');
    if (s.items !== undefined) for (const [i, v] of value.entries()) errors.push(...check(s.items as JsonSchema, v, `${path}[${i}]`));
  }
  if (type === 'object') {
    const o = value as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, JsonSchema>;
    for (const r of (s.required ?? []) as string[]) if (!(r in o)) fail(`missing ${r}`);
    for (const [k, v] of Object.entries(o)) {
      if (k in props) errors.push(...check(props[k]!, v, `${path}.${k}`));
      else if (s.additionalProperties === false) fail(`unknown ${k}`);
      else if (typeof s.additionalProperties === 'object') errors.push(...check(s.additionalProperties as JsonSchema, v, `${path}.${k}`));
    }
  }
  if (Array.isArray(s.anyOf) && !s.anyOf.some((b) => check(b as JsonSchema, value, path).length === 0)) fail('matches no anyOf branch');
  if (Array.isArray(s.oneOf)) {
    const matching = s.oneOf.filter((b) => check(b as JsonSchema, value, path).length === 0).length;
    if (matching !== 1) fail(`matches ${matching} oneOf branches: ${s.oneOf.map((b) => check(b as JsonSchema, value, path).join(', ')).join(' | ')}`);
  }
  return errors;
}

const BUILTIN = fileURLToPath(new URL('../../src/config/builtin/', import.meta.url));
const builtinConfigs = readdirSync(BUILTIN)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(BUILTIN + f, 'utf8')) as unknown);
const GOLDEN = fileURLToPath(new URL('../golden/', import.meta.url));
const goldenConfigs = readdirSync(GOLDEN)
  .filter((f) => f.endsWith('.config.json'))
  .map((f) => ({ ...(JSON.parse(readFileSync(GOLDEN + f, 'utf8')) as object), source: { type: 'stdin' }, sink: { type: 'console' } }));

/** Full configs touching every section and source/sink type. */
const FULL: unknown[] = [
  {
    $schema: './eddy.schema.json',
    name: 'n',
    type_column: 'kind',
    timestamp_column: 'ts',
    value_column: 'v',
    grouping_columns: ['metric', 'host'],
    source: { type: 'file', path: 'events.csv', format: 'csv', speed: 2, schema: { ts: 'timestamp', metric: 'string', v: 'double' } },
    processing: {
      window_size: '5 minutes',
      slide_duration: '1 minute',
      watermark_delay: 0,
      allowed_lateness: '1 s',
      output_mode: 'append',
      aggregations: ['avg', 'mean', 'count'],
      batch_size: 100,
      flush_on_stop: false,
      flush_at_end: false,
      anomaly_threshold: 2,
      anomalies: { rows: 5, threshold: 3, score: false, on: 'max' },
      forecast: { alpha: 0.5, beta: 0.2, gamma: 0.1, horizon: 3, season: '1 hour', season_slots: 4 },
      patterns: { sequence: ['A -> B -> C'], threshold: { critical: { upper: 100 }, warning: { upper: 80, lower: 20 } } },
      checkpoint_location: 'cp',
      checkpoint_interval: '1 s',
      checkpoint_every_batches: 2,
      checkpoint_keep: 4,
    },
    sink: { type: 'memory', queryName: 'results', max_rows: 5, batch_size: 3, retry_attempts: 1, write_mode: 'append' },
    late_sink: { type: 'file', path: 'late.csv', format: 'csv', append: true },
    dead_letter: 'bad.ndjson',
    matches_sink: { type: 'console' },
  },
  {
    source: {
      type: 'generator',
      keys: 8,
      seed: 3,
      start: '2024-01-01T00:00:00Z',
      rate: 'max',
      limit: 10,
      season: '1 day',
      noise: 0.1,
      step: '1 s',
      jitter: 20,
      late_rate: 0.1,
      late_by: '10 minutes',
      anomaly_rate: 0.002,
      anomaly_magnitude: 3,
    },
    processing: { forecast: { season: 12 }, anomalies: { time: '1 hour', max_rows: 100 }, flush_on_stop: true },
    sink: { type: 'memory', query_name: 'eddy' },
    window_size: '1 minute',
    slide_duration: '10 s',
  },
  {
    source: { type: 'ws', host: '0.0.0.0', port: 80, token: 't', max_body_bytes: 2048, max_line_chars: 100, max_queued_events: 10, cors_origin: '*' },
    sink: { type: 'console', write_mode: 'update' },
  },
  {
    source: {
      type: 'kafka',
      'bootstrap.servers': 'a:1, b:2',
      topics: ['t'],
      'group.id': 'g',
      'auto.offset.reset': 'earliest',
      'enable.auto.commit': false,
      key: 'message',
      time: 'message',
      'client.id': 'c',
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'SCRAM-SHA-256',
      'sasl.username': 'u',
      'sasl.password': 'p',
    },
    processing: { max_offsets_per_trigger: 10000, checkpoint_location: 'cp' },
    sink: { type: 'kafka', servers: ['a:1'], topic: 'o', 'client.id': 'x', acks: 'all', 'security.protocol': 'SSL' },
    dead_letter: { type: 'kafka', 'bootstrap.servers': 'a:1', topic: 'dl', acks: -1 },
  },
  {
    source: { type: 'kafka', servers: 'a:1', topic: 't' },
    sink: { type: 'file', path: 'o.csv' },
    processing: { patterns: { sequence: ['A -> B within 5m'] } },
  },
  { source: { type: 'stdin', format: 'ndjson' }, sink: { type: 'console' }, grouping_columns: [] },
];

const accepted = (doc: unknown): boolean => {
  try {
    parsePipelineConfig(doc);
    return true;
  } catch {
    return false;
  }
};

/** Every field path of a table, with the schema it must have there: `[path, schema]`. */
function fieldsIn(table: Table, s: JsonSchema, path: string): [string, JsonSchema | undefined][] {
  const props = (s.properties ?? {}) as Record<string, JsonSchema>;
  return table.flatMap((f) => [[`${path}${f.name}`, props[f.name]] as [string, JsonSchema | undefined], ...nested(f, props[f.name], `${path}${f.name}`)]);
}
const resolve = (s: JsonSchema | undefined): JsonSchema | undefined =>
  typeof s?.$ref === 'string' ? ((schema.$defs as JsonSchema)[s.$ref.replace('#/$defs/', '')] as JsonSchema) : s;
function nested(item: Item, s: JsonSchema | undefined, path: string): [string, JsonSchema | undefined][] {
  const r = resolve(s);
  if (r === undefined) return [];
  switch (item.kind) {
    case 'section':
      return fieldsIn(item.fields, r, `${path}.`);
    case 'object':
      return nested(item.values, r.additionalProperties as JsonSchema, `${path}.<${item.keyName}>`);
    case 'array':
      return nested(item.items, r.items as JsonSchema, `${path}[]`);
    case 'oneOf':
      return item.options.flatMap((o) =>
        nested(
          o,
          (r.anyOf as JsonSchema[]).find((b) => resolve(b)?.type === 'object' || resolve(b)?.oneOf),
          path,
        ),
      );
    case 'variants':
      return Object.entries(item.variants).flatMap(([type, table]) => {
        const branch = (r.oneOf as JsonSchema[]).find((b) => {
          const t = (b.properties as Record<string, JsonSchema>).type!;
          return t.const === type || (Array.isArray(t.enum) && t.enum.includes(type));
        });
        return branch ? fieldsIn([...(item.common ?? []), ...table], branch, `${path}(${type}).`) : [[`${path}(${type})`, undefined]];
      });
    default:
      return [];
  }
}

describe('configJsonSchema', () => {
  it('is JSON, draft 2020-12, with a description for every field', () => {
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const paths = fieldsIn(PIPELINE_FIELDS, schema, '');
    expect(paths.length).toBeGreaterThan(100);
    expect(paths.filter(([, s]) => s === undefined).map(([p]) => p)).toEqual([]);
    expect(paths.filter(([, s]) => typeof s?.description !== 'string' || s.description === '').map(([p]) => p)).toEqual([]);
    expect(paths.map(([p]) => p)).toEqual(
      expect.arrayContaining([
        'source(kafka).sasl.password',
        'processing.patterns.threshold.<name>.upper',
        'dead_letter(memory).max_rows',
        'sink(file).append',
      ]),
    );
  });

  it('accepts the built-in, golden and full configs', () => {
    expect(builtinConfigs.length).toBe(3);
    for (const doc of [...builtinConfigs, DEFAULT_CONFIG, DEMO_CONFIG, DEFAULT_SERVE_CONFIG, ...goldenConfigs, ...FULL]) {
      expect(accepted(doc), JSON.stringify(doc)).toBe(true);
      expect(check(schema, doc), JSON.stringify(doc)).toEqual([]);
    }
  });

  it('refuses unknown keys, wrong kinds, out-of-range values and missing required fields', () => {
    const base = { source: { type: 'stdin' }, sink: { type: 'console' } };
    for (const doc of [
      { ...base, colour: 'blue' },
      { ...base, source: { type: 'stdin', speed: 2 } },
      { ...base, processing: { window_sise: '1m' } },
      { ...base, processing: { anomalies: { rowz: 3 } } },
      { ...base, sink: { type: 'memory', maxRows: 3 } },
      { ...base, processing: { window_size: '5 minuts!' } },
      { ...base, processing: { batch_size: 0 } },
      { ...base, processing: { forecast: { alpha: 0 } } },
      { ...base, processing: { aggregations: ['median'] } },
      { ...base, processing: { output_mode: 'complete' } },
      { ...base, source: { type: 'ftp' } },
      { ...base, source: { type: 'file' } },
      { source: { type: 'stdin' } },
      { ...base, grouping_columns: 'metric' },
      { ...base, source: { type: 'kafka', servers: 'localhost', topic: 't' } },
      { ...base, source: { type: 'kafka', servers: 'a:1', topic: 't', 'enable.auto.commit': true } },
      { ...base, sink: { type: 'kafka', servers: 'a:1', topic: 't', acks: 1 } },
      { ...base, dead_letter: 5 },
    ]) {
      expect(accepted(doc), JSON.stringify(doc)).toBe(false);
      expect(check(schema, doc), JSON.stringify(doc)).not.toEqual([]);
    }
  });

  it('accepts every config the parser accepts (single-field mutations of full configs)', () => {
    const values: unknown[] = [
      0,
      -1,
      1,
      2,
      1.5,
      70_000,
      'x',
      '',
      '5 minutes',
      '1h30m',
      ' 250 ',
      true,
      false,
      null,
      [],
      ['a'],
      ['a:1'],
      {},
      { type: 'console' },
      'max',
      'all',
      'SSL',
      'update',
      'a:1,b:2',
    ];
    const paths = (o: unknown, prefix: string[] = []): string[][] =>
      typeof o !== 'object' || o === null || Array.isArray(o) ? [] : Object.entries(o).flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]);
    const withValue = (doc: unknown, path: string[], v: unknown): unknown => {
      const copy = structuredClone(doc) as Record<string, unknown>;
      let o = copy;
      for (const k of path.slice(0, -1)) o = o[k] as Record<string, unknown>;
      o[path.at(-1)!] = v;
      return copy;
    };
    let acceptedCount = 0;
    for (const doc of FULL) {
      for (const path of paths(doc)) {
        for (const v of values) {
          const mutated = withValue(doc, path, v);
          if (!accepted(mutated)) continue;
          acceptedCount++;
          expect(check(schema, mutated), JSON.stringify(mutated)).toEqual([]);
        }
      }
    }
    expect(acceptedCount).toBeGreaterThan(400);
  });
});
