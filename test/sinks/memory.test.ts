import { afterEach, describe, expect, it } from 'vitest';
import { memorySink } from '../../src/sinks/memory.js';
import { MemoryTable, createMemoryTable, dropMemoryTable, memoryTable, memoryTableNames } from '../../src/sinks/memoryTable.js';
import type { OutputSchema, ResultRecord } from '../../src/engine/sink.js';

const columns = ['window_start', 'window_end', 'metric', 'avg_value', 'count'];
const keyColumns = ['window_start', 'window_end', 'metric'];
const appendSchema: OutputSchema = { kind: 'windows', columns, mode: 'append', keyColumns };
const updateSchema: OutputSchema = { kind: 'windows', columns, mode: 'update', keyColumns };

function win(minute: number, metric: string, avg: number, count: number): ResultRecord {
  return {
    window: {
      start: new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString(),
      end: new Date(Date.UTC(2024, 0, 1, 0, minute + 5)).toISOString(),
    },
    metric,
    avg_value: avg,
    count,
  };
}

afterEach(() => {
  for (const name of memoryTableNames()) dropMemoryTable(name);
});

async function run(name: string, schema: OutputSchema, batches: ResultRecord[][], maxRows?: number): Promise<MemoryTable> {
  const sink = memorySink(name, maxRows === undefined ? {} : { maxRows });
  expect(memoryTable(name)).toBeUndefined();
  await sink.open(schema);
  for (const batch of batches) await sink.write(batch);
  await sink.flush();
  await sink.close();
  const table = memoryTable(name);
  if (!table) throw new Error('table not registered');
  return table;
}

describe('registry', () => {
  it('registers a table at open, lists names sorted, drops by name', async () => {
    const sink = memorySink('zeta');
    expect(sink.description).toBe('memory:zeta');
    expect(memoryTable('zeta')).toBeUndefined();
    await sink.open(appendSchema);
    expect(memoryTable('zeta')).toBeInstanceOf(MemoryTable);
    expect(memoryTable('zeta')?.name).toBe('zeta');
    await memorySink('alpha').open(appendSchema);
    expect(memoryTableNames()).toEqual(['alpha', 'zeta']);
    expect(dropMemoryTable('zeta')).toBe(true);
    expect(dropMemoryTable('zeta')).toBe(false);
    expect(memoryTableNames()).toEqual(['alpha']);
  });

  it('replaces a table of the same name when a sink opens again; the old sink keeps its own table', async () => {
    const first = memorySink('results');
    await first.open(appendSchema);
    await first.write([win(0, 'cpu', 1, 1)]);
    const oldTable = memoryTable('results');
    const second = memorySink('results');
    await second.open(appendSchema);
    const fresh = memoryTable('results');
    expect(fresh).not.toBe(oldTable);
    expect(fresh?.count).toBe(0);
    await first.write([win(5, 'cpu', 2, 1)]);
    expect(oldTable?.count).toBe(2);
    expect(fresh?.count).toBe(0);
  });

  it('rejects bad names and maxRows, and write before open', () => {
    expect(() => memorySink('')).toThrow(TypeError);
    expect(() => memorySink('t', { maxRows: 0 })).toThrow(RangeError);
    expect(() => memorySink('t', { maxRows: 2.5 })).toThrow(RangeError);
    expect(() => memorySink('t').write([{ a: 1 }])).toThrow(/before open/);
  });
});

