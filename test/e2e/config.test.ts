/**
 * End-to-end: `eddy config` from dist/ — the embedded default config (read
 * from the built-in file tsc copies to dist/), the JSON Schema, the
 * reference, and --check on good and bad files.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { readFileSync } from 'node:fs';
import { runCli, workdir } from '../support/cli.js';

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

describe('eddy config', () => {
  it('prints the embedded default config, which eddy run runs without --config', async () => {
    const r = await runCli(['config']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(readFileSync(new URL('../../src/config/builtin/run.json', import.meta.url), 'utf8')));
    const w = tmp();
    w.write('copy.json', r.stdout);
    expect((await runCli(['config', '--check', w.path('copy.json')])).stdout).toBe(`${w.path('copy.json')}: ok\n`);
  });

  it('prints the JSON Schema and the reference', async () => {
    const s = await runCli(['config', '--schema']);
    expect(s.code).toBe(0);
    const schema = JSON.parse(s.stdout) as { $schema: string; properties: Record<string, unknown> };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(schema.properties)).toContain('processing');
    const ref = await runCli(['config', '--reference']);
    expect(ref.stdout).toBe(readFileSync(new URL('../../docs/config-reference.md', import.meta.url), 'utf8'));
  });

  it('--check: ok with warnings, or the error and exit code 2', async () => {
    const w = tmp();
    w.write('warn.json', { source: { type: 'stdin' }, processing: { checkpoint_location: 'cp' }, sink: { type: 'console', retry_attempts: 3 } });
    const ok = await runCli(['config', '--check', w.path('warn.json')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(`${w.path('warn.json')}: ok\n`);
    expect(ok.stderr).toContain('eddy: warning: sink.retry_attempts: sink retries are not implemented yet; the field is ignored');
    expect(ok.stderr).toContain(
      'eddy: warning: processing.checkpoint_location: a stdin source cannot resume from a checkpoint (only kafka and file sources can); the field is ignored',
    );

    w.write('bad.json', { source: { type: 'file', path: 'x.csv', keys: 8 }, sink: { type: 'console' } });
    const bad = await runCli(['config', '--check', w.path('bad.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim()).toBe("eddy: invalid config: source.keys: unknown field (allowed: type, schema, path, format, speed; type 'generator' takes it)");

    const both = await runCli(['config', '--schema', '--check', w.path('bad.json')]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('eddy config takes one of --schema, --reference, --check');
  });
});
