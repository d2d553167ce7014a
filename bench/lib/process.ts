import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface SpawnedServer {
  child: ChildProcess;
  /** Milliseconds from spawn until `ready` resolved. */
  startupMs: number;
  /** The first JSON line the process printed, when it printed one. */
  announced: Record<string, unknown> | undefined;
  stop(): Promise<void>;
}

async function waitHealthy(urls: string[], deadline: number): Promise<void> {
  const pending = new Set(urls);
  while (pending.size > 0) {
    if (performance.now() > deadline) throw new Error(`not healthy in time: ${[...pending].join(', ')}`);
    await Promise.all(
      [...pending].map(async (url) => {
        try {
          const response = await fetch(url);
          if (response.ok) pending.delete(url);
        } catch {
          // not listening yet
        }
      }),
    );
    if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Spawns a server process and measures the time until it is usable: until every health URL answers
 * 200, where the URLs come from `healthUrls` or from the JSON line the process prints on start-up.
 */
export async function spawnServer(
  command: string,
  args: string[],
  options: {
    healthUrls?: string[];
    healthFromAnnouncement?: (announced: Record<string, unknown>) => string[];
    env?: Record<string, string>;
    timeoutMs?: number;
    cwd?: string;
    /**
     * Run in its own process group and stop the whole group: for launchers such as `npm start`,
     * whose server is a grandchild that a signal to the launcher alone may not reach.
     */
    group?: boolean;
  } = {},
): Promise<SpawnedServer> {
  const started = performance.now();
  const deadline = started + (options.timeoutMs ?? 60_000);
  const child = spawn(command, args, {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.group ?? false,
  });
  const signal = (name: NodeJS.Signals) => {
    try {
      if (options.group && child.pid !== undefined) process.kill(-child.pid, name);
      else child.kill(name);
    } catch {
      // already gone
    }
  };
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) =>
      reject(new Error(`${command} exited early (${code}): ${stderr.slice(-2000)}`)),
    ),
  );
  exited.catch(() => undefined);
  let announced: Record<string, unknown> | undefined;
  let urls = options.healthUrls ?? [];
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${command} did not become healthy within ${options.timeoutMs ?? 60_000} ms`)),
      deadline - performance.now(),
    );
  });
  timedOut.catch(() => undefined);
  try {
    if (options.healthFromAnnouncement) {
      const lines = createInterface({ input: child.stdout! });
      announced = await Promise.race([
        new Promise<Record<string, unknown>>((resolve) => {
          lines.on('line', (line) => {
            if (!line.startsWith('{')) return;
            try {
              resolve(JSON.parse(line) as Record<string, unknown>);
            } catch {
              // not the announcement
            }
          });
        }),
        exited,
        timedOut,
      ]);
      urls = options.healthFromAnnouncement(announced);
    } else {
      child.stdout!.resume();
    }
    await Promise.race([waitHealthy(urls, deadline), exited, timedOut]);
  } catch (error) {
    // Never leave a half-started server behind.
    signal('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const startupMs = performance.now() - started;
  return {
    child,
    startupMs,
    announced,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        signal('SIGTERM');
        setTimeout(() => signal('SIGKILL'), 5000).unref();
      }),
  };
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
