/**
 * The test-runner example (examples/test-runner/), used the way a project depending on
 * stitch-sandbox uses it: built from the current sources, type-checked as a consumer (NodeNext
 * resolution through the package's `exports` and declarations), then run under its own vitest
 * config with the global setup.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

/** The child must not think it runs inside this vitest (worker ids, pool settings). */
const childEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST')),
);

function run(args: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, output }));
  });
}

describe('examples/test-runner', () => {
  beforeAll(async () => {
    // The example imports the built package: bring dist/ up to date with the sources first.
    const build = await run(['scripts/build.mjs', '--if-stale']);
    expect(build.status, build.output).toBe(0);
  }, 180_000);

  it('type-checks against the published declarations with NodeNext resolution', async () => {
    const tsc = require.resolve('typescript/bin/tsc');
    const result = await run([tsc, '-p', 'examples/test-runner/tsconfig.json']);
    expect(result.status, result.output).toBe(0);
  }, 60_000);

  it('passes under its own vitest config: a global-setup sandbox and one per file', async () => {
    const vitest = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
    const result = await run([vitest, 'run', '--config', 'examples/test-runner/vitest.config.ts']);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toMatch(/Test Files\s+.*2 passed/);
    expect(result.output).toMatch(/Tests\s+.*3 passed/);
  }, 60_000);
});
