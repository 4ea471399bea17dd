/**
 * The config reference (docs/config-reference.md), generated from the field
 * tables the parser reads: `eddy config --reference`, or `npm run
 * docs:config` to rewrite the checked-in file (a test fails when it differs).
 */
import { expectedText, type Field, type Item, type Table } from './fieldTable.js';
import { PIPELINE_FIELDS } from './pipelineConfig.js';

/** A heading's anchor as GitHub makes it. */
const anchor = (heading: string): string =>
  heading
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');

const cell = (text: string): string => text.replace(/\|/g, '\\|');
const list = (items: string[]): string => (items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : items.join(''));
const code = (text: string): string => `\`${text}\``;

/** A subsection of the reference: a heading, a sentence, and a table (or tables). */
interface Part {
  heading: string;
  text: () => string[];
  tables: { caption?: string; fields: Table; path: string }[];
}

/** Where a field's own subsection is (its heading), for links in the type column. */
type Links = Map<Item, string>;

function typeText(item: Item, links: Links): string {
  const link = links.get(item) ?? (item.def !== undefined ? links.get(DEFS.get(item.def)!.item) : undefined);
  if (item.schema?.const !== undefined) return JSON.stringify(item.schema.const);
  switch (item.kind) {
    case 'string':
      return item.pattern && item.expected ? item.expected : 'string';
    case 'number':
    case 'integer':
      if (item.min !== undefined && item.min === item.max) return String(item.min);
      return expectedText({ ...item, expected: undefined } as Item).replace(/^an? /, '');
    case 'boolean':
      return 'true or false';
    case 'enum':
      return [item.choices.map((c) => `"${c}"`).join(' | '), ...(item.synonyms ? [` (also ${item.synonyms.map((c) => `"${c}"`).join(', ')})`] : [])].join('');
    case 'duration':
      return 'duration';
    case 'array':
      return `[${typeText(item.items, links)}]${item.allowEmpty ? ', may be empty' : ''}`;
    case 'object':
      return `{ "<${item.keyName}>": ${typeText(item.values, links)} }`;
    case 'section':
      return link ? `object, see [${link.replace(/`/g, '')}](#${anchor(link)})` : 'object';
    case 'variants':
      return link ? `${item.def ?? 'object'}, see [${link.replace(/`/g, '')}](#${anchor(link)})` : 'object';
    case 'oneOf':
      return item.options.map((o) => typeText(o, links)).join(' or ');
  }
}

function defaultText(f: Field): string {
  if (f.required) return '**required**';
  if (f.default !== undefined) return code(JSON.stringify(f.default));
  if (f.defaultText !== undefined) return f.defaultText;
  if (f.aliasOf !== undefined) return `= ${code(f.aliasOf)}`;
  return '—';
}

function table(fields: Table, links: Links): string[] {
  if (fields.length === 0) return ['No fields besides `type`.'];
  return [
    '| field | type | default | description |',
    '|---|---|---|---|',
    ...fields.map((f) => `| ${code(f.name)} | ${cell(typeText(f, links))} | ${cell(defaultText(f))} | ${cell(f.description)} |`),
  ];
}

/** Shared sections by name (`sink`): the first item that has it, and the paths of the fields that take it. */
const DEFS = new Map<string, { item: Item; users: string[] }>();

/** The sections below a table: each field that holds a section (or variants) gets a part after the table's. */
function partsBelow(fields: Table, path: string, parts: Part[], links: Links): void {
  for (const f of fields) sectionsOf(f, `${path}${f.name}`, parts, links);
}

