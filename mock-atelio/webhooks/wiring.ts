import type { DeliveryEngine, WebhookTarget } from '../../core/webhooks';
import { parseTimestamp } from '../shared/time';
import type { AtelioStore, AtelioStoreEvents } from '../store/store';
import { TRANSACTIONS_EVENT, webhookForStoreEvent } from './events';

/** The store events that become webhooks; `transaction-failed` deliberately is not one of them. */
const SENT_EVENTS = [
  'transaction-created',
  'transaction-updated',
] as const satisfies readonly (keyof AtelioStoreEvents)[];

/**
 * Connects the store to the delivery engine: every new or changed transaction becomes one
 * `transactions` event, built once and published to every enabled subscription whose patterns
 * match at that moment. Returns a function that disconnects again.
 */
export function wireAtelioWebhooks(store: AtelioStore, engine: Pick<DeliveryEngine, 'publish'>): () => void {
  const unsubscribe = SENT_EVENTS.map((name) =>
    store.events.on(name, (payload) => {
      const webhook = webhookForStoreEvent(name, payload);
      if (!webhook) return;
      const targets: WebhookTarget[] = store
        .subscriptionsFor(TRANSACTIONS_EVENT)
        .map((s) => ({ id: s.id, url: s.url, secret: s.secret }));
      if (targets.length === 0) return;
      engine.publish({
        vendor: 'atelio',
        eventType: webhook.eventType,
        body: webhook.body,
        targets,
        time: parseTimestamp(webhook.body.occurred_at),
      });
    }),
  );
  return () => {
    for (const off of unsubscribe) off();
  };
}
