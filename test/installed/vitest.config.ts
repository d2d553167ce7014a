import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * stitch-sandbox used from outside this checkout: the packed tarball installed into a temporary
 * project (`npm run test:package`) and the container image (`npm run test:container`). Kept out of
 * `npm test`: they need npm's registry (or its cache) and podman, and take minutes, most of it the
 * native better-sqlite3 build and the image build. `.ci/run` runs both after `npm test`.
 */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/installed/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 900_000,
    fileParallelism: false,
    env: { PACT_DO_NOT_TRACK: 'true' },
  },
});
