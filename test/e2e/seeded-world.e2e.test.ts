import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../control/platform';
import type { OrdersView, TransactionsView } from '../../stitcher/views';

/**
 * A bare `npm start` (no scenario) is one world: the seeded Atomic user's Amazon card orders are
 * the same customer's Atelio card transactions, and the reference stitcher, told of the seeded
 * accounts by their pay-link-accounts-updated webhook, stitches them at once. Polls the stitcher's
 * API (no sleeps beyond polling); how fast is measured in bench/startup.ts, not asserted here.
 */

const USER = 'demo-user';
const POLL_MS = 20;

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.stop();
  sandbox = undefined;
});

async function json<T>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as T };
}

type PaymentMethod = OrdersView['orders'][number]['paymentMethod'];
const method = (m: PaymentMethod) => (typeof m === 'object' && m !== null ? m : undefined);

/** Polls until the user's transactions show stitched ones; returns them and the orders. */
async function stitched(base: string) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const transactions = await json<TransactionsView>(`${base}/users/${USER}/transactions`);
    if (transactions.status === 200 && transactions.body.transactions.some((t) => t.match !== null)) {
      const orders = await json<OrdersView>(`${base}/users/${USER}/orders`);
      return { transactions: transactions.body.transactions, orders: orders.body.orders };
    }
    if (Date.now() > deadline)
      throw new Error(`nothing stitched for ${USER}: ${JSON.stringify(transactions.body)}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

describe('npm start is one coherent world', () => {
  it('shows stitched transactions for the seeded user with no scenario run, and again after a reset', async () => {
    sandbox = await startSandbox({ ports: 0, env: {} });
    const stitcherUrl = sandbox.urls.stitcher!;
    const { transactions, orders } = await stitched(stitcherUrl);

    // Every card order is matched to a transaction on the card with its last four; non-card ones never are.
    const cardOrders = orders.filter((o) => method(o.paymentMethod)?.type === 'card');
    expect(cardOrders.length).toBeGreaterThan(30);
    for (const order of cardOrders)
      expect(order.stitch.status, order.sourceId ?? order.orderId).toBe('matched');
    expect(orders.filter((o) => o.stitch.status === 'unmatchable')).toHaveLength(
      orders.length - cardOrders.length,
    );
    const byId = new Map(orders.map((o) => [o.orderId, o]));
    const matched = transactions.filter((t) => t.match !== null);
    expect(matched).toHaveLength(cardOrders.length);
    for (const t of matched) {
      const lastFour = method(byId.get(t.match!.orderId)?.paymentMethod ?? null)?.lastFour;
      if (lastFour) expect(t.lastFour).toBe(lastFour);
    }
    // Pending with estimated tax (provisional), one multi-settled, and spending elsewhere.
    expect(matched.filter((t) => t.state === 'pending' && t.match!.provisional)).toHaveLength(2);
    expect(matched.filter((t) => t.settlements.length === 2)).toHaveLength(1);
    expect(transactions.filter((t) => t.match === null).length).toBeGreaterThan(40);

    // The dashboard reads the same through the control plane.
    const viaControl = await json<TransactionsView>(
      `${sandbox.urls.control}/api/stitcher/users/${USER}/transactions`,
    );
    expect(viaControl.status).toBe(200);
    expect(viaControl.body.transactions.filter((t) => t.match !== null)).toHaveLength(matched.length);

    // A reset empties the stitcher and brings the seeded world back, stitched again.
    const reset = await fetch(`${sandbox.urls.control}/api/reset`, { method: 'POST' });
    expect(reset.status).toBeLessThan(300);
    const again = await stitched(stitcherUrl);
    expect(
      again.transactions.filter((t) => t.match !== null).map((t) => [t.transactionId, t.match!.orderId]),
    ).toEqual(matched.map((t) => [t.transactionId, t.match!.orderId]));
  });
});
