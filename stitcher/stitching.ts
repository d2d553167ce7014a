/**
 * Re-stitching one user from what is stored: all orders of all their Atomic accounts against all
 * their Atelio card transactions. The whole user is recomputed every time, which is what makes the
 * result independent of the order webhooks arrived in.
 *
 * vendor-docs 000, "Handling Disconnections": while any of the user's accounts is disconnected,
 * stitching is paused; the last results stay as they were and the API reports the pause.
 */
import { stitch } from './matcher';
import type { MatchingOptions } from './matcher';
import { orderForMatching, transactionForMatching } from './normalize';
import type { AccountRow, StitcherStore } from './store';

export const isPausedBy = (accounts: readonly AccountRow[]): AccountRow | undefined =>
  accounts.find((a) => a.connectionStatus === 'disconnected');

export function restitchUser(
  store: StitcherStore,
  identifier: string,
  matching: Partial<MatchingOptions>,
  nowMs: number,
): 'stitched' | 'paused' {
  if (isPausedBy(store.accountsFor(identifier))) {
    store.clearNeedsStitch(identifier);
    return 'paused';
  }
  const orders = store.ordersFor(identifier);
  const transactions = store.transactionsFor(identifier);
  const lastFour = new Map<string, string | null>();
  for (const t of transactions) if (t.cardId) lastFour.set(t.cardId, t.lastFour);
  const result = stitch(
    orders.map((o) => orderForMatching(o.order, identifier)),
    transactions.map((t) => transactionForMatching({ ...t.transaction, customer_id: identifier }, lastFour)),
    { ...matching, asOfMs: nowMs },
  );
  store.transaction(() => {
    store.replaceStitches(identifier, result.outcomes, nowMs, result.refunds);
    store.markStitched(identifier, nowMs);
  });
  return 'stitched';
}
