/**
 * The JSON Schema (draft 2020-12) of a pipeline config file, generated from
 * the same field tables the parser reads (`eddy config --schema`). Editors
 * use it for completion, hover text and checks: point the file's `$schema`
 * at a saved copy, or map file names to it in the editor's settings.
 *
 * The schema says what each field takes (kind, range, choices, required,
 * no unknown fields); the rules between fields (a slide at most its window,
 * SASL settings with a SASL protocol…) are the parser's alone, so a file
 * the schema accepts can still be refused by `eddy config --check`.
 */
import { jsonTypes, type Field, type Item, type Json, type Table } from './fieldTable.js';
import { PIPELINE_FIELDS } from './pipelineConfig.js';

/** A JSON Schema object. */
export type JsonSchema = { [keyword: string]: Json };

/** What parseDuration reads: `<number> <unit>` parts ('1h30m', '5 minutes'), or a number of milliseconds as text. */
const DURATION_PATTERN = '^\\s*(?:(?:\\d+(?:\\.\\d+)?\\s*[A-Za-z]+\\s*)+|\\d+(?:\\.\\d+)?\\s*)$';

function durationSchema(types: readonly string[]): JsonSchema {
  const branches: JsonSchema[] = [
    ...(types.includes('string') ? [{ type: 'string', pattern: DURATION_PATTERN }] : []),
    ...(types.includes('number') ? [{ type: 'number', minimum: 0 }] : []),
  ];
  return branches.length === 1 ? branches[0]! : { anyOf: branches };
}

/** The schema of an object with a table's fields (and `extra` properties first, e.g. a variant's `type`). */
function objectSchema(table: Table, defs: Record<string, JsonSchema>, extra: Record<string, JsonSchema> = {}): JsonSchema {
  const properties: Record<string, JsonSchema> = { ...extra };
  for (const f of table) properties[f.name] = fieldSchema(f, defs);
  const required = [...Object.keys(extra), ...table.filter((f) => f.required).map((f) => f.name)];
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false };
}

/** A field's schema with its description and default. */
function fieldSchema(f: Field, defs: Record<string, JsonSchema>): JsonSchema {
  const notes = [
    f.description,
    ...(f.defaultText !== undefined ? [`Default: ${f.defaultText}.`] : []),
    ...(f.ignored !== undefined ? [`Accepted and ignored: ${f.ignored.replace(/; the field is ignored$/, '')}.`] : []),
  ];
  return { description: notes.join(' '), ...(f.default !== undefined ? { default: f.default } : {}), ...itemSchema(f, defs) };
}

/** The schema of a value of a kind; `types` narrows a oneOf's option to the JSON types no earlier option took. */
function itemSchema(item: Item, defs: Record<string, JsonSchema>, types: readonly string[] = jsonTypes(item)): JsonSchema {
  if (item.def !== undefined) {
    const { def, ...rest } = item;
    defs[def] ??= itemSchema(rest as Item, defs, types);
    return { $ref: `#/$defs/${def}` };
  }
  return { ...kindSchema(item, defs, types), ...(item.schema ?? {}) };
}

function kindSchema(item: Item, defs: Record<string, JsonSchema>, types: readonly string[]): JsonSchema {
  switch (item.kind) {
    case 'string':
      return { type: 'string', minLength: 1, ...(item.pattern ? { pattern: item.pattern.source } : {}) };
    case 'number':
    case 'integer':
      return {
        type: item.kind,
        ...(item.min !== undefined ? { minimum: item.min } : {}),
        ...(item.above !== undefined ? { exclusiveMinimum: item.above } : {}),
        ...(item.max !== undefined ? { maximum: item.max } : {}),
      };
    case 'boolean':
      return { type: 'boolean' };
    case 'enum':
      return { type: 'string', enum: [...item.choices, ...(item.synonyms ?? [])] };
    case 'duration':
      return durationSchema(types);
    case 'array':
      return { type: 'array', items: itemSchema(item.items, defs), ...(item.allowEmpty ? {} : { minItems: 1 }) };
    case 'object':
      return { type: 'object', additionalProperties: itemSchema(item.values, defs) };
    case 'section':
      return objectSchema(item.fields, defs);
    case 'variants': {
      // types sharing a table (http, ws) share a branch
      const groups = new Map<Table, string[]>();
      for (const [type, table] of Object.entries(item.variants)) groups.set(table, [...(groups.get(table) ?? []), type]);
      const typeSchema = (names: string[]): JsonSchema => (names.length === 1 ? { const: names[0]! } : { enum: names });
      return {
        type: 'object',
        properties: { type: { enum: Object.keys(item.variants) } },
        required: ['type'],
        oneOf: [...groups].map(([table, names]) => objectSchema([...(item.common ?? []), ...table], defs, { type: typeSchema(names) })),
      };
    }
    case 'oneOf': {
      // the parser picks the first option taking the value's JSON type: later options only get the types left
      const claimed = new Set<string>();
      const branches: JsonSchema[] = [];
      for (const option of item.options) {
        const left = jsonTypes(option).filter((t) => !claimed.has(t));
        for (const t of left) claimed.add(t);
        if (left.length > 0) branches.push(itemSchema(option, defs, left));
      }
      return { anyOf: branches };
    }
  }
}

/** The JSON Schema of a pipeline config file. */
export function configJsonSchema(): JsonSchema {
  const defs: Record<string, JsonSchema> = {};
  const root = objectSchema(PIPELINE_FIELDS, defs);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'eddy pipeline config',
    description: 'A pipeline for eddy run / eddy serve --config. Generated from the field tables of src/config/ (eddy config --schema).',
    ...root,
    $defs: defs,
  };
}
