/**
 * End-to-end: the built `eddy run` command on small files, as a user runs it.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { runCli, workdir, CLI } from '../support/cli.js';

let dirs: ReturnType<typeof workdir>[] = [];
function tmp() {
  const d = workdir();
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs) d.cleanup();
  dirs = [];
});

const readLines = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('eddy run', () => {
  it('runs a CSV file through sliding windows into an NDJSON file (the expected output, exactly)', async () => {
    const w = tmp();
    w.write(
      'events.csv',
      [
        'timestamp,metric,value',
        '2024-01-01T00:00:10Z,cpu,1',
        '2024-01-01T00:00:20Z,cpu,3',
        '2024-01-01T00:01:10Z,cpu,5',
        '2024-01-01T00:00:30Z,memory,10',
        '2024-01-01T00:02:30Z,memory,20',
      ].join('\n'),
    );
    w.write('pipeline.json', {
      source: { type: 'file', path: 'events.csv' },
      processing: { window_size: '2 minutes', slide_duration: '1 minute', watermark_delay: '0 s' },
      sink: { type: 'file', path: 'out/windows.ndjson' },
    });
    const r = await runCli(['run', '--config', w.path('pipeline.json'), '--progress', '0']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = readFileSync(w.path('out/windows.ndjson'), 'utf8').trim().split('\n');
    // Windows [start, start+2m) every minute; watermark = max event time (delay 0), advancing per event.
    // cpu 1,3 (00:00:1x) → windows 23:59 and 00:00; cpu 5 (00:01:10) → 00:00 and 00:01, and closes window 23:59–00:01.
    // memory 10 (00:00:30) arrives after that: window 23:59–00:01 is closed, so it joins only 00:00–00:02 (as Spark,
    // an event is dropped only from the windows already closed). memory 20 (00:02:30) closes 00:00–00:02; the rest
    // flush at the end of the file.
    expect(lines).toEqual([
      '{"window":{"start":"2023-12-31T23:59:00.000Z","end":"2024-01-01T00:01:00.000Z"},"metric":"cpu","avg_value":2,"stddev_value":1.4142135623730951,"min_value":1,"max_value":3,"count":2}',
      '{"window":{"start":"2024-01-01T00:00:00.000Z","end":"2024-01-01T00:02:00.000Z"},"metric":"cpu","avg_value":3,"stddev_value":2,"min_value":1,"max_value":5,"count":3}',
      '{"window":{"start":"2024-01-01T00:00:00.000Z","end":"2024-01-01T00:02:00.000Z"},"metric":"memory","avg_value":10,"stddev_value":null,"min_value":10,"max_value":10,"count":1}',
      '{"window":{"start":"2024-01-01T00:01:00.000Z","end":"2024-01-01T00:03:00.000Z"},"metric":"cpu","avg_value":5,"stddev_value":null,"min_value":5,"max_value":5,"count":1}',
      '{"window":{"start":"2024-01-01T00:01:00.000Z","end":"2024-01-01T00:03:00.000Z"},"metric":"memory","avg_value":20,"stddev_value":null,"min_value":20,"max_value":20,"count":1}',
      '{"window":{"start":"2024-01-01T00:02:00.000Z","end":"2024-01-01T00:04:00.000Z"},"metric":"memory","avg_value":20,"stddev_value":null,"min_value":20,"max_value":20,"count":1}',
    ]);
  });

  it('writes CSV output with window_start/window_end columns', async () => {
    const w = tmp();
    w.write('events.ndjson', ['{"timestamp":1704067200000,"metric":"cpu","value":1.5}', '{"timestamp":1704067201000,"metric":"cpu","value":2.5}'].join('\n'));
    w.write('pipeline.json', {
      source: { type: 'file', path: 'events.ndjson' },
      processing: { window_size: '1 minute', watermark_delay: '0 s', aggregations: ['count', 'sum', 'avg'] },
      sink: { type: 'file', path: 'out.csv' },
    });
    const r = await runCli(['run', '--config', w.path('pipeline.json'), '--progress', '0']);
    expect(r.code).toBe(0);
    expect(readFileSync(w.path('out.csv'), 'utf8')).toBe(
      'window_start,window_end,metric,count,sum_value,avg_value\n2024-01-01T00:00:00.000Z,2024-01-01T00:01:00.000Z,cpu,2,4,2\n',
    );
  });

  it('reports each kind of bad input with its line, keeps every valid row, and fills the dead-letter file', async () => {
    const w = tmp();
    w.write(
      'events.csv',
      [
        'timestamp,metric,value', // line 1
        '2024-01-01T00:00:01Z,cpu,1', // 2 ok
        '2024-01-01T00:00:02Z,cpu,abc', // 3 not a number
        '2024-01-01T00:00:03Z,cpu,', // 4 missing value
        'yesterday,cpu,2', // 5 bad timestamp
        '2024-01-01T00:00:05Z,cpu,NaN', // 6 non-finite
        '2024-01-01T00:00:06Z,cpu,Infinity', // 7 non-finite
        '2024-01-01T00:00:07Z,cpu', // 8 wrong cell count
        '2024-01-01T00:00:08Z,,3', // 9 missing key
        '2024-01-01T00:00:09Z,cpu,3', // 10 ok
        '2024-01-01T00:00:10Z,memory,7', // 11 ok
      ].join('\n'),
    );
    w.write('pipeline.json', {
      source: { type: 'file', path: 'events.csv' },
      processing: { window_size: '1 minute', watermark_delay: '0 s' },
      sink: { type: 'file', path: 'out.ndjson' },
      dead_letter: 'bad.ndjson',
    });
    const r = await runCli(['run', '--config', w.path('pipeline.json'), '--progress', '0']);
    expect(r.code).toBe(0);
    const file = `file:${w.path('events.csv')}`;
    expect(r.stderr).toContain(`bad input at ${file} line 3: field 'value': not a number ("abc")`);
    expect(r.stderr).toContain(`bad input at ${file} line 4: field 'value': missing`);
    expect(r.stderr).toContain(`bad input at ${file} line 5: field 'timestamp': cannot parse "yesterday" as a timestamp`);
    expect(r.stderr).toContain(`bad input at ${file} line 6: field 'value': "NaN" is not finite`);
    expect(r.stderr).toContain(`bad input at ${file} line 7: field 'value': "Infinity" is not finite`);
    expect(r.stderr).toMatch(new RegExp(`bad input at ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} line 8: .*expected 3 cells, got 2`));
    expect(r.stderr).toContain(`bad input at ${file} line 9: field 'metric': missing`);
    expect(r.stderr).toContain('7 rows rejected');
    const out = readLines(w.path('out.ndjson'));
    expect(out).toEqual([
      {
        window: { start: '2024-01-01T00:00:00.000Z', end: '2024-01-01T00:01:00.000Z' },
        metric: 'cpu',
        avg_value: 2,
        stddev_value: Math.SQRT2,
        min_value: 1,
        max_value: 3,
        count: 2,
      },
      {
        window: { start: '2024-01-01T00:00:00.000Z', end: '2024-01-01T00:01:00.000Z' },
        metric: 'memory',
        avg_value: 7,
        stddev_value: null,
        min_value: 7,
        max_value: 7,
        count: 1,
      },
    ]);
    const dead = readLines(w.path('bad.ndjson'));
    expect(dead.map((d) => d.line)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(dead.map((d) => d.kind)).toEqual(['not_a_number', 'missing_field', 'bad_timestamp', 'non_finite', 'non_finite', 'malformed', 'missing_field']);
    expect(dead.every((d) => typeof d.reason === 'string' && d.source === file)).toBe(true);
  });

  it('routes late events to the late sink and counts them', async () => {
    const w = tmp();
    w.write(
      'events.ndjson',
      [
        '{"timestamp":"2024-01-01T00:00:00Z","metric":"cpu","value":1}',
        '{"timestamp":"2024-01-01T00:10:00Z","metric":"cpu","value":2}',
        '{"timestamp":"2024-01-01T00:00:30Z","metric":"cpu","value":99}',
      ].join('\n'),
    );
    w.write('pipeline.json', {
      source: { type: 'file', path: 'events.ndjson' },
      processing: { window_size: '1 minute', watermark_delay: '1 minute' },
      sink: { type: 'file', path: 'out.ndjson' },
      late_sink: { type: 'file', path: 'late.ndjson' },
    });
    const r = await runCli(['run', '--config', w.path('pipeline.json'), '--progress', '0']);
    expect(r.code).toBe(0);
    expect(readLines(w.path('late.ndjson'))).toEqual([{ timestamp: '2024-01-01T00:00:30.000Z', metric: 'cpu', value: 99 }]);
    expect(readLines(w.path('out.ndjson')).map((o) => o.count)).toEqual([1, 1]);
  });

  it('reads NDJSON from stdin', async () => {
    const w = tmp();
    w.write('pipeline.json', {
      source: { type: 'stdin' },
      processing: { window_size: '1 minute', watermark_delay: '0 s', aggregations: ['count', 'max'] },
      sink: { type: 'file', path: 'out.ndjson' },
    });
    const input = Array.from({ length: 5 }, (_, i) => JSON.stringify({ timestamp: 1704067200 + i, metric: 'cpu', value: i })).join('\n');
    const r = await runCli(['run', '--config', w.path('pipeline.json'), '--progress', '0'], { stdin: input });
    expect(r.code).toBe(0);
    expect(readLines(w.path('out.ndjson'))).toEqual([
      { window: { start: '2024-01-01T00:00:00.000Z', end: '2024-01-01T00:01:00.000Z' }, metric: 'cpu', count: 5, max_value: 4 },
    ]);
  });

  it('rejects an invalid config with one message naming the field, exit code 2', async () => {
    const w = tmp();
    w.write('bad.json', { source: { type: 'generator' }, processing: { window_size: '5 minuts' }, sink: { type: 'console' } });
    const r = await runCli(['run', '--config', w.path('bad.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `eddy: invalid config: processing.window_size: expected a duration like '5 minutes', '10 s', '1h' or milliseconds, got "5 minuts"`,
    );

    w.write('typo.json', { source: { type: 'generator' }, processing: { window_sise: '5 minutes' }, sink: { type: 'console' } });
    const t = await runCli(['run', '--config', w.path('typo.json')]);
    expect(t.code).toBe(2);
    expect(t.stderr).toContain("processing.window_sise: unknown field (did you mean 'window_size'?)");

    w.write('notjson.json', '{ "source": ');
    const j = await runCli(['run', '--config', w.path('notjson.json')]);
    expect(j.code).toBe(2);
    expect(j.stderr).toContain('is not valid JSON');

    const missing = await runCli(['run', '--config', w.path('nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read config');
  });

  it('exits 2 on unknown commands and options', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    const r = await runCli(['run', '--nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown option --nope');
  });

  it('runs the embedded default job, prints windows (--format table) and progress, and stops cleanly on SIGINT', async () => {
    // stdout is a pipe, so the table has no terminal width to fit: it shows every column
    const child = spawn(process.execPath, [CLI, 'run', '--progress', '1s', '--format', 'table'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    // Wait until windows have closed (the demo's first windows close after ~7 s of wall time).
    const deadline = Date.now() + 25_000;
    while (!/cpu .*\|/.test(stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^window_start\s+\| window_end\s+\| metric\s+\| avg_value\s+\| stddev_value\s+\| min_value\s+\| max_value\s+\| count\n/);
    expect(stdout).not.toContain('more column');
    expect(stdout).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:00 \| .* \| cpu /);
    expect(stderr).toMatch(/progress: batch \d+ · .* watermark 2024-01-01T/);
    expect(stderr).toContain('SIGINT, stopping');
  }, 40_000);

  it('prints NDJSON when stdout is not a terminal, the bytes the file sink writes', async () => {
    const w = tmp();
    w.write('events.csv', ['timestamp,metric,value', '2024-01-01T00:00:10Z,cpu,1', '2024-01-01T00:00:20Z,cpu,3', '2024-01-01T00:01:10Z,memory,5'].join('\n'));
    const processing = { window_size: '1 minute', watermark_delay: '0 s' };
    w.write('console.json', { source: { type: 'file', path: 'events.csv' }, processing, sink: { type: 'console' } });
    w.write('file.json', { source: { type: 'file', path: 'events.csv' }, processing, sink: { type: 'file', path: 'out.ndjson' } });
    const printed = await runCli(['run', '--config', w.path('console.json'), '--progress', '0']);
    expect(printed.stderr).toBe('');
    expect(printed.code).toBe(0);
    expect((await runCli(['run', '--config', w.path('file.json'), '--progress', '0'])).code).toBe(0);
    expect(printed.stdout).toBe(readFileSync(w.path('out.ndjson'), 'utf8'));
    expect(printed.stdout.split('\n')).toHaveLength(3);
    // the config's console section and --format choose the table instead; a bad value is refused as usage
    w.write('table.json', { source: { type: 'file', path: 'events.csv' }, processing, sink: { type: 'console', format: 'table' } });
    expect((await runCli(['run', '--config', w.path('table.json'), '--progress', '0'])).stdout).toMatch(/^window_start\s+\| window_end/);
    expect((await runCli(['run', '--config', w.path('console.json'), '--progress', '0', '--format', 'table'])).stdout).toMatch(/^window_start\s+\| window_end/);
    const bad = await runCli(['run', '--config', w.path('console.json'), '--format', 'tabel']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('eddy: --format: expected table or ndjson, got tabel (did you mean table?)\nrun eddy help for usage\n');
  });

  it('ends quietly with exit code 0 when its reader closes stdout (eddy run | head -3)', async () => {
    const child = spawn(process.execPath, [CLI, 'run', '--progress', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.split('\n').length > 3) child.stdout.destroy();
    });
    const code = await closed;
    clearTimeout(timer);
    expect(code, stderr).toBe(0);
    expect(stderr).toBe('');
  }, 40_000);

  it('flushes open windows on stop with --flush-on-stop', async () => {
    const w = tmp();
    w.write('pipeline.json', {
      source: { type: 'stdin' },
      processing: { window_size: '1 hour', slide_duration: '1 hour', watermark_delay: '0 s' },
      sink: { type: 'file', path: 'out.ndjson' },
    });
    const child = spawn(process.execPath, [CLI, 'run', '--config', w.path('pipeline.json'), '--progress', '100ms', '--flush-on-stop'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdin.write('{"timestamp":"2024-01-01T00:00:00Z","metric":"cpu","value":1}\n');
    // stop only once the event was processed (a progress line counts it), however slow the machine
    const deadline = Date.now() + 20_000;
    while (!/progress: batch 0 · 1 rows/.test(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(existsSync(w.path('out.ndjson'))).toBe(true);
    expect(readLines(w.path('out.ndjson')).map((o) => o.count)).toEqual([1]);
  });
  it('resumes a file from checkpoint_location: a SIGTERM part-way and a restart write the uninterrupted windows once', async () => {
    const w = tmp();
    const t0 = Date.UTC(2024, 0, 1);
    const events: string[] = [];
    for (let i = 0; i < 6_000; i++)
      events.push(JSON.stringify({ timestamp: t0 + i * 1_000 - ((i * 7919) % 20_000), metric: i % 3 === 0 ? 'cpu' : 'mem', value: (i * 37) % 101 }));
    w.write('events.ndjson', `${events.join('\n')}\n`);
    const processing = { window_size: '1 minute', slide_duration: '30 seconds', watermark_delay: '30 seconds', aggregations: ['count', 'avg', 'max'] };
    w.write('whole.json', { source: { type: 'file', path: 'events.ndjson' }, processing, sink: { type: 'file', path: 'whole.ndjson' } });
    // the same query, checkpointed; the first run replays the file at 300× its pace so that it can be stopped part-way
    const checkpointed = { ...processing, checkpoint_location: 'cp', checkpoint_every_batches: 1 };
    w.write('slow.json', { source: { type: 'file', path: 'events.ndjson', speed: 300 }, processing: checkpointed, sink: { type: 'file', path: 'out.ndjson' } });
    w.write('fast.json', { source: { type: 'file', path: 'events.ndjson' }, processing: checkpointed, sink: { type: 'file', path: 'out.ndjson' } });
    const whole = await runCli(['run', '--config', w.path('whole.json'), '--progress', '0']);
    expect(whole.code, whole.stderr).toBe(0);
    const expected = readLines(w.path('whole.ndjson'));
    expect(expected.length).toBeGreaterThan(300);

    const child = spawn(process.execPath, [CLI, 'run', '--config', w.path('slow.json'), '--progress', '100ms'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const deadline = Date.now() + 20_000;
    while (!existsSync(w.path('out.ndjson')) || readFileSync(w.path('out.ndjson'), 'utf8').split('\n').length < 20) {
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);
    const first = readLines(w.path('out.ndjson')).length;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(expected.length);

    const resumed = await runCli(['run', '--config', w.path('fast.json'), '--progress', '0']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/restored checkpoint/);
    // appended after the first run's lines: every window exactly once, as in the uninterrupted run
    const byWindow = (o: Record<string, unknown>): string => JSON.stringify([o.window, o.metric]);
    const sortByWindow = (rows: Record<string, unknown>[]) => [...rows].sort((a, b) => (byWindow(a) < byWindow(b) ? -1 : byWindow(a) > byWindow(b) ? 1 : 0));
    expect(sortByWindow(readLines(w.path('out.ndjson')))).toEqual(sortByWindow(expected));

    // with checkpoints, --flush-on-stop is refused (the open windows stay in the checkpoint)
    const refused = await runCli(['run', '--config', w.path('fast.json'), '--flush-on-stop']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      'eddy: --flush-on-stop cannot be used with a checkpointed source: open windows stay in the checkpoint and close when the run is resumed\n',
    );
  }, 60_000);
});
