import { publishWebhook } from '../../core/run-context';
import type { DeliveryEngine, WebhookTarget } from '../../core/webhooks/engine';
import type { AtelioStore } from '../store/store';
import { parseTimestamp } from '../shared/time';
import { TRANSACTIONS_EVENT, webhookForStoreEvent } from './events';

/**
 * Turns the Atelio store's transaction changes into signed webhook deliveries: every new or updated
 * transaction becomes a `transactions` event (the transaction object plus `event` and `occurred_at`)
 * sent to each enabled subscription whose event patterns match it (wildcards included), keyed with
 * that subscription's `whsec_` secret. Failed transactions are never sent: the store announces them
 * on a separate event that nothing here listens to.
 */

export interface AtelioWireOptions {
  /** Labels a target in recordings and the delivery log (e.g. `stitcher`); default `subscription`. */
  kindOf?: (target: { id: string; url: string }) => string | undefined;
}

/** Subscribes to `store.events`; returns the function that unsubscribes. */
export function wireAtelioWebhooks(
  store: AtelioStore,
  engine: DeliveryEngine,
  options: AtelioWireOptions = {},
): () => void {
  const targetsFor = (eventName: string): WebhookTarget[] =>
    store.subscriptionsFor(eventName).map((s) => {
      const kind = options.kindOf?.({ id: s.id, url: s.url });
      return { id: s.id, url: s.url, secret: s.secret, ...(kind ? { kind } : {}) };
    });
  const off = [
    store.events.on('transaction-created', (payload) => {
      const webhook = webhookForStoreEvent('transaction-created', payload);
      if (webhook)
        publishWebhook(engine, {
          vendor: 'atelio',
          eventType: webhook.eventType,
          body: webhook.body,
          targets: targetsFor(TRANSACTIONS_EVENT),
          // Atelio's "+00:00" microsecond timestamps are parsed the vendor's way, not by Date.parse.
          time: parseTimestamp(webhook.body.occurred_at),
        });
    }),
    store.events.on('transaction-updated', (payload) => {
      const webhook = webhookForStoreEvent('transaction-updated', payload);
      if (webhook)
        publishWebhook(engine, {
          vendor: 'atelio',
          eventType: webhook.eventType,
          body: webhook.body,
          targets: targetsFor(TRANSACTIONS_EVENT),
          // Atelio's "+00:00" microsecond timestamps are parsed the vendor's way, not by Date.parse.
          time: parseTimestamp(webhook.body.occurred_at),
        });
    }),
  ];
  return () => {
    for (const unsubscribe of off) unsubscribe();
  };
}
