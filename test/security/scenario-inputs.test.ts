import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type CliProcess } from '../e2e/support/cli';

/**
 * What a scenario name in `POST /api/scenarios/{name}/runs` can reach: the shipped library and the
 * folders given with `--scenarios` at start, by name, and nothing else. Hostile files inside a
 * configured folder (a FIFO, a huge file, a repeat bomb) are refused with a 4xx without blocking
 * the platform. Every request carries a 2 s abort: a hang fails the test instead of stalling it.
 * (The latency of these answers is measured in bench/security-probes.ts.)
 */

let cli: CliProcess;
let work: string;
let planted: string;
let recordings: string;

/** 50 steps repeated 10,001 times: 2 KB of YAML that would expand to 500,050 steps. */
function repeatBomb(): string {
  const inner = Array.from(
    { length: 50 },
    (_, i) => `      - { name: s${i}, type: create-customer, lastFour: '4242' }`,
  ).join('\n');
  return `version: 1\nname: bomb\ndescription: d\nsteps:\n  - repeat: { from: 0, to: 10000, at: +1d, every: +1m }\n    steps:\n${inner}\n`;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'stitch-scenario-inputs-'));
  const dir = join(work, 'scenarios');
  mkdirSync(dir);
  // A planted file outside every configured folder: must never run.
  planted = join(work, 'planted.yaml');
  writeFileSync(
    planted,
    "version: 1\nname: planted\ndescription: planted\nsteps:\n  - { name: c, type: create-customer, lastFour: '1111' }\n",
  );
  writeFileSync(
    join(work, 'secrets.json'),
    JSON.stringify({ awsSecretAccessKey: 'x', databasePassword: 'y' }),
  );
  writeFileSync(join(dir, 'bomb.yaml'), repeatBomb());
  writeFileSync(
    join(dir, 'huge.yaml'),
    `version: 1\nname: huge\ndescription: "${'x'.repeat(300 * 1024)}"\nsteps: []\n`,
  );
  execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
  writeFileSync(
    join(dir, 'team-story.yaml'),
    "version: 1\nname: team-story\ndescription: A team's own story.\nsteps:\n  - { name: c, type: create-customer, lastFour: '4242' }\n",
  );
  recordings = join(work, 'recordings');
  cli = await startCli(['--scenarios', dir], { env: { STITCH_RECORDINGS_DIR: recordings } });
});

afterAll(async () => {
  await cli?.stop('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

async function startRun(name: string) {
  const response = await fetch(`${cli.urls.control}/api/scenarios/${encodeURIComponent(name)}/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
    signal: AbortSignal.timeout(2000),
  });
  return {
    status: response.status,
    body: (await response.json()) as { error?: { code: string; message: string } },
  };
}

describe('scenario names over the control API', () => {
  it('never resolve to a path: absolute, relative and traversing names are unknown scenarios, and file contents do not leak', async () => {
    for (const name of [
      planted,
      join(work, 'secrets.json'),
      '../../../../etc/passwd.yaml',
      `${work}/../${planted}`,
      'planted',
    ]) {
      const { status, body } = await startRun(name);
      expect(status, name).toBe(404);
      expect(body.error?.code).toBe('scenario_not_found');
      expect(body.error?.message).not.toMatch(/awsSecretAccessKey|databasePassword/);
    }
    const runs = (await (await fetch(`${cli.urls.control}/api/runs`)).json()) as { runs: unknown[] };
    expect(runs.runs).toEqual([]);
  });

  it('resolve to the files of a --scenarios folder by name', async () => {
    const { status } = await startRun('team-story');
    expect(status).toBe(202);
  });

  it('refuse a FIFO, a file over the size limit and a repeat bomb with 422, and the platform keeps answering', async () => {
    const cases: [string, RegExp][] = [
      ['fifo', /not a regular file/],
      ['huge', /at most 262144 bytes/],
      ['bomb', /expands to 500050 steps/],
    ];
    for (const [name, message] of cases) {
      const { status, body } = await startRun(name);
      expect(status, name).toBe(422);
      expect(body.error?.code).toBe('scenario_invalid');
      expect(body.error?.message).toMatch(message);
    }
    // The listing reads the same folder and names the same problems, without blocking on the FIFO.
    const listing = (await (
      await fetch(`${cli.urls.control}/api/scenarios`, { signal: AbortSignal.timeout(2000) })
    ).json()) as { scenarios: { name: string; error?: string }[] };
    expect(listing.scenarios.find((s) => s.name === 'fifo')?.error).toMatch(/not a regular file/);
    for (const url of Object.values(cli.urls)) {
      const health = await fetch(`${url}/__sandbox/health`, { signal: AbortSignal.timeout(2000) });
      expect(health.status).toBe(200);
    }
  });

  it('keeps recordings of runs started over HTTP in a private folder (0700, files 0600)', async () => {
    const response = await fetch(`${cli.urls.control}/api/scenarios/multi-settlement/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ record: true, seed: 4 }),
    });
    expect(response.status).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    let recording: Response | undefined;
    await expect
      .poll(async () => {
        recording = await fetch(`${cli.urls.control}/api/runs/${runId}/recording`);
        return recording.status;
      })
      .toBe(200);
    expect(await recording!.text()).toContain('"type":"run"');
    expect(statSync(recordings).mode & 0o777).toBe(0o700);
    const files = readdirSync(recordings);
    expect(files).toHaveLength(1);
    expect(statSync(join(recordings, files[0]!)).mode & 0o777).toBe(0o600);
    // Reset deletes them.
    expect((await fetch(`${cli.urls.control}/api/reset`, { method: 'POST' })).status).toBe(200);
    expect(readdirSync(recordings)).toEqual([]);
  });
});
