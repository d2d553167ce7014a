import { afterEach, describe, expect, it } from 'vitest';
import { startCaptureReceiver, type CaptureReceiver } from '../support/capture-receiver';
import { startSandbox, type Sandbox } from '../../control/platform';

/**
 * `POST /api/reset` restores data and keeps the webhook configuration a user registered through
 * the vendor APIs, so a test suite that registers once and resets between tests keeps receiving;
 * `{"keep": []}` wipes that configuration too.
 */

const ATOMIC = { 'x-api-key': 'test-api-key', 'x-api-secret': 'test-api-secret' };
const ATELIO = { Identity: 'test-identity', Authorization: 'test-authorization' };

let sandbox: Sandbox;
let hook: CaptureReceiver;
afterEach(async () => {
  await sandbox?.stop();
  await hook?.close();
});

async function call(url: string, method: string, headers: Record<string, string>, body?: unknown) {
  const response = await fetch(url, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

/** A value inside a JSON answer, by its path of keys. */
const at = (value: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((current, key) => (current as Record<string, unknown> | undefined)?.[key], value);
const idAt = (value: unknown, ...keys: string[]) => String(at(value, ...keys));

/** Registers the capture receiver with both vendors, the way an integrator does. */
async function registerThroughVendorApis() {
  const secret = await call(`${sandbox.urls.atomic}/secrets`, 'POST', ATOMIC, { name: 'my receiver' });
  expect(secret.status).toBe(200);
  const endpoint = await call(`${sandbox.urls.atomic}/webhooks/endpoints`, 'POST', ATOMIC, {
    url: `${hook.url}/atomic`,
    secretId: idAt(secret.body, 'data', 'secret', '_id'),
    eventTypes: ['task-status-updated', 'pay-link-accounts-updated'],
  });
  expect(endpoint.status).toBe(200);
  const subscription = await call(`${sandbox.urls.atelio}/api/v0.1/webhooks`, 'POST', ATELIO, {
    url: `${hook.url}/atelio`,
    events: ['transactions'],
  });
  expect(subscription.status).toBe(201);
  return {
    secretId: idAt(secret.body, 'data', 'secret', '_id'),
    endpointId: idAt(endpoint.body, 'data', 'endpoint', '_id'),
    subscriptionId: idAt(subscription.body, 'webhook_subscription', 'id'),
  };
}

async function registrations() {
  const endpoints = await call(`${sandbox.urls.atomic}/webhooks/endpoints`, 'GET', ATOMIC);
  const secrets = await call(`${sandbox.urls.atomic}/secrets`, 'GET', ATOMIC);
  const subscriptions = await call(`${sandbox.urls.atelio}/api/v0.1/webhooks`, 'GET', ATELIO);
  return {
    endpointUrls: (at(endpoints.body, 'data', 'endpoints') as { url: string }[]).map((e) => e.url),
    secretIds: (at(secrets.body, 'data', 'secrets') as { _id: string }[]).map((s) => s._id),
    subscriptionUrls: (at(subscriptions.body, 'webhook_subscriptions') as { url: string }[]).map(
      (s) => s.url,
    ),
  };
}

const reset = (body?: unknown) => call(`${sandbox.urls.control}/api/reset`, 'POST', {}, body);

/** Plays a story touching both vendors and says which of the receiver's paths got deliveries. */
async function playAndCollect(identifier: string) {
  const before = hook.requests.length;
  const view = await sandbox.scenarios.start('amazon-order-stitching', { seed: 5, identifier }).done;
  expect(view.status).toBe('completed');
  await sandbox.engine.idle();
  return new Set(hook.requests.slice(before).map((r) => r.path));
}

describe('POST /api/reset and webhook registrations', () => {
  it('keeps endpoints, secrets and subscriptions registered through the vendor APIs, and they keep receiving', async () => {
    sandbox = await startSandbox({ ports: 0, env: {}, seed: 4, stitcher: false });
    hook = await startCaptureReceiver();
    const ids = await registerThroughVendorApis();
    expect(await playAndCollect('before-reset')).toEqual(new Set(['/atomic', '/atelio']));

    const answer = await reset();
    expect(answer).toEqual({ status: 200, body: { status: 'reset', kept: ['webhooks'] } });
    const after = await registrations();
    expect(after.endpointUrls).toContain(`${hook.url}/atomic`);
    expect(after.secretIds).toContain(ids.secretId);
    expect(after.subscriptionUrls).toContain(`${hook.url}/atelio`);
    // The data did go back to the baseline.
    expect(sandbox.atelio.getCustomer('before-reset')).toBeUndefined();

    // Same identifier again: possible only because the data was reset; the receiver still gets both vendors.
    expect(await playAndCollect('before-reset')).toEqual(new Set(['/atomic', '/atelio']));
    const subscription = await call(
      `${sandbox.urls.atelio}/api/v0.1/webhooks/${ids.subscriptionId}`,
      'GET',
      ATELIO,
    );
    expect(subscription.status).toBe(200);
    // New registrations after the reset never reuse a kept id.
    const another = await call(`${sandbox.urls.atelio}/api/v0.1/webhooks`, 'POST', ATELIO, {
      url: `${hook.url}/other`,
      events: ['transactions'],
    });
    expect(another.status).toBe(201);
    expect(idAt(another.body, 'webhook_subscription', 'id')).not.toBe(ids.subscriptionId);
  });

  it('wipes every registration with {"keep": []}', async () => {
    sandbox = await startSandbox({ ports: 0, env: {}, seed: 4, stitcher: false });
    hook = await startCaptureReceiver();
    const ids = await registerThroughVendorApis();

    expect(await reset({ keep: [] })).toEqual({ status: 200, body: { status: 'reset', kept: [] } });
    const after = await registrations();
    expect(after.endpointUrls).not.toContain(`${hook.url}/atomic`);
    expect(after.secretIds).not.toContain(ids.secretId);
    expect(after.subscriptionUrls).not.toContain(`${hook.url}/atelio`);
    expect(await playAndCollect('after-wipe')).toEqual(new Set());
  });

  it('refuses an unknown thing to keep with a clear error', async () => {
    sandbox = await startSandbox({ ports: 0, env: {}, seed: 4, stitcher: false });
    hook = await startCaptureReceiver();
    const answer = await reset({ keep: ['everything'] });
    expect(answer.status).toBe(400);
    expect(at(answer.body, 'error')).toMatchObject({ code: 'invalid_request' });
  });
});