function sectionsOf(item: Item, path: string, parts: Part[], links: Links): void {
  if (item.def !== undefined) {
    const known = DEFS.get(item.def);
    if (known) {
      if (!known.users.includes(path)) known.users.push(path);
      return;
    }
    DEFS.set(item.def, { item, users: [path] });
  }
  switch (item.kind) {
    case 'section': {
      const heading = code(path);
      links.set(item, heading);
      parts.push({ heading, text: () => [], tables: [{ fields: item.fields, path }] });
      partsBelow(item.fields, `${path}.`, parts, links);
      return;
    }
    case 'variants': {
      const def = item.def !== undefined ? DEFS.get(item.def) : undefined;
      const heading = def ? `${item.def![0]!.toUpperCase()}${item.def!.slice(1)}s` : code(path);
      links.set(item, heading);
      const groups = new Map<Table, string[]>();
      for (const [type, t] of Object.entries(item.variants)) groups.set(t, [...(groups.get(t) ?? []), type]);
      const types = Object.keys(item.variants)
        .map((t) => code(`"${t}"`))
        .join(', ');
      parts.push({
        heading,
        text: () => [
          ...(def
            ? [
                `${list(def.users.map(code))} each take a ${item.def}: an object whose \`type\` (**required**: ${types}) picks its fields${item.common?.length ? '; every type takes these' : ''}:`,
              ]
            : [`An object whose \`type\` (**required**: ${types}) picks its fields${item.common?.length ? '; every type takes these' : ''}:`]),
        ],
        tables: [
          ...(item.common?.length ? [{ fields: item.common, path }] : []),
          ...[...groups].map(([t, names]) => ({ caption: `\`type\`: ${names.map((n) => code(`"${n}"`)).join(' or ')}`, fields: t, path })),
        ],
      });
      for (const t of [...(item.common ? [item.common] : []), ...groups.keys()]) partsBelow(t, `${path}.`, parts, links);
      return;
    }
    case 'object':
      sectionsOf(item.values, `${path}.<${item.keyName}>`, parts, links);
      return;
    case 'array':
      sectionsOf(item.items, `${path}[]`, parts, links);
      return;
    case 'oneOf':
      for (const o of item.options) sectionsOf(o, path, parts, links);
      return;
    default:
  }
}

/** Rules between fields: checked next to their tables, in code (see the section files). */
const RULES = [
  '`processing.slide_duration` (or the top-level `slide_duration`) is at least 1 ms and at most the window size; a window is whole milliseconds.',
  '`grouping_columns` may not hold the timestamp column.',
  '`processing.output_mode` `"update"` refuses anomalies, forecasts and threshold patterns (they need each window once).',
  '`processing.flush_on_stop` must be false with a Kafka source or with checkpoints (open windows stay in the checkpoint and close after a restart).',
  '`processing.checkpoint_location` is used by the resumable sources (Kafka, file); the others accept it and warn that they ignore it.',
  'A Kafka source needs `topics` or `topic`, and `bootstrap.servers` or `servers`; a Kafka sink needs `bootstrap.servers` or `servers`; `enable.auto.commit` can only be false.',
  '`sasl.*` need `security.protocol` `"SASL_PLAINTEXT"` or `"SASL_SSL"`, which need `sasl.username` and a password (`sasl.password` or `$EDDY_KAFKA_SASL_PASSWORD`).',
  "The sinks' `batch_size` and `retry_attempts` (seed fields) are accepted with a warning that they are ignored.",
];

/** The reference, as markdown. */
export function configReference(): string {
  DEFS.clear();
  const links: Links = new Map();
  const parts: Part[] = [];
  const top: Table = PIPELINE_FIELDS;
  partsBelow(PIPELINE_FIELDS, '', parts, links);
  const out: string[] = [
    '# Config reference',
    '',
    '<!-- Generated from the field tables in src/config/ by `eddy config --reference` (`npm run docs:config`); edit the tables, not this file. -->',
    '',
    'A pipeline config (`eddy run --config pipeline.json`, `eddy serve --config …`) is one JSON object: the',
    'top-level fields below, with the `source`, `processing` and sink sections. Durations are strings like',
    '`"5 minutes"`, `"10 s"`, `"1h30m"`, or numbers of milliseconds. A relative path resolves from the config',
    "file's folder. A field no table has is refused, naming the closest one; the first mistake stops the",
    'config with one message naming the field (exit code 2).',
    '',
    '`eddy config --check pipeline.json` validates a file; `eddy config --schema` prints the JSON Schema of',
    'the same tables, for an editor\'s completion and checks (point the file\'s `"$schema"` at a saved copy,',
    "or map file names to it in the editor's settings).",
    '',
    '## Top level',
    '',
    ...table(
      top.filter((f) => !f.unlisted),
      links,
    ),
    '',
    ...top.filter((f) => f.unlisted).map((f) => `${code(f.name)}: ${f.description}`),
  ];
  for (const p of parts) {
    out.push('', `${p.heading.includes('.') ? '###' : '##'} ${p.heading}`, '');
    const text = p.text();
    if (text.length > 0) out.push(...text, '');
    p.tables.forEach((t, i) => {
      if (i > 0) out.push('');
      if (t.caption !== undefined) out.push(`${t.caption}:`, '');
      out.push(...table(t.fields, links));
    });
  }
  out.push('', '## Rules between fields', '', ...RULES.map((r) => `- ${r}`), '');
  return out.join('\n');
}
