/**
 * The CLI's command table: each command takes only its own options (another
 * command's option is refused and named), values and switches are checked,
 * positional counts too, and per-command help lists every option.
 */
import { describe, expect, it } from 'vitest';
import { COMMANDS, commandHelp, findCommand, parseCommandLine, usage } from '../../src/cli/commands.js';
import { UsageError } from '../../src/config/usageError.js';
import { applyConsoleFlags, consoleFormat } from '../../src/cli/consoleOptions.js';
import { parsePipelineConfig } from '../../src/config/pipelineConfig.js';

const parse = (name: string, ...argv: string[]) => parseCommandLine(findCommand(name), argv);
const refusal = (name: string, ...argv: string[]): string => {
  try {
    parse(name, ...argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`eddy ${name} ${argv.join(' ')} was accepted`);
};

describe('eddy commands', () => {
  it("parses each command's own options and arguments", () => {
    expect(parse('detect', 'in.csv', '--output', 'out.csv')).toEqual({ values: { output: 'out.csv' }, positionals: ['in.csv'], help: false });
    expect(parse('serve', '--port=0', '--token', 't', '--cors-origin', 'http://x')).toMatchObject({
      values: { port: '0', token: 't', 'cors-origin': 'http://x' },
      positionals: [],
    });
    expect(parse('run', '--flush-on-stop', '--progress', '0').values).toMatchObject({ 'flush-on-stop': true, progress: '0' });
    expect(parse('run', '-h').help).toBe(true);
    expect(parse('detect', '--help').help).toBe(true); // help needs no input file
    for (const name of ['run', 'demo', 'serve']) expect(parse(name, '--wide', '--format', 'ndjson').values).toMatchObject({ wide: true, format: 'ndjson' });
  });

  it('checks --format when the command runs: table or ndjson, with a suggestion', async () => {
    expect(consoleFormat(undefined)).toBeUndefined();
    expect(consoleFormat('table')).toBe('table');
    expect(consoleFormat('ndjson')).toBe('ndjson');
    expect(() => consoleFormat('tabel')).toThrow(new UsageError('--format: expected table or ndjson, got tabel (did you mean table?)'));
    expect(() => consoleFormat('csv')).toThrow(new UsageError('--format: expected table or ndjson, got csv'));
    for (const name of ['run', 'demo', 'serve'])
      await expect(findCommand(name).run({ format: 'json' }, [])).rejects.toThrow('--format: expected table or ndjson, got json');
  });

  it('applies --wide and --format to every console sink of the pipeline, and warns when there is none', () => {
    const printed: string[] = [];
    const err = { write: (line: string) => printed.push(line) };
    const config = parsePipelineConfig({
      source: { type: 'stdin' },
      sink: { type: 'console', format: 'table' },
      late_sink: { type: 'console' },
      dead_letter: 'bad.ndjson',
    });
    applyConsoleFlags(config, { wide: true, format: 'ndjson' }, err);
    expect([config.sink, config.lateSink, config.deadLetter]).toEqual([
      { type: 'console', format: 'ndjson', wide: true },
      { type: 'console', format: 'ndjson', wide: true },
      { type: 'file', path: 'bad.ndjson' },
    ]);
    applyConsoleFlags(config, {}, err);
    expect(config.sink).toEqual({ type: 'console', format: 'ndjson', wide: true });
    expect(printed).toEqual([]);
    const memory = parsePipelineConfig({ source: { type: 'stdin' }, sink: { type: 'memory' } });
    applyConsoleFlags(memory, { wide: true, format: 'table' }, err);
    expect(printed).toEqual(['eddy: warning: --wide and --format: the pipeline has no console sink, so nothing is printed on stdout\n']);
  });

  it("refuses another command's option, naming the commands that take it, and suggests close names", () => {
    expect(refusal('detect', 'f.csv', '--port', '1')).toBe('unknown option --port for eddy detect (demo, serve take it)');
    expect(refusal('run', '--token', 'x')).toBe('unknown option --token for eddy run (serve takes it)');
    expect(refusal('detect', 'f.csv', '--wide')).toBe('unknown option --wide for eddy detect (run, demo, serve take it)');
    expect(refusal('config', '--format', 'table')).toBe('unknown option --format for eddy config (run, demo, serve take it)');
    expect(refusal('run', '--confg', 'p.json')).toBe('unknown option --confg for eddy run (did you mean --config?)');
    expect(refusal('run', '--nope')).toBe('unknown option --nope for eddy run');
    expect(() => findCommand('rnu')).toThrow("unknown command 'rnu' (did you mean 'run'?)");
  });

  it('checks values, switches and positional counts', () => {
    expect(refusal('serve', '--port')).toBe('--port needs a value');
    expect(refusal('serve', '--config', '--port', '1')).toBe('--config needs a value');
    expect(refusal('run', '--flush-on-stop=yes')).toBe('--flush-on-stop takes no value');
    expect(refusal('demo', '--wide=false')).toBe('--wide takes no value');
    expect(refusal('run', '--format')).toBe('--format needs a value');
    expect(refusal('detect')).toBe('detect takes one input file or directory');
    expect(refusal('detect', 'a.csv', 'b.csv')).toBe('detect takes one input file or directory');
    expect(refusal('run', 'extra')).toBe('run takes no arguments besides options, got extra');
  });

  it('help: every command in the usage, every option in its own help', () => {
    const all = usage();
    for (const c of COMMANDS) {
      expect(all).toContain(`eddy ${c.name}`);
      const help = commandHelp(c);
      for (const name of Object.keys(c.options)) expect(help, `${c.name} --${name}`).toContain(`--${name}`);
    }
    expect(commandHelp(findCommand('detect'))).toContain('usage: eddy detect <input.csv | dir> [--output out.csv | dir]');
  });
});
