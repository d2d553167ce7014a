import type { Command } from 'commander';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * `stitch-sandbox init`: sets a project up to test against the sandbox with vitest — a config of
 * its own (so an existing vitest config is never touched), a global setup that starts one sandbox
 * for the run, an example test, and an npm script. Files that exist are left alone, as is an
 * existing script of the same name.
 */

export const INIT_SCRIPT = 'test:sandbox';

const CONFIG = `import { defineConfig } from 'vitest/config';

// Tests that run against stitch-sandbox: \`npm run ${INIT_SCRIPT}\`. Written by \`stitch-sandbox init\`.
export default defineConfig({
  test: {
    include: ['test/sandbox/**/*.test.ts'],
    globalSetup: ['test/sandbox/global-setup.ts'],
    testTimeout: 20_000,
  },
});
`;

const GLOBAL_SETUP = `/**
 * One stitch-sandbox for the whole test run, started in vitest's own process on free ports and
 * stopped when the run ends. Tests read the URLs with \`inject('sandbox')\`.
 */
import type { TestProject } from 'vitest/node';
import { startSandbox, type SandboxUrls } from 'stitch-sandbox';

declare module 'vitest' {
  export interface ProvidedContext {
    sandbox: SandboxUrls;
  }
}

export default async function setup(project: TestProject) {
  // \`env: {}\`: the settings are these, whatever the shell running the tests has set.
  const sandbox = await startSandbox({ seed: 42, ports: 0, env: {} });
  project.provide('sandbox', sandbox.urls);
  return () => sandbox.stop();
}
`;

const EXAMPLE_TEST = `/**
 * An example to start from: play a scenario through the control plane, then read what it did
 * through the Atelio API, as your integration would. Point your own client at \`urls.atomic\` and
 * \`urls.atelio\` instead of the vendors.
 */
import { expect, inject, it } from 'vitest';

const urls = inject('sandbox');
const ATELIO = { Identity: 'test-identity', Authorization: 'test-authorization' };

async function runScenario(name: string, body: Record<string, unknown>) {
  const started = await fetch(\`\${urls.control}/api/scenarios/\${name}/runs\`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(started.status).toBe(202);
  const { runId } = (await started.json()) as { runId: string };
  for (;;) {
    const run = (await (await fetch(\`\${urls.control}/api/runs/\${runId}\`)).json()) as { status: string };
    if (run.status !== 'running') return run;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

it('multi-settlement: a purchase authorised at 35.93 settles as 30.49 + 5.44', async () => {
  const run = await runScenario('multi-settlement', { seed: 1, identifier: 'example-customer' });
  expect(run.status).toBe('completed');

  const response = await fetch(
    \`\${urls.atelio}/api/v0.1/transactions?customer_id=example-customer&count=10\`,
    { headers: ATELIO },
  );
  const page = (await response.json()) as {
    transactions: { state: string; amount: string; details: { settlements?: { amount: string }[] } }[];
  };
  expect(page.transactions).toHaveLength(1);
  expect(page.transactions[0]).toMatchObject({ state: 'completed', amount: '-35.93' });
  expect(page.transactions[0]?.details.settlements?.map((s) => s.amount)).toEqual(['-30.49', '-5.44']);
});
`;

export const INIT_FILES: Readonly<Record<string, string>> = {
  'vitest.sandbox.config.ts': CONFIG,
  'test/sandbox/global-setup.ts': GLOBAL_SETUP,
  'test/sandbox/example.test.ts': EXAMPLE_TEST,
};

interface Writer {
  write(text: string): unknown;
}

/** Writes what is missing in `dir`; returns the exit code. */
export function initProject(dir: string, out: Writer, err: Writer): number {
  const manifestPath = join(dir, 'package.json');
  if (!existsSync(manifestPath)) {
    err.write(`stitch-sandbox init: no package.json in ${dir}; run it at your project's root\n`);
    return 1;
  }
  const text = readFileSync(manifestPath, 'utf8');
  let manifest: {
    scripts?: Record<string, string>;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  try {
    manifest = JSON.parse(text) as typeof manifest;
  } catch (error) {
    err.write(`stitch-sandbox init: ${manifestPath} is not valid JSON: ${(error as Error).message}\n`);
    return 1;
  }

  for (const [path, contents] of Object.entries(INIT_FILES)) {
    const target = join(dir, path);
    if (existsSync(target)) {
      out.write(`  exists, left alone: ${path}\n`);
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, contents, { flag: 'wx' });
    out.write(`  wrote ${path}\n`);
  }

  const script = 'vitest run --config vitest.sandbox.config.ts';
  if (manifest.scripts?.[INIT_SCRIPT] !== undefined) {
    out.write(`  exists, left alone: the "${INIT_SCRIPT}" script in package.json\n`);
  } else {
    manifest.scripts = { ...manifest.scripts, [INIT_SCRIPT]: script };
    // Keep the file's own indentation.
    const indent = /^[ \t]+(?=")/m.exec(text)?.[0] ?? '  ';
    writeFileSync(manifestPath, `${JSON.stringify(manifest, null, indent)}\n`);
    out.write(`  added the "${INIT_SCRIPT}" script to package.json: ${script}\n`);
  }

  const has = (name: string) =>
    manifest.dependencies?.[name] !== undefined || manifest.devDependencies?.[name] !== undefined;
  out.write('\nNext:\n');
  if (!has('vitest')) out.write('  npm install --save-dev vitest\n');
  out.write(`  npm run ${INIT_SCRIPT}\n`);
  return 0;
}

export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description(
      `Set this project up to test against the sandbox: a vitest config, global setup, example test and the "${INIT_SCRIPT}" npm script (never overwrites)`,
    )
    .action(() => {
      process.exitCode = initProject(process.cwd(), process.stdout, process.stderr);
    });
}
