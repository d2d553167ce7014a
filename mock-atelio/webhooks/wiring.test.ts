import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createDeliveryEngine,
  startCaptureReceiver,
  type CaptureReceiver,
  type PublishInput,
} from '../../core/webhooks';
import { emptyBank } from '../test-support';
import { TransactionsWebhookEventSchema } from './events';
import { wireAtelioWebhooks } from './wiring';

function recordingEngine() {
  const published: PublishInput[] = [];
  return { published, publish: (input: PublishInput) => (published.push(input), 'evt') };
}

describe('wireAtelioWebhooks', () => {
  it('publishes one transactions event per transaction change to the matching enabled subscriptions', () => {
    const { store } = emptyBank();
    const all = store.registerWebhookUrl('https://a.test/all');
    store.createWebhookSubscription({ url: 'https://a.test/cards', events: ['card*'] });
    store.createWebhookSubscription({ url: 'https://a.test/off', events: ['*'], status: 'STATUS_DISABLED' });
    const engine = recordingEngine();
    wireAtelioWebhooks(store, engine);

    const tx = store.authorizeCardPurchase({
      cardId: 'card-1',
      amount: '35.93',
      merchantName: 'Paypal *Sephora Usa',
    });
    store.settleTransaction(tx.transaction_id, { amount: '30.49' });

    expect(engine.published).toHaveLength(2);
    for (const input of engine.published) {
      expect(input).toMatchObject({ vendor: 'atelio', eventType: 'transactions' });
      expect(input.targets).toEqual([{ id: all.id, url: 'https://a.test/all', secret: all.secret }]);
    }
    const bodies = engine.published.map((p) => TransactionsWebhookEventSchema.parse(p.body));
    expect(bodies.map((b) => [b.state, b.amount])).toEqual([
      ['pending', '-35.93'],
      ['completed', '-30.49'],
    ]);
    expect(engine.published[1]!.time).toBe(Date.parse(bodies[1]!.occurred_at.replace('000+00:00', 'Z')));
  });

  it('sends nothing for failed transactions, card changes, or when nobody subscribes', () => {
    const { store } = emptyBank();
    const engine = recordingEngine();
    wireAtelioWebhooks(store, engine);
    store.authorizeCardPurchase({ cardId: 'card-1', amount: '1.00', merchantName: 'X' });
    expect(engine.published).toEqual([]);
    store.registerWebhookUrl('https://a.test/all');
    const ach = store.createAchTransfer({ accountId: 'acct-1', direction: 'credit', amount: '5.00' });
    store.failTransaction(ach.transaction_id);
    store.setCardStatus('card-1', 'lost');
    expect(engine.published.map((p) => (p.body as { state: string }).state)).toEqual(['pending']);
  });

  it('stops publishing once disconnected', () => {
    const { store } = emptyBank();
    store.registerWebhookUrl('https://a.test/all');
    const engine = recordingEngine();
    const off = wireAtelioWebhooks(store, engine);
    off();
    store.authorizeCardPurchase({ cardId: 'card-1', amount: '1.00', merchantName: 'X' });
    expect(engine.published).toEqual([]);
  });

  describe('with the real delivery engine', () => {
    let receiver: CaptureReceiver | undefined;
    afterEach(async () => {
      await receiver?.close();
      receiver = undefined;
    });

    it('delivers the exact body signed with the subscription secret (Bond-Signature)', async () => {
      receiver = await startCaptureReceiver();
      const { store, clock } = emptyBank();
      const subscription = store.registerWebhookUrl(`${receiver.url}/hook`);
      const engine = createDeliveryEngine({ clock, timeoutMs: 2000 });
      wireAtelioWebhooks(store, engine);
      const tx = store.authorizeCardPurchase({
        cardId: 'card-1',
        amount: '9.99',
        merchantName: 'AMZN Mktp US*2K4L71',
      });
      const [request] = await receiver.waitForRequests(1);
      await engine.idle();
      await engine.stop();

      const raw = request!.raw.toString('utf8');
      const body = TransactionsWebhookEventSchema.parse(JSON.parse(raw));
      expect(body).toMatchObject({
        event: 'transactions',
        transaction_id: tx.transaction_id,
        state: 'pending',
      });
      const header = String(request!.headers['bond-signature']);
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]+)$/.exec(header) ?? [];
      expect(Number(t)).toBe(Math.floor(clock.now() / 1000));
      expect(v1).toBe(createHmac('sha256', subscription.secret).update(`${t}.${raw}`).digest('hex'));
    });
  });
});
