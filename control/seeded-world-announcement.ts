import { publishWebhook } from '../core/run-context';
import type { DeliveryEngine } from '../core/webhooks';
import { atomicEvents, type AtomicStore } from '../mock-atomic';
import type { StitcherHandle } from '../stitcher';

/** The longest start-up, a reset or the scenario prefetch waits for the seeded world's announcement. */
export const SEEDED_WORLD_WAIT_MS = 2_000;

/** Resolves after `ms` without holding the process open. */
export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * The reference stitcher learns of the seeded world the way it learns of any account: the seeded
 * users' last pay-link-accounts-updated webhook, sent to its endpoint (docs/decisions/029). Only to
 * the stitcher the platform registered itself: other receivers get the webhooks of what happens
 * after they registered, as with the real vendor. Resolves once those deliveries have settled.
 */
async function announceSeededWorld(engine: DeliveryEngine, atomic: AtomicStore, atomicWebhookUrl: string) {
  const targets = atomic
    .webhookTargets('pay-link-accounts-updated')
    .filter((t) => t.url === atomicWebhookUrl)
    .map((t) => ({ id: t.endpointId, url: t.url, secret: t.secret }));
  if (targets.length === 0) return;
  const published = new Set<string>();
  const settled = new Promise<void>((resolve) => {
    const offSettled = engine.events.on('settled', (e) => {
      if (!published.delete(e.eventId) || published.size > 0) return;
      offSettled();
      resolve();
    });
  });
  for (const state of atomic.baselineAccountStates()) {
    const id = publishWebhook(engine, {
      vendor: 'atomic',
      eventType: 'pay-link-accounts-updated',
      subject: state.user.identifier,
      body: atomicEvents.payLinkAccountsUpdated(state),
      targets,
    });
    if (id !== null) published.add(id);
  }
  if (published.size > 0) await settled;
}

/**
 * The announcement delivered (waiting `SEEDED_WORLD_WAIT_MS` at most); `takenIn` resolves once the
 * stitcher is idle after it too. Wrapped in an object: an async function's returned promise would
 * otherwise wait for `takenIn` as well.
 */
export async function announceSeededWorldAndWait(
  engine: DeliveryEngine,
  atomic: AtomicStore,
  stitcher: { service: StitcherHandle; atomicWebhookUrl: string },
): Promise<{ takenIn: Promise<void> }> {
  const delivered = announceSeededWorld(engine, atomic, stitcher.atomicWebhookUrl);
  await Promise.race([delivered, delay(SEEDED_WORLD_WAIT_MS)]);
  return { takenIn: delivered.then(() => stitcher.service.idle()) };
}
