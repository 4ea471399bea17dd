/**
 * Which core build the tests get: `loadCore()` follows EDDY_CORE_BUILD, so the
 * vitest project `debug-core` runs every property test against the debug
 * build (assertions kept) as well as the release build the other projects use.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { coreBuildFromEnv, corePath } from '../../src/node/loadCore.js';

const nameSections = (path: string): number => WebAssembly.Module.customSections(new WebAssembly.Module(readFileSync(path)), 'name').length;

describe('loadCore build choice', () => {
  it('is release unless EDDY_CORE_BUILD names debug; anything else is refused', () => {
    expect(coreBuildFromEnv({})).toBe('release');
    expect(coreBuildFromEnv({ EDDY_CORE_BUILD: '' })).toBe('release');
    expect(coreBuildFromEnv({ EDDY_CORE_BUILD: 'debug' })).toBe('debug');
    expect(coreBuildFromEnv({ EDDY_CORE_BUILD: 'release' })).toBe('release');
    expect(() => coreBuildFromEnv({ EDDY_CORE_BUILD: 'Debug' })).toThrow('EDDY_CORE_BUILD must be release or debug, got "Debug"');
  });

  it('the two builds are different files: only debug keeps names (and its assertions)', () => {
    expect(corePath('debug')).not.toBe(corePath('release'));
    expect(nameSections(corePath('debug'))).toBe(1);
    expect(nameSections(corePath('release'))).toBe(0);
  });
});
