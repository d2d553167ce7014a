/**
 * The container image, built from the Containerfile with podman and run as a bank's CI would run
 * it: published on the host's network, every server bound to 0.0.0.0 inside, healthy by its own
 * HEALTHCHECK, a scenario played through it over HTTP, the state file kept on a mounted volume,
 * and a clean stop on SIGTERM.
 *
 * Where Docker Hub is out of reach, the base is `test/installed/container/base-image.sh`'s
 * stand-in for node:20-bookworm-slim (Debian bookworm from Debian's mirror plus this machine's
 * node); `STITCH_CONTAINER_BASE=node:20-bookworm-slim` uses the real one.
 */
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PROJECT_ROOT, recordMeasurements, run, runScenarioOver, said } from './support';

const work = mkdtempSync(join(tmpdir(), 'stitch-container-'));
const context = join(work, 'context');
const data = join(work, 'data');
const IMAGE = 'localhost/stitch-sandbox:ci';
const NAME = `stitch-sandbox-ci-${process.pid}`;
const TOKEN = 'container-test-token';
const auth = { Authorization: `Bearer ${TOKEN}` };

/** podman here refuses the default ulimits; an empty list lets the container inherit ours. */
const containersConf = join(work, 'containers.conf');
const podman = (args: string[]) =>
  run('podman', ['--runtime', 'runc', ...args], { cwd: work, env: { CONTAINERS_CONF: containersConf } });

/** Ports nothing listens on now: the container shares the host's network. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => {
      const server = createServer();
      return new Promise<ReturnType<typeof createServer>>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve(server)),
      );
    }),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

const figures: Record<string, number> = {};

beforeAll(async () => {
  writeFileSync(containersConf, '[containers]\ndefault_ulimits = []\n');
  const base =
    process.env['STITCH_CONTAINER_BASE'] ??
    (await (async () => {
      const made = await run('bash', [join(PROJECT_ROOT, 'test/installed/container/base-image.sh')], {
        cwd: work,
        env: { CONTAINERS_CONF: containersConf },
      });
      expect(made.status, said(made)).toBe(0);
      figures['baseImageMs'] = made.ms;
      return made.stdout.trim().split('\n').at(-1)!;
    })());

  // The build context is the package tarball alone, as `.dockerignore` makes it in a checkout.
  mkdirSync(context, { recursive: true });
  const build = await run(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: PROJECT_ROOT });
  expect(build.status, said(build)).toBe(0);
  const pack = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', context], {
    cwd: PROJECT_ROOT,
  });
  expect(pack.status, said(pack)).toBe(0);
  copyFileSync(join(PROJECT_ROOT, 'Containerfile'), join(work, 'Containerfile'));

  // `--format docker`: the OCI format has no HEALTHCHECK. `--layers=false`: no intermediate
  // images left behind (each run would otherwise leave the install stage, about 900 MB).
  const image = await podman([
    'build',
    '--format',
    'docker',
    '--layers=false',
    '--network',
    'host',
    '--build-arg',
    `BASE=${base}`,
    '-t',
    IMAGE,
    '-f',
    join(work, 'Containerfile'),
    context,
  ]);
  expect(image.status, said(image)).toBe(0);
  figures['imageBuildMs'] = image.ms;
}, 1_800_000);

afterAll(async () => {
  await podman(['rm', '--force', '--ignore', NAME]);
  await podman(['rmi', '--force', '--ignore', IMAGE]);
  rmSync(work, { recursive: true, force: true });
});

it('starts healthy, plays a scenario over HTTP, keeps its state on the volume and stops cleanly on SIGTERM', async () => {
  const [control, atomic, atelio, stitcher, transact] = await freePorts(5);
  // The image runs as uid 1000: the mounted directory must be writable by it.
  mkdirSync(data, { recursive: true });
  chmodSync(data, 0o777);

  const started = Date.now();
  const container = await podman([
    'run',
    '--detach',
    '--name',
    NAME,
    '--network',
    'host',
    '--volume',
    `${data}:/data`,
    '--env',
    `STITCH_CONTROL_PORT=${control}`,
    '--env',
    `STITCH_ATOMIC_PORT=${atomic}`,
    '--env',
    `STITCH_ATELIO_PORT=${atelio}`,
    '--env',
    `STITCH_STITCHER_PORT=${stitcher}`,
    '--env',
    `STITCH_TRANSACT_PORT=${transact}`,
    '--env',
    `STITCH_CONTROL_TOKEN=${TOKEN}`,
    IMAGE,
    'start',
    '--state-file',
    '/data/state.json',
  ]);
  expect(container.status, said(container)).toBe(0);

  // The image's own HEALTHCHECK decides, as `docker compose` `depends_on: service_healthy` would.
  for (;;) {
    const check = await podman(['healthcheck', 'run', NAME]);
    if (check.status === 0) break;
    const state = await podman(['inspect', '--format', '{{.State.Status}}', NAME]);
    const logs = await podman(['logs', NAME]);
    expect(state.stdout.trim(), `container stopped before it was healthy\n${said(logs)}`).toBe('running');
    expect(Date.now() - started, `not healthy in 60 s\n${said(logs)}`).toBeLessThan(60_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  figures['timeToHealthyMs'] = Date.now() - started;

  // Bound to 0.0.0.0 inside: the servers answer on this machine's other addresses too, and the
  // control plane, exposed, answers only with its token.
  const address = Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry?.family === 'IPv4' && !entry.internal)?.address;
  expect(address, 'this machine has no non-loopback IPv4 address').toBeDefined();
  const health = await fetch(`http://${address}:${atelio}/__sandbox/health`);
  expect(health.status).toBe(200);
  const anonymous = await fetch(`http://${address}:${control}/api/scenarios`);
  expect(anonymous.status).toBe(401);
  const withToken = await fetch(`http://${address}:${control}/api/scenarios`, { headers: auth });
  expect(withToken.status).toBe(200);

  const controlUrl = `http://127.0.0.1:${control}`;
  const runView = await runScenarioOver(
    controlUrl,
    'multi-settlement',
    { seed: 4, identifier: 'ctr-1' },
    auth,
  );
  expect(runView).toMatchObject({ status: 'completed', webhookCount: 3 });
  const page = await fetch(`http://127.0.0.1:${atelio}/api/v0.1/transactions?customer_id=ctr-1&count=10`, {
    headers: { Identity: 'test-identity', Authorization: 'test-authorization' },
  });
  const body = (await page.json()) as { transactions: { state: string; amount: string }[] };
  expect(body.transactions.map((t) => [t.state, t.amount])).toEqual([['completed', '-35.93']]);

  const stopped = await podman(['stop', '--time', '20', NAME]);
  expect(stopped.status, said(stopped)).toBe(0);
  const exit = await podman(['inspect', '--format', '{{.State.ExitCode}}', NAME]);
  expect(exit.stdout.trim()).toBe('0');

  // The platform saved its state to the volume on the way out.
  const stateFile = join(data, 'state.json');
  expect(existsSync(stateFile)).toBe(true);
  expect(readFileSync(stateFile, 'utf8')).toContain('ctr-1');

  recordMeasurements('container', figures);
}, 120_000);
