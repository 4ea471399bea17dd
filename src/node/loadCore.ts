/**
 * Loads the wasm core from the package's build folder (Node only).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WasmCore } from '../core/wasmCore.js';

/** Which build of the core: `release` (optimised) or `debug` (assertions, names). */
export type CoreBuild = 'release' | 'debug';

let cached: Partial<Record<CoreBuild, WebAssembly.Module>> = {};

/** Path of the built wasm file, relative to this module (works from src/ under vitest and from dist/). */
export function corePath(build: CoreBuild = 'release'): string {
  const file = build === 'release' ? 'eddy.wasm' : 'eddy.debug.wasm';
  // src/node/loadCore.ts (tests) → ../../build; dist/src/node/loadCore.js (built) → ../../../build
  const candidates = ['../../build/', '../../../build/'].map((dir) => fileURLToPath(new URL(dir + file, import.meta.url)));
  return candidates.find((path) => existsSync(path)) ?? candidates[0]!;
}

/**
 * The build `loadCore()` uses when none is named: `EDDY_CORE_BUILD` (`release` or `debug`),
 * else `release`. The test suite runs its property tests once more with `debug`, whose
 * assertions the release build strips (vitest project `debug-core`).
 */
export function coreBuildFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): CoreBuild {
  const named = env.EDDY_CORE_BUILD;
  if (named === undefined || named === '') return 'release';
  if (named === 'release' || named === 'debug') return named;
  throw new Error(`EDDY_CORE_BUILD must be release or debug, got ${JSON.stringify(named)}`);
}

/** Compiles the core once per process (synchronously) and returns a fresh instance. */
export function loadCore(build: CoreBuild = coreBuildFromEnv()): WasmCore {
  let module = cached[build];
  if (!module) {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(corePath(build)));
    } catch {
      throw new Error(`wasm core not found at ${corePath(build)}: run npm install (or npm run build:wasm)`);
    }
    module = new WebAssembly.Module(bytes);
    cached = { ...cached, [build]: module };
  }
  return WasmCore.fromModule(module);
}
