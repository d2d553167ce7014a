/**
 * Re-stitching a user from what is stored: their orders (all Atomic accounts) against their Atelio
 * card transactions (Atomic `identifier` = Atelio `customer_id`).
 *
 * A change to the user's orders (an account update, a backfill) re-stitches every order: the whole
 * user is recomputed, which is what makes the result independent of the order webhooks arrived in.
 * A transaction event can only reach the orders placed up to `REACH_DAYS` before it (a late charge,
 * a shipment, a refund within the return period) and up to a day after it, so only those are
 * re-stitched, against the transactions they can reach; the other orders keep their matches, and
 * the transactions those hold stay theirs. Cost follows the days touched, not the user's history.
 * The daily account update re-stitches the whole user anyway, so any pair whose chain of
 * candidates crossed the boundary converges then.
 *
 * vendor-docs 000, "Handling Disconnections": while any of the user's accounts is disconnected,
 * stitching is paused; the last results stay as they were and the API reports the pause.
 */
import { stitch } from './matcher';
import type { MatchingOptions } from './matcher';
import { orderForMatching, transactionForMatching } from './normalize';
import type { AccountRow, StitchScope, StitcherStore } from './store';

/** How far back (in days) a transaction can reach an order: a refund within a 30-day return period, posted late. */
export const REACH_DAYS = 60;

export const isPausedBy = (accounts: readonly AccountRow[]): AccountRow | undefined =>
  accounts.find((a) => a.connectionStatus === 'disconnected');

export function restitchUser(
  store: StitcherStore,
  scope: string | StitchScope,
  matching: Partial<MatchingOptions>,
  nowMs: number,
): 'stitched' | 'paused' {
  const identifier = typeof scope === 'string' ? scope : scope.identifier;
  if (isPausedBy(store.accountsFor(identifier))) {
    store.clearNeedsStitch(identifier);
    return 'paused';
  }
  // Transaction days fromDay..toDay changed: the orders they can reach, and what those can reach.
  const before = matching.windowDaysBefore ?? 1;
  const region =
    typeof scope === 'string' || scope.all
      ? undefined
      : { fromDay: scope.fromDay - REACH_DAYS, toDay: scope.toDay + before };
  const orders = store.ordersFor(identifier, region);
  let transactions = store.transactionsFor(
    identifier,
    region && { fromDay: region.fromDay - before, toDay: region.toDay + REACH_DAYS },
  );
  if (region) {
    // Orders outside the region keep their stitches; the transactions those hold are not up for grabs.
    const inRegion = new Set(orders.map((o) => o.orderId));
    const held = new Set<string>();
    for (const row of store.stitchesFor(identifier).values()) {
      if (inRegion.has(row.orderId)) continue;
      if (row.transactionId) held.add(row.transactionId);
      for (const c of row.charges ?? []) held.add(c.transactionId);
      for (const r of row.refunds) held.add(r.transactionId);
    }
    if (held.size > 0) transactions = transactions.filter((t) => !held.has(t.transactionId));
  }
  const lastFour = new Map<string, string | null>();
  for (const t of transactions) if (t.cardId) lastFour.set(t.cardId, t.lastFour);
  const result = stitch(
    orders.map((o) => orderForMatching(o.order, identifier)),
    transactions.map((t) => transactionForMatching({ ...t.transaction, customer_id: identifier }, lastFour)),
    { ...matching, asOfMs: nowMs },
  );
  store.transaction(() => {
    store.replaceStitches(
      identifier,
      result.outcomes,
      nowMs,
      result.refunds,
      region && orders.map((o) => o.orderId),
    );
    store.markStitched(identifier, nowMs);
  });
  return 'stitched';
}
