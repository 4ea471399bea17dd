import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` — the core, references, engine, sources, sinks,
 * golden cases, NAB scorer, checkpoints, the CLI's command table, layers, docs links: no broker, no browser,
 * no child processes, run from src/ (`npm run test:unit`, under a minute) —
 * and `integration`: the server, Kafka (a real broker, started by
 * test/support/kafkaSetup.ts unless one is running), the CLI end to end
 * (dist/), Chromium and the package — and `debug-core`: every property
 * test once more against the debug build of the core (assertions kept; the
 * release build strips them), at a quarter of the runs. `npm test` runs all
 * three.
 */
const UNIT = ['core', 'reference', 'engine', 'sources', 'sinks', 'golden', 'nab', 'checkpoint', 'cli']
  .map((d) => `test/${d}/**/*.test.ts`)
  .concat('test/structure/layers.test.ts', 'test/structure/docsLinks.test.ts', 'test/structure/coreCallers.test.ts');

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT } },
      {
        extends: true,
        test: {
          name: 'debug-core',
          include: ['test/**/*.property.test.ts', 'test/core/loadCore.test.ts'],
          exclude: ['**/node_modules/**'],
          env: { EDDY_CORE_BUILD: 'debug', EDDY_FC_SCALE: '0.25' },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...UNIT, '**/node_modules/**'],
          globalSetup: ['test/support/kafkaSetup.ts'],
        },
      },
    ],
  },
});
