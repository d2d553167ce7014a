import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Runs the real `stitch-sandbox` command (bin/stitch-sandbox.mjs, from the TypeScript sources) in a
 * child process, the way a CI job or a developer runs it, and waits for its ready line.
 */

export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../../bin/stitch-sandbox.mjs', import.meta.url));

export interface ReadyUrls {
  control: string;
  atomic: string;
  atelio: string;
  stitcher?: string;
}

export interface CliProcess {
  child: ChildProcess;
  pid: number;
  urls: ReadyUrls;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal and waits for the exit (SIGKILL after `graceMs`). */
  stop(
    signal?: NodeJS.Signals,
    graceMs?: number,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The environment without any STITCH_* / vendor credential settings of the calling shell. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(STITCH_|ATOMIC_|ATELIO_)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, STITCH_FROM_SOURCE: '1', ...extra };
}

/** `stitch-sandbox start --port 0 …args`; resolves once the JSON ready line is out. */
export async function startCli(
  args: string[] = [],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliProcess> {
  const child = spawn(process.execPath, [BIN, 'start', '--port', '0', ...args], {
    cwd: PROJECT_ROOT,
    env: cleanEnv(options.env ?? {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  const urls = await new Promise<ReadyUrls>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`stitch-sandbox start did not get ready in time.\nstdout: ${out}\nstderr: ${err}`));
    }, options.timeoutMs ?? 20_000);
    const onData = () => {
      const line = out.split('\n').find((l) => l.startsWith('{') && l.includes('"ready"'));
      if (!line) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve((JSON.parse(line) as { urls: ReadyUrls }).urls);
    };
    child.stdout!.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(
        new Error(`stitch-sandbox start exited (${code ?? signal}) before it was ready.\nstderr: ${err}`),
      );
    });
  });

  return {
    child,
    pid: child.pid!,
    urls,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** `GET /__sandbox/health` status, or 0 when nothing answers. */
export async function healthOf(baseUrl: string): Promise<number> {
  try {
    const response = await fetch(`${baseUrl}/__sandbox/health`, { signal: AbortSignal.timeout(5000) });
    await response.body?.cancel();
    return response.status;
  } catch {
    return 0;
  }
}
