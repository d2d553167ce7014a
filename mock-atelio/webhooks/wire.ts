import { publishWebhook } from '../../core/run-context';
import type { DeliveryEngine, WebhookTarget } from '../../core/webhooks/engine';
import { parseTimestamp } from '../shared/time';
import type { AtelioStore, AtelioStoreEvents } from '../store/store';
import { TRANSACTIONS_EVENT, webhookForStoreEvent } from './events';

/**
 * Turns the Atelio store's transaction changes into signed webhook deliveries: every new or updated
 * transaction becomes a `transactions` event (the transaction object plus `event` and `occurred_at`)
 * sent to each enabled subscription whose event patterns match it (wildcards included), keyed with
 * that subscription's `whsec_` secret. Failed transactions are never sent: the store announces them
 * on `transaction-failed`, which is deliberately not listened to here.
 */

export interface AtelioWireOptions {
  /** Labels a target in recordings and the delivery log (e.g. `stitcher`); default `subscription`. */
  kindOf?: (target: { id: string; url: string }) => string | undefined;
}

const SENT_EVENTS = [
  'transaction-created',
  'transaction-updated',
] as const satisfies readonly (keyof AtelioStoreEvents)[];

/** Subscribes to `store.events`; returns the function that unsubscribes. */
export function wireAtelioWebhooks(
  store: AtelioStore,
  engine: DeliveryEngine,
  options: AtelioWireOptions = {},
): () => void {
  const off = SENT_EVENTS.map((name) =>
    store.events.on(name, (payload) => {
      const webhook = webhookForStoreEvent(name, payload);
      if (!webhook) return;
      // Subscriptions are looked up at the moment of the change: one added later gets later events only.
      const targets: WebhookTarget[] = store.subscriptionsFor(TRANSACTIONS_EVENT).map((s) => {
        const kind = options.kindOf?.({ id: s.id, url: s.url });
        return { id: s.id, url: s.url, secret: s.secret, ...(kind ? { kind } : {}) };
      });
      publishWebhook(engine, {
        vendor: 'atelio',
        eventType: webhook.eventType,
        // The customer the transaction belongs to is the user the event is about.
        subject: payload.transaction.customer_id,
        body: webhook.body,
        targets,
        // Atelio's "+00:00" microsecond timestamps are read the vendor's way, not left to Date.parse.
        time: parseTimestamp(webhook.body.occurred_at),
      });
    }),
  );
  return () => {
    for (const unsubscribe of off) unsubscribe();
  };
}
