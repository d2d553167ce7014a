import { answer, createControlClient, type ControlClient } from '../../../control/client';

/**
 * Small helpers for driving a running platform as a script would: the control API through its
 * typed client (`control/client.ts`), other servers (the stitcher) through `api`.
 */

/** The typed control API client of the platform whose control plane answers at `base`. */
export const controlOf = (base: string): ControlClient => createControlClient(base);

export async function api<T = unknown>(
  base: string,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    ...(init.body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Polls until `check` returns a value (not undefined), every 25 ms, for at most `timeoutMs`. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Starts a scenario run through the control API and waits for it to finish. */
export async function runScenario(
  base: string,
  name: string,
  options: NonNullable<Parameters<ControlClient['api']['scenarios'][':name']['runs']['$post']>[0]>['json'],
): Promise<{ status: string; runId: string }> {
  const control = controlOf(base);
  const { runId } = await answer(
    control.api.scenarios[':name'].runs.$post({ param: { name }, ...(options ? { json: options } : {}) }),
  );
  const run = await until(`run ${runId}`, async () => {
    const view = await answer(control.api.runs[':runId'].$get({ param: { runId } }));
    return view.status === 'running' ? undefined : view;
  });
  return { status: run.status, runId };
}

/** Waits until the stitcher's inbox holds nothing pending or waiting for a retry. */
export async function stitcherDrained(stitcher: string): Promise<Record<string, number>> {
  return until('the stitcher to drain its inbox', async () => {
    const { counts } = await api<{ counts: Record<string, number> }>(stitcher, '/inbox?limit=1');
    return (counts['pending'] ?? 0) + (counts['retrying'] ?? 0) === 0 ? counts : undefined;
  });
}
