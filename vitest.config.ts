import { defineConfig } from 'vitest/config';

/**
 * Three projects so `npm test` can order them: unit tests (and everything outside contracts/) with the
 * Pact consumer tests, then provider verification of the pacts those consumer tests regenerated.
 * `npx vitest run` without --project still runs all of them.
 */
export default defineConfig({
  test: {
    exclude: ['node_modules/**', 'dist/**'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Pact must never phone home, however the tests are started.
    env: { PACT_DO_NOT_TRACK: 'true' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          // test/installed: the packed package and the container image, run by `.ci/run` after this.
          exclude: ['node_modules/**', 'dist/**', 'contracts/**', 'test/installed/**'],
        },
      },
      { extends: true, test: { name: 'pact-consumer', include: ['contracts/consumer/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'pact-provider',
          include: ['contracts/**/*.test.ts'],
          exclude: ['node_modules/**', 'dist/**', 'contracts/consumer/**'],
        },
      },
    ],
  },
});
