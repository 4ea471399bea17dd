/**
 * The CLI's command table: each command takes only its own options (another
 * command's option is refused and named), values and switches are checked,
 * positional counts too, and per-command help lists every option.
 */
import { describe, expect, it } from 'vitest';
import { COMMANDS, commandHelp, findCommand, parseCommandLine, usage } from '../../src/cli/commands.js';
import { UsageError } from '../../src/config/usageError.js';

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
    expect(parse('serve', '--port=0', '--token', 't', '--cors-origin', 'http://x')).toMatchObject({ values: { port: '0', token: 't', 'cors-origin': 'http://x' }, positionals: [] });
    expect(parse('run', '--flush-on-stop', '--progress', '0').values).toMatchObject({ 'flush-on-stop': true, progress: '0' });
    expect(parse('run', '-h').help).toBe(true);
    expect(parse('detect', '--help').help).toBe(true); // help needs no input file
  });

  it("refuses another command's option, naming the commands that take it, and suggests close names", () => {
    expect(refusal('detect', 'f.csv', '--port', '1')).toBe('unknown option --port for eddy detect (demo, serve take it)');
    expect(refusal('run', '--token', 'x')).toBe('unknown option --token for eddy run (serve takes it)');
    expect(refusal('run', '--confg', 'p.json')).toBe('unknown option --confg for eddy run (did you mean --config?)');
    expect(refusal('run', '--nope')).toBe('unknown option --nope for eddy run');
    expect(() => findCommand('rnu')).toThrow("unknown command 'rnu' (did you mean 'run'?)");
  });

  it('checks values, switches and positional counts', () => {
    expect(refusal('serve', '--port')).toBe('--port needs a value');
    expect(refusal('serve', '--config', '--port', '1')).toBe('--config needs a value');
    expect(refusal('run', '--flush-on-stop=yes')).toBe('--flush-on-stop takes no value');
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
