import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthOf, startCli, type CliProcess } from '../e2e/support/cli';

/**
 * Credentials and signing secrets must not leak into what the platform shows or prints for
 * machines: the request journal, the delivery log, the start-up JSON line, stderr. (The human
 * banner prints the credentials on purpose: a developer needs them to make the first call.)
 * The credentials here are unusual strings so that any appearance, anywhere, is unambiguous.
 */

const CREDENTIALS = {
  ATOMIC_API_KEY: 'ak_probe_KEY_5f1e2d3c4b',
  ATOMIC_API_SECRET: 'sk_probe_SECRET_9a8b7c6d5e',
  ATELIO_IDENTITY: 'id_probe_IDENTITY_13579',
  ATELIO_AUTHORIZATION: 'az_probe_AUTHORIZATION_24680',
};
const ATOMIC = { 'x-api-key': CREDENTIALS.ATOMIC_API_KEY, 'x-api-secret': CREDENTIALS.ATOMIC_API_SECRET };
const ATELIO = { identity: CREDENTIALS.ATELIO_IDENTITY, authorization: CREDENTIALS.ATELIO_AUTHORIZATION };

let cli: CliProcess;
/** Every secret the platform holds by the end: credentials, public tokens, webhook signing secrets. */
const secrets = new Set<string>(Object.values(CREDENTIALS));

const json = async <T>(response: Response | Promise<Response>): Promise<T> => {
  const answer = await response;
  expect(answer.status, answer.url).toBeLessThan(300);
  return (await answer.json()) as T;
};

/** The secrets that appear in `text` (with where, for the failure message). */
const leaked = (text: string) => [...secrets].filter((secret) => text.includes(secret));

beforeAll(async () => {
  cli = await startCli(['--webhook-url', 'http://127.0.0.1:9/hooks'], { env: CREDENTIALS });
  const { atomic, atelio, control } = cli.urls;

  // Server calls with the right credentials and with wrong ones that are close to them.
  await json(fetch(`${atomic}/demo-user/pay-link/accounts`, { headers: ATOMIC }));
  await fetch(`${atomic}/demo-user/pay-link/accounts`, {
    headers: { ...ATOMIC, 'x-api-secret': `${CREDENTIALS.ATOMIC_API_SECRET}x` },
  });
  await json(fetch(`${atelio}/api/v0.1/transactions?count=5`, { headers: ATELIO }));
  await fetch(`${atelio}/api/v0.1/transactions?count=5`, {
    headers: { ...ATELIO, authorization: `Bearer ${CREDENTIALS.ATELIO_AUTHORIZATION}` },
  });

  // A public token: created, used as a client credential, then revoked (it is in the revoke path).
  const { data } = await json<{ data: { publicToken: string } }>(
    fetch(`${atomic}/access-token`, {
      method: 'POST',
      headers: { ...ATOMIC, 'content-type': 'application/json' },
      body: '{"identifier":"probe-user"}',
    }),
  );
  secrets.add(data.publicToken);
  await json(fetch(`${atomic}/pay-link/accounts`, { headers: { 'x-public-token': data.publicToken } }));
  await json(fetch(`${atomic}/access-token/${data.publicToken}/revoke`, { method: 'PUT', headers: ATOMIC }));

  // An Atomic secret made through the API, and an Atelio subscription: both sign webhooks.
  const created = await json<{ data: { secret: { token: string } } }>(
    fetch(`${atomic}/secrets`, {
      method: 'POST',
      headers: { ...ATOMIC, 'content-type': 'application/json' },
      body: '{"name":"probe"}',
    }),
  );
  secrets.add(created.data.secret.token);
  const subscription = await json<{ webhook_subscription: { secret: string } }>(
    fetch(`${atelio}/api/v0.1/webhooks`, {
      method: 'POST',
      headers: { ...ATELIO, 'content-type': 'application/json' },
      body: '{"url":"http://127.0.0.1:9/probe","events":["*"],"description":"probe","version":"0.1","status":"STATUS_ENABLED"}',
    }),
  );
  secrets.add(subscription.webhook_subscription.secret);

  // Webhooks to every receiver (stitcher, --webhook-url, the probe subscription), signed with those secrets.
  const { runId } = await json<{ runId: string }>(
    fetch(`${control}/api/scenarios/amazon-order-stitching/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"seed":1}',
    }),
  );
  for (;;) {
    const run = await json<{ status: string }>(fetch(`${control}/api/runs/${runId}`));
    if (run.status !== 'running') break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // Whatever signing secrets exist by now (the state export is the one document meant to hold them).
  const state = JSON.stringify(await json(fetch(`${control}/api/state`)));
  for (const match of state.matchAll(/whsec_[A-Za-z0-9+/=_-]+/g)) secrets.add(match[0]);
}, 60_000);

afterAll(async () => {
  await cli?.stop('SIGKILL');
});

describe('secrets', () => {
  it('the probe found every kind of secret it looks for', () => {
    expect([...secrets].filter((s) => s.startsWith('whsec_')).length).toBeGreaterThanOrEqual(3);
    expect(secrets.size).toBeGreaterThanOrEqual(9);
  });

  it('never appear in the request journal (headers masked, public tokens in paths too)', async () => {
    const journal = await fetch(`${cli.urls.control}/api/requests?limit=100000`);
    const text = await journal.text();
    const { requests } = JSON.parse(text) as {
      requests: { path: string; headers: Record<string, string> }[];
    };
    expect(requests.length).toBeGreaterThan(8);
    expect(requests.some((r) => r.path.startsWith('/access-token/') && r.path.endsWith('/revoke'))).toBe(
      true,
    );
    expect(requests.some((r) => r.headers['x-api-secret'] !== undefined)).toBe(true);
    expect(leaked(text)).toEqual([]);
  });

  it('never appear in the delivery log, listing or single events, though every delivery was signed with one', async () => {
    const listing = await (await fetch(`${cli.urls.control}/api/deliveries?limit=100000`)).text();
    const { deliveries } = JSON.parse(listing) as {
      deliveries: { id: string; vendor: string; targets: { attempts: { signature: string }[] }[] }[];
    };
    expect(deliveries.length).toBeGreaterThan(20);
    expect(new Set(deliveries.map((d) => d.vendor))).toEqual(new Set(['atomic', 'atelio']));
    expect(
      deliveries.every((d) => d.targets.every((t) => t.attempts.every((a) => a.signature.length > 0))),
    ).toBe(true);
    expect(leaked(listing)).toEqual([]);
    for (const delivery of deliveries.slice(0, 25)) {
      expect(leaked(await (await fetch(`${cli.urls.control}/api/deliveries/${delivery.id}`)).text())).toEqual(
        [],
      );
    }
  });

  it('never appear in the start-up JSON line or on stderr', async () => {
    const ready = cli
      .stdout()
      .split('\n')
      .find((line) => line.includes('"ready"'));
    expect(ready).toBeDefined();
    expect(leaked(cli.stdout())).toEqual([]);
    expect(await healthOf(cli.urls.control)).toBe(200);
    expect(leaked(cli.stderr())).toEqual([]);
  });
});
