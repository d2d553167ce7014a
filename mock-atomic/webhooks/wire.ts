import { publishWebhook } from '../../core/run-context';
import type { DeliveryEngine, WebhookTarget } from '../../core/webhooks/engine';
import type { AtomicStore } from '../store/store';
import { atomicEvents, type AtomicWebhookEvent } from './events';
import type { AtomicEventType } from './schema';

/**
 * Turns the Atomic store's state changes into signed webhook deliveries: each webhook-shaped store
 * event becomes Atomic's envelope (built by the same builders the contracts use) and goes to every
 * endpoint subscribed to its type, keyed with the token of the secret that endpoint names.
 */

export interface AtomicWireOptions {
  /** Labels a target in recordings and the delivery log (e.g. `stitcher`); default `endpoint`. */
  kindOf?: (target: { id: string; url: string }) => string | undefined;
}

/** Subscribes to `store.events`; returns the function that unsubscribes. */
export function wireAtomicWebhooks(
  store: AtomicStore,
  engine: DeliveryEngine,
  options: AtomicWireOptions = {},
): () => void {
  // The subject is the user the change concerns, known here from the store event itself.
  const send = (eventType: AtomicEventType, subject: string, body: AtomicWebhookEvent) => {
    // Targets are looked up at the moment of the change: an endpoint added later gets later events only.
    const targets: WebhookTarget[] = store.webhookTargets(eventType).map((t) => {
      const kind = options.kindOf?.({ id: t.endpointId, url: t.url });
      return { id: t.endpointId, url: t.url, secret: t.secret, ...(kind ? { kind } : {}) };
    });
    publishWebhook(engine, { vendor: 'atomic', eventType, subject, body, targets });
  };
  const off = [
    store.events.on('task-status-updated', (e) =>
      send('task-status-updated', e.task.user.identifier, atomicEvents.taskStatusUpdated(e)),
    ),
    store.events.on('task-authentication-status-updated', (e) =>
      send(
        'task-authentication-status-updated',
        e.task.user.identifier,
        atomicEvents.taskAuthenticationStatusUpdated(e),
      ),
    ),
    store.events.on('pay-link-accounts-updated', (e) =>
      send('pay-link-accounts-updated', e.user.identifier, atomicEvents.payLinkAccountsUpdated(e)),
    ),
  ];
  return () => {
    for (const unsubscribe of off) unsubscribe();
  };
}
