import { describe, expect, it } from 'vitest';
import { callbackSink } from '../../src/sinks/callback.js';
import type { OutputSchema, ResultRecord } from '../../src/engine/sink.js';

const schema: OutputSchema = { kind: 'late', columns: ['timestamp', 'metric', 'value'] };

describe('callback sink', () => {
  it('passes each batch with the schema, awaiting async callbacks in order', async () => {
    const seen: string[] = [];
    const sink = callbackSink(async (records: ResultRecord[], s: OutputSchema) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push(`${s.kind}:${records.map((r) => String(r.value)).join(',')}`);
    });
    expect(sink.description).toBe('callback');
    await sink.open(schema);
    await sink.write([{ value: 1 }, { value: 2 }]);
    expect(seen).toEqual(['late:1,2']);
    await sink.write([{ value: 3 }]);
    expect(seen).toEqual(['late:1,2', 'late:3']);
    await sink.flush();
    await sink.close();
  });

  it('turns a throwing or rejecting callback into a rejected write', async () => {
    const throwing = callbackSink(() => {
      throw new Error('boom');
    });
    await throwing.open(schema);
    await expect(throwing.write([{ value: 1 }])).rejects.toThrow('boom');
    const rejecting = callbackSink(() => Promise.reject(new Error('later')), { description: 'webhook' });
    expect(rejecting.description).toBe('webhook');
    await rejecting.open(schema);
    await expect(rejecting.write([{ value: 1 }])).rejects.toThrow('later');
  });

  it('rejects write before open and a non-function', async () => {
    await expect(callbackSink(() => undefined).write([{}])).rejects.toThrow(/before open/);
    expect(() => callbackSink(42 as never)).toThrow(TypeError);
  });
});
