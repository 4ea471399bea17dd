/**
 * End-to-end: `eddy detect` on NAB files (../shared/data/nab), and the seed's
 * analytics config through `eddy run`.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { runCli, workdir } from '../support/cli.js';

const NAB = fileURLToPath(new URL('../../../shared/data/nab/data/', import.meta.url));
const TAXI = join(NAB, 'realKnownCause', 'nyc_taxi.csv');

let dirs: ReturnType<typeof workdir>[] = [];
const tmp = () => {
  const d = workdir();
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs) d.cleanup();
  dirs = [];
});

describe('eddy detect', () => {
  it('writes timestamp,value,anomaly_score: one row per input row, in order, scores in [0, 1], deterministic', async () => {
    const w = tmp();
    const a = await runCli(['detect', TAXI, '--output', w.path('a.csv')], { timeoutMs: 60_000 });
    const b = await runCli(['detect', TAXI, '--output', w.path('b.csv')], { timeoutMs: 60_000 });
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(a.stderr).toMatch(/scored 10320 rows in [\d.]+ s \(\d+ rows\/s\)/);
    const input = readFileSync(TAXI, 'utf8').trim().split('\n');
    const output = readFileSync(w.path('a.csv'), 'utf8').trim().split('\n');
    expect(output[0]).toBe('timestamp,value,anomaly_score');
    expect(output).toHaveLength(input.length);
    for (let i = 1; i < input.length; i++) {
      const [ts, value, score] = output[i]!.split(',');
      expect(`${ts},${value}`).toBe(input[i]);
      const s = Number(score);
      expect(s >= 0 && s <= 1, `row ${i}: ${score}`).toBe(true);
    }
    expect(output.some((l) => Number(l.split(',')[2]) >= 0.5)).toBe(true);
    expect(readFileSync(w.path('b.csv'), 'utf8')).toBe(readFileSync(w.path('a.csv'), 'utf8'));
  }, 120_000);

  it('mirrors a directory tree and writes to stdout without --output', async () => {
    const w = tmp();
    const dir = join(NAB, 'artificialWithAnomaly');
    const r = await runCli(['detect', dir, '--output', w.path('out')], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(readdirSync(w.path('out')).sort()).toEqual(
      readdirSync(dir)
        .filter((f) => f.endsWith('.csv'))
        .sort(),
    );
    expect(r.stderr).toContain('[1/6] art_daily_flatmiddle.csv');
    const small = w.write('small.csv', 'timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:05:00,oops\n2024-01-01 00:10:00,3\n');
    const s = await runCli(['detect', small]);
    expect(s.code).toBe(0);
    expect(s.stdout).toBe('timestamp,value,anomaly_score\n2024-01-01 00:00:00,1,0\n2024-01-01 00:05:00,oops,\n2024-01-01 00:10:00,3,0\n');
    expect(s.stderr).toContain(`line 3: field 'value': not a number ("oops")`);
  }, 120_000);

  it('keeps every readable-cells row in place across core slices, unreadable ones with an empty score', async () => {
    const w = tmp();
    const t0 = Date.UTC(2024, 0, 1);
    const lines: string[] = ['timestamp,value,extra'];
    const expected: [string, string, boolean][] = []; // time cell, value cell as written, scored
    for (let i = 0; i < 9000; i++) {
      const ts = new Date(t0 + i * 300_000).toISOString().replace('T', ' ').slice(0, 19);
      if (i % 1000 === 500) {
        lines.push(`${ts},bad,x`);
        expected.push([ts, 'bad', false]);
      } else if (i % 3000 === 7) {
        lines.push(`never,${i},x`);
        expected.push(['never', String(i), false]);
      } else if (i === 4100) {
        lines.push(`"${ts}","${i}",x`);
        expected.push([ts, String(i), true]);
      } else if (i === 4101) {
        lines.push(`${ts},5"x,x`);
        expected.push([ts, '"5""x"', false]);
      } else if (i === 6000) {
        lines.push(`${ts},1`);
        lines.push('');
      } // wrong cell count: no row; a blank line: nothing
      else {
        lines.push(`${ts},${i % 17},x`);
        expected.push([ts, String(i % 17), true]);
      }
    }
    const input = w.write('mixed.csv', lines.join('\n') + '\n');
    const r = await runCli(['detect', input, '--output', w.path('mixed.out.csv')], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    const out = readFileSync(w.path('mixed.out.csv'), 'utf8').trimEnd().split('\n');
    expect(out[0]).toBe('timestamp,value,anomaly_score');
    expect(
      out.slice(1).map((l) => {
        const at = l.lastIndexOf(',');
        return [l.slice(0, at), l.slice(at + 1) !== ''];
      }),
    ).toEqual(expected.map(([ts, v, scored]) => [`${ts},${v}`, scored]));
    expect(r.stderr).toContain('expected 3 cells, got 2');
  }, 120_000);

  it('refuses a directory without --output and a missing input (exit 2)', async () => {
    expect((await runCli(['detect', NAB])).code).toBe(2);
    const r = await runCli(['detect', 'nope.csv']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot read nope.csv');
  });
});

describe("eddy run with the seed's analytics config", () => {
  it('windows → anomalies on avg_value → threshold patterns, sequences to a matches file', async () => {
    const w = tmp();
    const rows = ['timestamp,metric,type,value'];
    for (let m = 0; m < 15; m++) rows.push(`2024-01-01T00:${String(m).padStart(2, '0')}:00Z,cpu,${['A', 'B', 'C'][m % 3]},${m === 13 ? 150 : 50 + (m % 2)}`);
    w.write('events.csv', rows.join('\n'));
    w.write('pipeline.json', {
      source: { type: 'file', path: 'events.csv' },
      processing: {
        window_size: '1 minute',
        slide_duration: '1 minute',
        watermark_delay: '0 s',
        anomaly_threshold: 2.0,
        patterns: { sequence: ['A -> B -> C within 5m'], threshold: { critical: { upper: 100 }, warning: { upper: 80, lower: 20 } } },
      },
      sink: { type: 'file', path: 'out/windows.ndjson' },
    });
    const r = await runCli(['run', '--config', w.path('pipeline.json'), '--progress', '0']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const windows = readFileSync(w.path('out/windows.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(windows).toHaveLength(15);
    const spike = windows[13]!;
    expect(spike).toMatchObject({ avg_value: 150, is_anomaly: true, detected_patterns: ['critical_exceeded', 'warning_exceeded'] });
    expect(windows.slice(0, 13).every((x) => x.is_anomaly === false)).toBe(true);
    expect(existsSync(w.path('out/windows.matches.ndjson'))).toBe(true);
    const matches = readFileSync(w.path('out/windows.matches.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(matches).toHaveLength(5);
    expect(matches[0]).toEqual({
      pattern: 'A -> B -> C within 5m',
      metric: 'cpu',
      start: '2024-01-01T00:00:00.000Z',
      end: '2024-01-01T00:02:00.000Z',
      timestamps: ['2024-01-01T00:00:00.000Z', '2024-01-01T00:01:00.000Z', '2024-01-01T00:02:00.000Z'],
    });
  });

  it('reports a bad sequence pattern as a config error with its position', async () => {
    const w = tmp();
    w.write('bad.json', { source: { type: 'stdin' }, processing: { patterns: { sequence: ['A -> '] } }, sink: { type: 'console' } });
    const r = await runCli(['run', '--config', w.path('bad.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/processing\.patterns\.sequence\[0\]: .*column/);
  });
});