describe('append mode', () => {
  it('keeps every record in arrival order; rows() is a copy', async () => {
    const records = [win(0, 'cpu', 1, 1), win(0, 'mem', 5, 1), win(0, 'cpu', 1.5, 2)];
    const table = await run('t', appendSchema, [records.slice(0, 2), records.slice(2)]);
    expect(table.count).toBe(3);
    expect(table.rows()).toEqual(records);
    const rows = table.rows();
    rows.pop();
    expect(table.count).toBe(3);
  });

  it('stores frozen copies, unaffected by later mutation of the inputs', async () => {
    const record = win(0, 'cpu', 1, 1);
    const table = await run('t', appendSchema, [[record]]);
    record.metric = 'changed';
    (record.window as { start: string }).start = 'changed';
    expect(table.rows()[0]?.metric).toBe('cpu');
    expect(table.select('window_start')[0]).toEqual({ window_start: '2024-01-01T00:00:00.000Z' });
    expect(Object.isFrozen(table.rows()[0])).toBe(true);
  });

  it('where filters records as written', async () => {
    const table = await run('t', appendSchema, [[win(0, 'cpu', 1, 1), win(0, 'mem', 5, 1), win(5, 'cpu', 2, 3)]]);
    expect(table.where((r) => r.metric === 'cpu').map((r) => r.avg_value)).toEqual([1, 2]);
    expect(table.where((r) => (r.window as { start: string }).start.endsWith('05:00.000Z'))).toHaveLength(1);
    expect(table.where((_r, i) => i === 1)).toEqual([win(0, 'mem', 5, 1)]);
  });

  it('select returns flat objects with the named columns in order; no columns means all', async () => {
    const table = await run('t', appendSchema, [[win(0, 'cpu', 1, 1)]]);
    const [selected] = table.select('metric', 'window_end');
    expect(selected).toEqual({ metric: 'cpu', window_end: '2024-01-01T00:05:00.000Z' });
    expect(Object.keys(selected ?? {})).toEqual(['metric', 'window_end']);
    expect(table.select()).toEqual([
      { window_start: '2024-01-01T00:00:00.000Z', window_end: '2024-01-01T00:05:00.000Z', metric: 'cpu', avg_value: 1, count: 1 },
    ]);
    expect(() => table.select('metrc')).toThrow(/no column "metrc"; columns are window_start/);
  });

  it('latest keeps the last record per key, in order of first arrival', async () => {
    const table = await run('t', appendSchema, [
      [win(0, 'cpu', 1, 1), win(0, 'mem', 5, 1)],
      [win(0, 'cpu', 1.5, 2), win(5, 'cpu', 7, 1)],
    ]);
    expect(table.count).toBe(4);
    expect(table.latest()).toEqual([win(0, 'cpu', 1.5, 2), win(0, 'mem', 5, 1), win(5, 'cpu', 7, 1)]);
  });

  it('latest without key columns returns every row', async () => {
    const table = await run('t', { kind: 'late', columns: ['timestamp', 'metric', 'value'] }, [
      [
        { timestamp: '2024-01-01T00:00:03.000Z', metric: 'cpu', value: 3.2 },
        { timestamp: '2024-01-01T00:00:03.000Z', metric: 'cpu', value: 3.2 },
      ],
    ]);
    expect(table.latest()).toHaveLength(2);
  });
});

describe('update mode', () => {
  it('upserts by key columns, keeping each row at its first position', async () => {
    const table = await run('t', updateSchema, [
      [win(0, 'cpu', 1, 1), win(0, 'mem', 5, 1)],
      [win(0, 'cpu', 1.5, 2)],
      [win(5, 'cpu', 7, 1), win(0, 'cpu', 2, 3)],
    ]);
    expect(table.count).toBe(3);
    expect(table.rows()).toEqual([win(0, 'cpu', 2, 3), win(0, 'mem', 5, 1), win(5, 'cpu', 7, 1)]);
    expect(table.latest()).toEqual(table.rows());
    expect(table.dropped).toBe(0);
  });

  it('distinguishes keys whose values contain separators or differ only in type', async () => {
    const schema: OutputSchema = { kind: 'windows', columns: ['a', 'b', 'n'], mode: 'update', keyColumns: ['a', 'b'] };
    const table = await run('t', schema, [
      [
        { a: 'x,y', b: 'z', n: 1 },
        { a: 'x', b: 'y,z', n: 2 },
        { a: 1, b: null, n: 3 },
        { a: '1', b: null, n: 4 },
      ],
    ]);
    expect(table.count).toBe(4);
  });

  it('appends when there are no key columns', async () => {
    const table = await run('t', { kind: 'windows', columns, mode: 'update' }, [[win(0, 'cpu', 1, 1)], [win(0, 'cpu', 2, 2)]]);
    expect(table.count).toBe(2);
  });
});

describe('maxRows', () => {
  it('drops the oldest rows beyond maxRows and counts them', async () => {
    const table = await run('t', appendSchema, [[1, 2, 3].map((i) => win(i, 'cpu', i, i)), [4, 5].map((i) => win(i, 'cpu', i, i))], 3);
    expect(table.count).toBe(3);
    expect(table.dropped).toBe(2);
    expect(table.rows().map((r) => r.count)).toEqual([3, 4, 5]);
  });

  it('in update mode drops the oldest key, and replacing a row drops nothing', async () => {
    const table = await run(
      't',
      updateSchema,
      [[win(0, 'cpu', 1, 1), win(5, 'cpu', 1, 1)], [win(0, 'cpu', 2, 2), win(5, 'cpu', 2, 2)], [win(10, 'cpu', 1, 1)]],
      2,
    );
    expect(table.dropped).toBe(1);
    expect(table.rows()).toEqual([win(5, 'cpu', 2, 2), win(10, 'cpu', 1, 1)]);
  });

  it('clear empties the table and resets dropped', async () => {
    const table = await run('t', appendSchema, [[1, 2, 3].map((i) => win(i, 'cpu', i, i))], 1);
    expect(table.dropped).toBe(2);
    table.clear();
    expect(table.count).toBe(0);
    expect(table.dropped).toBe(0);
    expect(table.rows()).toEqual([]);
  });
});

describe('MemoryTable direct use', () => {
  it('createMemoryTable registers; iteration yields rows', () => {
    const table = createMemoryTable('direct', appendSchema);
    table.insert([win(0, 'cpu', 1, 1)]);
    expect(memoryTable('direct')).toBe(table);
    expect([...table]).toEqual([win(0, 'cpu', 1, 1)]);
    expect(() => createMemoryTable('bad', appendSchema, -1)).toThrow(RangeError);
  });
});
