/**
 * stitch-sandbox used as another project uses it: `npm pack`, the tarball installed into an empty
 * project outside this checkout (so nothing resolves from this repository's node_modules), then
 * every way in — the command through npx, `startSandbox` from plain ESM and from TypeScript, and a
 * vitest suite with a global-setup sandbox plus a file with its own.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARD, aTransaction, anOrder } from '../../stitcher/testing';
import { PROJECT_ROOT, recordMeasurements, run, said, startReady, type ReadyProcess } from './support';

const work = mkdtempSync(join(tmpdir(), 'stitch-package-'));
const consumer = join(work, 'bank-app');
const installed = join(consumer, 'node_modules', 'stitch-sandbox');
let tarball = '';
let packedFiles: string[] = [];
/** Packages npm says have install scripts the consumer's `allowScripts` does not cover. */
let unreviewedScripts: string[] = [];
/** Every package the tarball's install brought, before the consumer adds its own test tools. */
let productionPackages: string[] = [];

function installedPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(consumer, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, unknown>;
  };
  return Object.keys(lock.packages)
    .filter((path) => path.startsWith('node_modules/'))
    .map((path) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
}

/** The version this checkout uses, so the consumer's own test tools come from npm's cache. */
const versionOf = (name: string) =>
  (
    JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

const npx = (args: string[], input?: string) =>
  run('npx', ['--no-install', 'stitch-sandbox', ...args], {
    cwd: consumer,
    ...(input === undefined ? {} : { input }),
  });

beforeAll(async () => {
  // What `npm pack` would pack from this checkout: dist/ brought up to date with the sources first.
  const build = await run(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: PROJECT_ROOT });
  expect(build.status, said(build)).toBe(0);
  const pack = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], {
    cwd: PROJECT_ROOT,
  });
  expect(pack.status, said(pack)).toBe(0);
  const [packed] = JSON.parse(pack.stdout) as {
    filename: string;
    size: number;
    unpackedSize: number;
    files: { path: string }[];
  }[];
  tarball = join(work, packed!.filename);
  packedFiles = packed!.files.map((file) => file.path);

  // An empty project with npm 11's strictest script policy, as the README tells users to set it up:
  // better-sqlite3's native build approved, the tarball's own `prepare` (which npm never runs for a
  // tarball) denied. Any other install script in the dependency tree fails this install.
  cpSync(join(PROJECT_ROOT, 'examples', 'test-runner'), join(consumer, 'test'), { recursive: true });
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({
      name: 'bank-app',
      private: true,
      type: 'module',
      allowScripts: { 'better-sqlite3': true, [`file:${tarball}`]: false },
    }),
  );
  const install = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--strict-allow-scripts', tarball],
    {
      cwd: consumer,
    },
  );
  expect(install.status, said(install)).toBe(0);
  unreviewedScripts = install.stderr
    .split('\n')
    .filter((line) => /^npm warn install-scripts {3}\S/.test(line))
    .map((line) => line.replace(/^npm warn install-scripts +/, ''));
  productionPackages = installedPackages();

  // The consumer's own test tools, not stitch-sandbox's: vitest and TypeScript for its suite.
  const tools = await run(
    'npm',
    [
      'install',
      '--save-dev',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      `vitest@${versionOf('vitest')}`,
      `typescript@${versionOf('typescript')}`,
      `@types/node@${versionOf('@types/node')}`,
    ],
    { cwd: consumer },
  );
  expect(tools.status, said(tools)).toBe(0);

  recordMeasurements('package', {
    tarball: packed!.filename,
    packedBytes: packed!.size,
    unpackedBytes: packed!.unpackedSize,
    files: packedFiles.length,
    consumerInstallMs: install.ms,
    consumerPackages: productionPackages.length,
  });
}, 900_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed tarball', () => {
  it('holds the build, the scenario files and the dashboard, and no sources, tests or test support', () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'bin/stitch-sandbox.mjs',
        'dist/cli.mjs',
        'dist/index.mjs',
        'dist/types/control/platform.d.ts',
        'scenarios/library/multi-settlement.yaml',
        'control/dashboard/public/index.html',
        'transact/public/app.js',
      ]),
    );
    const unwanted = packedFiles.filter(
      (path) =>
        /\.test\.|\.spec\.|(^|\/)test(s|-kit|-builders|ing)?[/.]|^scripts\/|^examples\//.test(path) ||
        (path.endsWith('.ts') && !path.endsWith('.d.ts')),
    );
    expect(unwanted).toEqual([]);
  });

  it('installs without build tools or the project’s development tools', () => {
    const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    // Type packages may come in as dependencies of the published declarations' own dependencies.
    const tools = Object.keys(manifest.devDependencies).filter((name) => !name.startsWith('@types/'));
    expect(tools.filter((name) => productionPackages.includes(name))).toEqual([]);
    expect(productionPackages).toContain('stitch-sandbox');
    expect(existsSync(join(installed, 'scripts'))).toBe(false);
  });

  it('installs under --strict-allow-scripts with better-sqlite3 approved; the package’s own prepare never runs', () => {
    expect(productionPackages).toContain('better-sqlite3');
    expect(
      existsSync(join(installed, '..', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')),
    ).toBe(true);
    expect(unreviewedScripts).toEqual([]);
    // prepare would have rebuilt dist/ (and failed: no esbuild here): dist/ is the packed one.
    expect(existsSync(join(installed, 'dist', 'build-info.json'))).toBe(false);
  });
});

