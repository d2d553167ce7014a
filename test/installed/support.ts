import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Helpers for the tests that use stitch-sandbox the way another project does: from a packed
 * tarball installed in a temporary project, or from a container image. Commands run in child
 * processes with an environment cleared of this run's own settings.
 */

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/installed/', import.meta.url));

/**
 * The caller's environment without what would make a child behave as part of this run: vitest's
 * worker settings, npm's per-script settings (`npm_*`, set by `npm run`), and the platform's own
 * STITCH_* / credential variables.
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(VITEST|npm_|STITCH_|ATOMIC_|ATELIO_)/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

export interface Finished {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to completion; never rejects on a non-zero exit (the test checks `status`). */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string>; input?: string } = { cwd: PROJECT_ROOT },
): Promise<Finished> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: childEnv(options.env),
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    if (options.input !== undefined) child.stdin!.end(options.input);
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr, ms: Date.now() - started }));
  });
}

/** What a failed command said, for assertion messages. */
export const said = (result: Finished) => `exit ${result.status}\n${result.stdout}\n${result.stderr}`;

export interface ReadyProcess {
  child: ChildProcess;
  urls: Record<string, string>;
  /** Milliseconds from spawn to the ready line. */
  readyMs: number;
  stderr(): string;
  /** SIGTERM to the command and every process it started, then their exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns a `stitch-sandbox start --port 0` style command and resolves with its JSON ready line. */
export function startReady(
  command: string,
  args: string[],
  options: { cwd: string; timeoutMs?: number },
): Promise<ReadyProcess> {
  const started = Date.now();
  // Its own process group: `npx` runs the command as a child of its own and does not pass SIGTERM
  // on, so stopping signals the whole group, and the stop is over when every process that held the
  // output pipes has closed them.
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // The group is gone already.
    }
  };
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signalGroup('SIGKILL');
      reject(new Error(`no ready line in time.\nstdout: ${out}\nstderr: ${err}`));
    }, options.timeoutMs ?? 30_000);
    const onData = () => {
      const line = out.split('\n').find((l) => l.startsWith('{') && l.includes('"ready"'));
      if (!line) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({
        child,
        urls: (JSON.parse(line) as { urls: Record<string, string> }).urls,
        readyMs: Date.now() - started,
        stderr: () => err,
        stop: () => {
          signalGroup('SIGTERM');
          return closed;
        },
      });
    };
    child.stdout.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code ?? signal}) before it was ready.\nstdout: ${out}\nstderr: ${err}`));
    });
  });
}

/** Adds figures to test-artifacts/installed/<name>.json, and prints them. */
export function recordMeasurements(name: string, figures: Record<string, unknown>): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(`${ARTIFACTS}${name}.json`, `${JSON.stringify(figures, null, 2)}\n`);
  process.stdout.write(`${name}: ${JSON.stringify(figures)}\n`);
}

/** Runs a scenario through a control plane over HTTP and waits for it to finish. */
export async function runScenarioOver(
  controlUrl: string,
  name: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ status: string; webhookCount: number }> {
  const started = await fetch(`${controlUrl}/api/scenarios/${name}/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  if (started.status !== 202) throw new Error(`run refused: ${started.status} ${await started.text()}`);
  const { runId } = (await started.json()) as { runId: string };
  for (;;) {
    const run = (await (await fetch(`${controlUrl}/api/runs/${runId}`, { headers })).json()) as {
      status: string;
      webhookCount: number;
    };
    if (run.status !== 'running') return run;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
