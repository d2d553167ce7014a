import { describe, expect, it } from 'vitest';
import { emptyBank, envelope } from '../testing';
import { eventMatches } from './event-names';
import { WebhookSubscriptionEnvelopeSchema, WebhookSubscriptionListSchema } from './schema';

const WEBHOOKS = '/api/v0.1/webhooks';
const valid = {
  url: 'https://bank.example/webhooks/atelio',
  events: ['transactions'],
  description: 'stitching',
};

async function created(body: Record<string, unknown> = valid) {
  const h = emptyBank();
  const res = await h.send(WEBHOOKS, body);
  expect(res.status).toBe(201);
  return {
    ...h,
    subscription: WebhookSubscriptionEnvelopeSchema.strict().parse(res.body).webhook_subscription,
  };
}

describe('POST /webhooks', () => {
  it('stores the subscription and answers {webhook_subscription} with a whsec_ secret', async () => {
    const { subscription, store } = await created();
    expect(subscription).toMatchObject({
      url: valid.url,
      events: ['transactions'],
      description: 'stitching',
      version: '0.1',
      status: 'STATUS_ENABLED',
      created_time: '2024-06-15T12:00:00.000000+00:00',
    });
    expect(subscription.secret).toMatch(/^whsec_[A-Za-z0-9]{32}$/);
    expect(store.subscriptionsFor('transactions')).toEqual([subscription]);
  });

  it('accepts wildcards and an explicit disabled status', async () => {
    const { subscription, store } = await created({
      ...valid,
      events: ['card*', 'kyc.verification.*'],
      status: 'STATUS_DISABLED',
    });
    expect(subscription.status).toBe('STATUS_DISABLED');
    expect(store.subscriptionsFor('card.created')).toEqual([]);
  });

  it.each([
    [{ ...valid, url: 'not a url' }, 'url'],
    [{ ...valid, url: 'ftp://bank.example/hook' }, 'url'],
    [{ ...valid, events: [] }, 'events'],
    [{ ...valid, events: ['nonsense'] }, 'events'],
    [{ ...valid, events: ['Transactions'] }, 'events'],
    [{ ...valid, events: 'transactions' }, 'events'],
    [{ ...valid, version: '1.0' }, 'version'],
    [{ ...valid, status: 'enabled' }, 'status'],
    [{ events: ['transactions'] }, 'url'],
  ])('rejects %j with 400 naming %s', async (body, field) => {
    const res = await emptyBank().send(WEBHOOKS, body);
    expect(res.status).toBe(400);
    const error = envelope(res.body);
    expect(error.Code).toBe('invalid_request');
    expect(error.Message).toContain(field);
  });

  it('answers 403 without credentials', async () => {
    const res = await emptyBank().app.request(WEBHOOKS, { method: 'POST', body: JSON.stringify(valid) });
    expect(res.status).toBe(403);
  });
});

describe('GET /webhooks', () => {
  it('lists every subscription', async () => {
    const { subscription, send, get } = await created();
    const other = await send(WEBHOOKS, { ...valid, events: ['*'] });
    const res = await get(WEBHOOKS);
    expect(res.status).toBe(200);
    const body = WebhookSubscriptionListSchema.strict().parse(res.body);
    expect(body.webhook_subscriptions.map((s) => s.id)).toEqual([
      subscription.id,
      WebhookSubscriptionEnvelopeSchema.parse(other.body).webhook_subscription.id,
    ]);
  });

  it('gets one by id and answers 404 webhook_dne for an unknown one', async () => {
    const { subscription, get } = await created();
    expect((await get(`${WEBHOOKS}/${subscription.id}`)).body).toEqual({
      webhook_subscription: subscription,
    });
    expect(envelope((await get(`${WEBHOOKS}/nope`)).body).Code).toBe('webhook_dne');
  });
});

describe('PATCH /webhooks/{id}', () => {
  it('changes only the given fields and keeps the secret', async () => {
    const { subscription, send, store } = await created();
    const res = await send(
      `${WEBHOOKS}/${subscription.id}`,
      { status: 'STATUS_DISABLED', events: ['card*'] },
      'PATCH',
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      webhook_subscription: { ...subscription, status: 'STATUS_DISABLED', events: ['card*'] },
    });
    expect(store.subscriptionsFor('transactions')).toEqual([]);
  });

  it('rejects an empty patch, a bad field, and answers 404 for an unknown id', async () => {
    const { subscription, send } = await created();
    expect(envelope((await send(`${WEBHOOKS}/${subscription.id}`, {}, 'PATCH')).body).Code).toBe(
      'invalid_request',
    );
    const bad = await send(`${WEBHOOKS}/${subscription.id}`, { version: '0.2' }, 'PATCH');
    expect(bad.status).toBe(400);
    expect(envelope(bad.body).Message).toContain('version');
    expect((await send(`${WEBHOOKS}/nope`, { status: 'STATUS_ENABLED' }, 'PATCH')).status).toBe(404);
  });
});

describe('DELETE /webhooks/{id}', () => {
  it('removes the subscription and answers with it', async () => {
    const { subscription, send, get, store } = await created();
    const res = await send(`${WEBHOOKS}/${subscription.id}`, undefined, 'DELETE');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ webhook_subscription: subscription });
    expect(store.subscriptionsFor('transactions')).toEqual([]);
    expect((await get(`${WEBHOOKS}/${subscription.id}`)).status).toBe(404);
    expect((await send(`${WEBHOOKS}/${subscription.id}`, undefined, 'DELETE')).status).toBe(404);
  });
});

describe('event name wildcards', () => {
  it.each([
    ['*', 'transactions', true],
    ['card*', 'card.status.active', true],
    ['card*', 'transactions', false],
    ['card.status.*', 'card.created', false],
    ['transactions', 'transactions', true],
    ['transactions', 'transactions.x', false],
    ['kyc.*.success', 'kyc.verification.success', true],
    ['card.created', 'cardXcreated', false],
  ])('%s matches %s: %s', (pattern, name, expected) => {
    expect(eventMatches(pattern, name)).toBe(expected);
  });
});