describe('npx stitch-sandbox in the consuming project', () => {
  let platform: ReadyProcess;
  afterAll(async () => {
    await platform?.stop();
  });

  it('start --port 0 prints one ready line with every URL, each server healthy', async () => {
    platform = await startReady('npx', ['--no-install', 'stitch-sandbox', 'start', '--port', '0'], {
      cwd: consumer,
    });
    expect(Object.keys(platform.urls).sort()).toEqual([
      'atelio',
      'atomic',
      'control',
      'stitcher',
      'transact',
    ]);
    for (const url of Object.values(platform.urls)) {
      const health = await fetch(`${url}/__sandbox/health`);
      expect(await health.json()).toEqual({ status: 'ok' });
    }
    expect(platform.stderr()).not.toMatch(/rebuild|out of date|from source/);
    recordMeasurements('package-start', { npxStartToReadyMs: platform.readyMs });
  });

  it('scenario list and scenario run (on the running platform, recorded), then replay the recording', async () => {
    const list = await npx(['scenario', 'list', '--json']);
    expect(list.status, said(list)).toBe(0);
    expect((JSON.parse(list.stdout) as { name: string }[]).map((s) => s.name)).toContain('multi-settlement');

    const recording = join(work, 'multi-settlement.ndjson');
    const scenario = await npx([
      'scenario',
      'run',
      'multi-settlement',
      '--seed',
      '3',
      '--identifier',
      'pkg-1',
      '--record',
      recording,
      '--control-url',
      platform.urls['control']!,
      '--json',
    ]);
    expect(scenario.status, said(scenario)).toBe(0);
    expect(JSON.parse(scenario.stdout)).toMatchObject({ status: 'completed', webhookCount: 3 });

    // A receiver of our own: replay sends each recorded webhook to it.
    const received: string[] = [];
    const receiver = createServer((request, response) => {
      request.setEncoding('utf8');
      let body = '';
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        received.push(body);
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = receiver.address() as AddressInfo;
      const replay = await npx(['replay', recording, '--to', `http://127.0.0.1:${port}/hooks`]);
      expect(replay.status, said(replay)).toBe(0);
      expect(received).toHaveLength(3);
      expect(received.map((body) => (JSON.parse(body) as { customer_id: string }).customer_id)).toEqual([
        'pkg-1',
        'pkg-1',
        'pkg-1',
      ]);
    } finally {
      receiver.close();
    }
  });

  it('stitch: an offline batch from stdin', async () => {
    const batch = JSON.stringify({ orders: [anOrder()], transactions: [aTransaction()], cards: [CARD] });
    const stitched = await npx(['stitch', '-'], batch);
    expect(stitched.status, said(stitched)).toBe(0);
    expect(JSON.parse(stitched.stdout)).toMatchObject({
      matches: [{ order_id: 'order-1', transaction_id: 'txn-1', confidence: 1 }],
      unmatched_orders: [],
    });
  });

  it('scenario validate: a user’s file checked with the engine’s errors; the schema it names is in the package and served', async () => {
    const good = join(consumer, 'my-flow.yaml');
    writeFileSync(
      good,
      '# yaml-language-server: $schema=./node_modules/stitch-sandbox/scenarios/scenario.schema.json\n' +
        'version: 1\nname: my-flow\ndescription: Mine\nsteps:\n  - name: customer\n    type: create-customer\n',
    );
    const bad = join(consumer, 'typo.yaml');
    writeFileSync(
      bad,
      'version: 1\nname: typo\ndescription: Mine\nsteps:\n  - name: c\n    type: create-custmer\n',
    );
    const valid = await npx(['scenario', 'validate', good]);
    expect(valid.status, said(valid)).toBe(0);
    expect(valid.stdout).toContain('valid (scenario "my-flow", 1 steps)');
    const invalid = await npx(['scenario', 'validate', bad]);
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toContain('unknown step type "create-custmer"');

    const shipped = JSON.parse(
      readFileSync(join(installed, 'scenarios', 'scenario.schema.json'), 'utf8'),
    ) as unknown;
    const served = await fetch(`${platform.urls['control']}/api/scenarios/schema.json`);
    expect(await served.json()).toEqual(shipped);
  });

  it('verify-pact: the pacts shipped in the package hold against the installed mocks (Pact’s native core loads)', async () => {
    for (const provider of ['atomic', 'atelio']) {
      const pact = join(installed, 'contracts', 'pacts', `stitcher-${provider}.json`);
      const verified = await npx(['verify-pact', pact]);
      expect(verified.status, said(verified)).toBe(0);
      expect(verified.stdout).toMatch(/passed/);
    }
  }, 120_000);

  it('stops on SIGTERM: every server closes, nothing is left running', async () => {
    const control = platform.urls['control']!;
    await platform.stop();
    await expect(fetch(`${control}/__sandbox/health`)).rejects.toThrow();
  });
});

describe('startSandbox from the consuming project', () => {
  it('plain ESM: import, start on free ports, answer, stop', async () => {
    const script = `
      import { startSandbox } from 'stitch-sandbox';
      const sandbox = await startSandbox({ ports: 0, seed: 5, env: {} });
      const response = await fetch(sandbox.urls.atomic + '/__sandbox/health');
      console.log(JSON.stringify({ status: response.status, stitcher: typeof sandbox.urls.stitcher }));
      await sandbox.stop();
    `;
    const result = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: consumer });
    expect(result.status, said(result)).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ status: 200, stitcher: 'string' });
  });

  it('TypeScript (strict, NodeNext): the declarations resolve and reject wrong use', async () => {
    // If the declarations did not resolve, everything would be `any` and the expect-errors would
    // themselves be errors ("unused @ts-expect-error").
    writeFileSync(
      join(consumer, 'test', 'types.check.ts'),
      `import { startSandbox, type Sandbox, type SandboxUrls } from 'stitch-sandbox';
export async function typed(): Promise<SandboxUrls> {
  const sandbox: Sandbox = await startSandbox({ ports: 0, seed: 1 });
  const control: string = sandbox.urls.control;
  // @ts-expect-error -- ports is 0 (free ports) or one port per server
  await startSandbox({ ports: 5 });
  // @ts-expect-error -- a URL is a string
  const wrong: number = sandbox.urls.atomic;
  void wrong;
  // @ts-expect-error -- there is no such option
  await startSandbox({ colour: 'blue' });
  void control;
  return sandbox.urls;
}
`,
    );
    const tsc = await run('npx', ['--no-install', 'tsc', '-p', 'test/tsconfig.json'], { cwd: consumer });
    expect(tsc.status, said(tsc)).toBe(0);
  }, 120_000);

  it('init sets the project up (never overwriting), and the suite it writes passes', async () => {
    const first = await npx(['init']);
    expect(first.status, said(first)).toBe(0);
    expect(first.stdout).toContain('wrote test/sandbox/global-setup.ts');
    const manifest = readFileSync(join(consumer, 'package.json'), 'utf8');
    const example = join(consumer, 'test', 'sandbox', 'example.test.ts');
    writeFileSync(example, `${readFileSync(example, 'utf8')}// edited by the bank\n`);

    const second = await npx(['init']);
    expect(second.status, said(second)).toBe(0);
    expect(second.stdout).not.toContain('wrote');
    expect(readFileSync(join(consumer, 'package.json'), 'utf8')).toBe(manifest);
    expect(readFileSync(example, 'utf8')).toMatch(/edited by the bank\n$/);

    // What init wrote type-checks as strict TypeScript in the bank's project.
    const tsc = await run(
      'npx',
      [
        '--no-install',
        'tsc',
        '--noEmit',
        '--strict',
        '--skipLibCheck',
        '--target',
        'es2022',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--types',
        'node',
        'vitest.sandbox.config.ts',
        'test/sandbox/global-setup.ts',
        'test/sandbox/example.test.ts',
      ],
      { cwd: consumer },
    );
    expect(tsc.status, said(tsc)).toBe(0);

    const suite = await run('npm', ['run', 'test:sandbox'], { cwd: consumer, env: { NO_COLOR: '1' } });
    expect(suite.status, said(suite)).toBe(0);
    expect(suite.stdout).toMatch(/Tests\s+1 passed/);
  }, 120_000);

  it('a vitest suite: one sandbox from the global setup, and a file with its own in-process sandbox', async () => {
    const vitest = await run('npx', ['--no-install', 'vitest', 'run', '--config', 'test/vitest.config.ts'], {
      cwd: consumer,
      env: { NO_COLOR: '1' },
    });
    expect(vitest.status, said(vitest)).toBe(0);
    expect(vitest.stdout).toMatch(/Test Files\s+2 passed/);
    expect(vitest.stdout).toMatch(/Tests\s+3 passed/);
  }, 120_000);
});
