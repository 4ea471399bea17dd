/**
 * docs/config-reference.md is generated from the config's field tables
 * (`eddy config --reference`): the checked-in file is exactly what the
 * tables give, so it cannot drift from what the parser accepts.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { configReference } from '../../src/config/configReference.js';
import { PIPELINE_FIELDS } from '../../src/config/pipelineConfig.js';
import type { Item, Table } from '../../src/config/fieldTable.js';

const FILE = new URL('../../docs/config-reference.md', import.meta.url);

/** Every field name of every table below `table`. */
function names(table: Table): string[] {
  const of = (item: Item): string[] => {
    switch (item.kind) {
      case 'section':
        return names(item.fields);
      case 'variants':
        return [...names(item.common ?? []), ...Object.values(item.variants).flatMap(names)];
      case 'object':
        return of(item.values);
      case 'array':
        return of(item.items);
      case 'oneOf':
        return item.options.flatMap(of);
      default:
        return [];
    }
  };
  return table.flatMap((f) => [f.name, ...of(f)]);
}

describe('docs/config-reference.md', () => {
  it('is what the field tables generate (regenerate: npm run docs:config)', () => {
    expect(readFileSync(FILE, 'utf8'), 'docs/config-reference.md is stale: run npm run docs:config').toBe(configReference());
  });

  it('has a row for every field of every table', () => {
    const text = configReference();
    for (const name of new Set(names(PIPELINE_FIELDS))) {
      if (name === '$schema') expect(text).toContain('`$schema`: ');
      else expect(text, name).toContain(`| \`${name}\` |`);
    }
  });
});
