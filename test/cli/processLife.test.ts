/**
 * The one process life of eddy run / serve / demo: a signal asks for a
 * graceful stop (said on stderr), a second one exits at once with 130, and
 * a closed stdout (EPIPE) asks for the same stop quietly, with stdout's
 * later errors ignored so they cannot crash the process.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { processLife, SECOND_SIGNAL_EXIT_CODE } from '../../src/cli/processLife.js';

const epipe = (): NodeJS.ErrnoException => Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });

function stderr(): { err: { write(line: string): boolean }; lines: string[] } {
  const lines: string[] = [];
  return { err: { write: (line: string) => lines.push(line) > 0 }, lines };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('process life', () => {
  it('a signal asks for a graceful stop; a second one exits at once with 130', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const { err, lines } = stderr();
    const signalListeners = process.listenerCount('SIGINT');
    const life = processLife({ err, stoppingMessage: 'stopping…' });
    process.emit('SIGINT', 'SIGINT');
    expect(await life.stopRequested).toBe('SIGINT');
    expect(lines).toEqual(['eddy: SIGINT, stopping…\n']);
    expect(exit).not.toHaveBeenCalled();
    process.emit('SIGTERM', 'SIGTERM');
    expect(exit).toHaveBeenCalledWith(SECOND_SIGNAL_EXIT_CODE);
    expect(lines.at(-1)).toBe('eddy: second interrupt, exiting without cleanup\n');
    life.end();
    expect(process.listenerCount('SIGINT')).toBe(signalListeners);
  });

  it('SIGTERM is named as such', async () => {
    const { err, lines } = stderr();
    const life = processLife({ err, stoppingMessage: 'draining…' });
    process.emit('SIGTERM', 'SIGTERM');
    expect(await life.stopRequested).toBe('SIGTERM');
    expect(lines).toEqual(['eddy: SIGTERM, draining…\n']);
    life.end();
  });

  it('a closed stdout asks for the stop quietly, and stdout errors stay harmless after end()', async () => {
    const { err, lines } = stderr();
    const before = process.stdout.listenerCount('error');
    const life = processLife({ err, stoppingMessage: 'stopping…' });
    process.stdout.emit('error', epipe());
    expect(await life.stopRequested).toBe('stdout closed');
    expect(lines).toEqual([]);
    life.end();
    // one listener stays for the rest of the process: an EPIPE with no listener would throw
    expect(process.stdout.listenerCount('error')).toBe(before + 1);
    expect(() => process.stdout.emit('error', epipe())).not.toThrow();
    // a second life (a later command in the same process) does not add another
    processLife({ err, stoppingMessage: '' }).end();
    process.stdout.emit('error', epipe());
    expect(process.stdout.listenerCount('error')).toBe(before + 1);
  });
});
