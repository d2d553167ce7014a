import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/clock';
import { createDeliveryEngine, verifyAtelio, type DeliveryEngine } from '../../core/webhooks';
import { startCaptureReceiver, type CaptureReceiver } from '../../test/support/capture-receiver';
import { createAtelioStore, type AtelioStore } from '../store/store';
import { TransactionsWebhookEventSchema } from './events';
import { wireAtelioWebhooks } from './wire';

const START = Date.parse('2023-12-16T19:42:05.000Z');
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(): Promise<{
  clock: VirtualClock;
  store: AtelioStore;
  engine: DeliveryEngine;
  hook: CaptureReceiver;
  cardId: string;
}> {
  const clock = new VirtualClock(START);
  const store = createAtelioStore({ seed: 3, clock, baseline: false });
  const engine = createDeliveryEngine({ clock });
  const hook = await startCaptureReceiver();
  cleanup.push(
    () => hook.close(),
    () => engine.stop(),
  );
  const { card } = store.createCustomerWithCard({ customerId: 'user-1', lastFour: '4242' });
  return { clock, store, engine, hook, cardId: card.card_id };
}

const parse = (raw: Buffer) => TransactionsWebhookEventSchema.parse(JSON.parse(raw.toString('utf8')));
const authorize = (store: AtelioStore, cardId: string) =>
  store.authorizeCardPurchase({ cardId, amount: '35.93', merchantName: 'Paypal *Sephora Usa', mcc: '5977' });

describe('wireAtelioWebhooks', () => {
  it('delivers each change of a multi-settlement purchase as a signed transactions event', async () => {
    const { clock, store, engine, hook, cardId } = await setup();
    wireAtelioWebhooks(store, engine);
    const subscription = store.createWebhookSubscription({
      url: `${hook.url}/atelio`,
      events: ['transactions'],
    });

    const pending = authorize(store, cardId);
    await clock.advance(60_000);
    store.settleTransaction(pending.transaction_id, { amount: '30.49' });
    await clock.advance(60_000);
    store.settleTransaction(pending.transaction_id, { amount: '5.44' });
    await clock.runUntilIdle();

    const bodies = hook.requests.map((r) => parse(r.raw));
    expect(bodies.map((b) => [b.state, b.amount, b.details])).toMatchObject([
      ['pending', '-35.93', {}],
      ['completed', '-30.49', { settlements: [{ amount: '-30.49' }] }],
      ['completed', '-35.93', { settlements: [{ amount: '-30.49' }, { amount: '-5.44' }] }],
    ]);
    expect(
      bodies.every((b) => b.event === 'transactions' && b.transaction_id === pending.transaction_id),
    ).toBe(true);
    // Signed at the real send time (a receiver checks it against its wall clock), over the bytes sent.
    const nowSeconds = Math.floor(Date.now() / 1000);
    for (const request of hook.requests) {
      const verified = verifyAtelio(
        request.raw,
        subscription.secret,
        String(request.headers['bond-signature']),
        {
          nowSeconds,
        },
      );
      expect(verified.ok).toBe(true);
      expect(nowSeconds - (verified.ok ? verified.timestamp : 0)).toBeLessThan(300);
    }
  });

  it('names the customer of each transaction as the subject of its event, on the delivery record', async () => {
    const { clock, store, engine, cardId } = await setup();
    wireAtelioWebhooks(store, engine);
    store.createWebhookSubscription({ url: 'http://127.0.0.1:9/atelio', events: ['transactions'] });
    const other = store.createCustomerWithCard({ customerId: 'user-2', lastFour: '1111' }).card.card_id;
    const settled: (string | undefined)[] = [];
    engine.events.on('settled', (e) => settled.push(e.subject));

    const pending = authorize(store, cardId);
    store.settleTransaction(pending.transaction_id, { amount: '35.93' });
    authorize(store, other);
    await clock.runUntilIdle();

    const records = engine.log.list();
    expect(records).toHaveLength(3);
    for (const record of records)
      expect(record.subject).toBe((JSON.parse(record.body) as { customer_id: string }).customer_id);
    expect(engine.log.list({ subject: 'user-1' }).map((r) => r.subject)).toEqual(['user-1', 'user-1']);
    expect(engine.log.list({ subject: 'user-2' })).toHaveLength(1);
    expect(settled.sort()).toEqual(['user-1', 'user-1', 'user-2']);
  });

  it('honours wildcards and skips disabled subscriptions and other event patterns', async () => {
    const { clock, store, engine, hook, cardId } = await setup();
    wireAtelioWebhooks(store, engine);
    store.createWebhookSubscription({ url: `${hook.url}/wildcard`, events: ['trans*'] });
    store.createWebhookSubscription({ url: `${hook.url}/cards`, events: ['card*'] });
    store.createWebhookSubscription({
      url: `${hook.url}/disabled`,
      events: ['*'],
      status: 'STATUS_DISABLED',
    });

    authorize(store, cardId);
    await clock.runUntilIdle();

    expect(hook.requests.map((r) => r.path)).toEqual(['/wildcard']);
  });

  it('never sends failed transactions', async () => {
    const { clock, store, engine, hook, cardId } = await setup();
    wireAtelioWebhooks(store, engine);
    store.registerWebhookUrl(`${hook.url}/all`);

    const pending = authorize(store, cardId);
    store.failTransaction(pending.transaction_id);
    await clock.runUntilIdle();

    expect(hook.requests.map((r) => parse(r.raw).state)).toEqual(['pending']);
  });

  it('stops sending once unsubscribed', async () => {
    const { clock, store, engine, hook, cardId } = await setup();
    const unwire = wireAtelioWebhooks(store, engine);
    store.registerWebhookUrl(`${hook.url}/all`);
    unwire();

    authorize(store, cardId);
    await clock.runUntilIdle();

    expect(hook.requests).toHaveLength(0);
  });
});
