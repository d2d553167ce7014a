import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../control/platform';
import type { GroundTruth, RunView } from '../../scenarios';
import {
  stitcherState,
  type OrderRow,
  type TransactionRow,
  type UserSummary,
} from './support/stitcher-state';
import { startStitchingPlatform } from './support/stitching-platform';

/**
 * The whole story end to end: a scenario plays on the real platform, both vendors send signed
 * webhooks over HTTP to the reference stitcher, the stitcher calls the vendors' APIs back, and
 * what its own API shows at the end is compared with the run's ground truth — the scenario's
 * record of which order became which card transaction.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Every second of the runs below happens within minutes of now (Atelio signatures expire after 5). */
const startTime = () => new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();

async function runToTheEnd(
  sandbox: Sandbox,
  name: string,
  identifier: string,
  start = startTime(),
): Promise<RunView> {
  const view = await sandbox.scenarios.start(name, { seed: 3, identifier, startTime: start }).done;
  expect(view.error).toBeUndefined();
  expect(view.status).toBe('completed');
  return view;
}

const NON_CARD = /^(non-card payment method \((.+)\)|no payment method on the order)$/;

describe('amazon-order-stitching on the real platform', () => {
  it('stitches every card order to the transaction the ground truth names and flags every non-card order', async () => {
    const sandbox = await startSandbox({ ports: 0, env: {}, seed: 7 });
    cleanups.push(() => sandbox.stop());
    const identifier = 'shopper-e2e';
    const view = await runToTheEnd(sandbox, 'amazon-order-stitching', identifier);
    await sandbox.engine.idle();
    await sandbox.stitcher!.idle();
    const truth: GroundTruth = view.groundTruth!;
    expect(truth.matches.length).toBeGreaterThanOrEqual(8);
    expect(truth.unmatchedOrders.some((o) => NON_CARD.test(o.reason))).toBe(true);
    expect(truth.unrelatedTransactions.length).toBeGreaterThan(0);

    // Over HTTP, as an integrator reads it.
    const read = async <T>(path: string) => {
      const response = await fetch(`${sandbox.urls.stitcher}/users/${identifier}${path}`);
      expect(response.status).toBe(200);
      return (await response.json()) as T;
    };
    const { orders } = await read<{ orders: OrderRow[] }>('/orders');
    const { transactions } = await read<{ transactions: TransactionRow[] }>('/transactions');
    const summary = await read<UserSummary>('');
    expect(summary.paused).toBe(false);

    // Every order the stitcher knows is one the run created, and the other way round.
    const truthOrderIds = [
      ...truth.matches.map((m) => m.orderId),
      ...truth.unmatchedOrders.map((o) => o.orderId),
    ];
    expect(orders.map((o) => o.orderId).sort()).toEqual([...truthOrderIds].sort());
    const order = (id: string) => orders.find((o) => o.orderId === id)!;
    const transaction = (id: string) => transactions.find((t) => t.transactionId === id);

    for (const match of truth.matches) {
      expect(order(match.orderId).stitch, `order ${match.orderId} (${match.orderAmount})`).toMatchObject({
        status: 'matched',
        transactionId: match.transactionId,
      });
      expect(transaction(match.transactionId)?.match?.orderId, `transaction ${match.transactionId}`).toBe(
        match.orderId,
      );
      // A settled transaction is a final match; only a pending one may still be provisional.
      if (match.state === 'completed') expect(order(match.orderId).stitch.provisional).toBe(false);
    }
    for (const unmatched of truth.unmatchedOrders) {
      const stitch = order(unmatched.orderId).stitch;
      const nonCard = NON_CARD.exec(unmatched.reason);
      if (nonCard) {
        expect(stitch.status, `order ${unmatched.orderId}: ${unmatched.reason}`).toBe('unmatchable');
        // The reason names the payment method the order was paid with.
        if (nonCard[2]) expect(stitch.reason).toContain(nonCard[2]);
        expect(stitch.reason).toMatch(/non-card|payment method/i);
      } else {
        // A card order with no card transaction at this bank (paid with another bank's card).
        expect(stitch.status, `order ${unmatched.orderId}: ${unmatched.reason}`).toBe('awaiting-transaction');
      }
    }
    // The unrelated spend (including a same-amount purchase at another merchant) stays unmatched.
    for (const unrelated of truth.unrelatedTransactions) {
      expect(transaction(unrelated.transactionId)?.match ?? null, unrelated.merchantName).toBeNull();
    }
    // One transaction per order, one order per transaction.
    const matchedTransactions = orders.flatMap((o) =>
      o.stitch.status === 'matched' ? [o.stitch.transactionId] : [],
    );
    expect(new Set(matchedTransactions).size).toBe(matchedTransactions.length);
    expect(matchedTransactions).toHaveLength(truth.matches.length);
  });
});

describe('account-disconnection', () => {
  it('pauses the user while the account is disconnected, says why, and resumes after each reconnection', async () => {
    const identifier = 'disconnected-e2e';
    const seen: { eventType: string; paused: boolean; failReason: string | null; message: string | null }[] =
      [];
    // After each Atomic delivery the stitcher has processed, look at what its API says, before the
    // vendor hears back (so the scenario cannot move on in between).
    const platform = await startStitchingPlatform({
      afterForward: async (p, delivery, status) => {
        if (delivery.vendor !== 'atomic' || status !== 200) return;
        await p.stitcher.idle();
        const { status: found, body } = await p.get<UserSummary>(`/users/${identifier}`);
        if (found !== 200) return;
        seen.push({
          eventType: delivery.eventType,
          paused: body.paused,
          failReason: body.pausedReason?.failReason ?? null,
          message: body.pausedReason?.message ?? null,
        });
      },
    });
    cleanups.push(() => platform.close());
    await runToTheEnd(platform.sandbox, 'account-disconnection', identifier);
    await platform.settle();

    const pauses = seen.filter((s) => s.paused);
    expect(pauses.length).toBeGreaterThan(0);
    for (const reason of [
      'session-expired',
      'credentials-invalid',
      'bot-detection',
      'merchant-unavailable',
    ]) {
      const index = seen.findIndex((s) => s.paused && s.failReason === reason);
      expect(index, `paused for ${reason}`).toBeGreaterThanOrEqual(0);
      expect(seen[index]!.message).toMatch(/disconnected/);
      expect(seen[index]!.message).toContain(reason);
      // …and it resumed after that.
      expect(
        seen.slice(index + 1).some((s) => !s.paused),
        `resumed after ${reason}`,
      ).toBe(true);
    }

    const final = await stitcherState((path) => platform.get(path), identifier);
    expect(final.user.paused).toBe(false);
    expect(final.user.accounts.every((a) => a.connectionStatus === 'connected')).toBe(true);
    expect(final.orders.length).toBeGreaterThan(10);
    expect(final.orders.filter((o) => o.stitch.status === 'paused')).toEqual([]);
  });
});

describe('the stitcher restarted mid-run', () => {
  it('ends in the same state as an uninterrupted run, including events that were waiting in its inbox', async () => {
    const identifier = 'restart-e2e';
    const start = startTime();

    const steady = await startStitchingPlatform();
    cleanups.push(() => steady.close());
    await runToTheEnd(steady.sandbox, 'amazon-order-stitching', identifier, start);
    await steady.settle();
    const expected = await stitcherState((path) => steady.get(path), identifier);

    // Each restart comes while accepted events wait in the inbox: right before the 3rd and the 8th
    // account event, the Atomic API is made to fail the stitcher's next account fetch once (an
    // injected 503), and the restart follows as soon as the stitcher has scheduled its retry.
    const restartBefore = new Set([3, 8]);
    let accountEvents = 0;
    let retryScheduled: Promise<void> | undefined;
    let onRetry: (() => void) | undefined;
    const restarts: { leftInInbox: number }[] = [];
    const restarted = await startStitchingPlatform({
      onLog: (_level, message) => {
        if (message.includes('will retry')) onRetry?.();
      },
      decide: (delivery) => {
        if (
          delivery.eventType === 'pay-link-accounts-updated' &&
          delivery.arrival === 1 &&
          restartBefore.has(++accountEvents)
        ) {
          retryScheduled = new Promise((resolve) => (onRetry = resolve));
          restarted.sandbox.faults.add({
            vendor: 'atomic',
            method: 'GET',
            path: '/pay-link/accounts/*',
            kind: 'status',
            status: 503,
            count: 1,
          });
        }
        return 'forward';
      },
      afterForward: async (p, delivery) => {
        if (!retryScheduled || delivery.eventType !== 'pay-link-accounts-updated') return;
        const waiting = retryScheduled;
        retryScheduled = undefined;
        await waiting;
        restarts.push(await p.restartStitcher());
      },
    });
    cleanups.push(() => restarted.close());
    await runToTheEnd(restarted.sandbox, 'amazon-order-stitching', identifier, start);
    await restarted.settle();

    expect(restarts).toHaveLength(2);
    expect(restarts.every((r) => r.leftInInbox > 0)).toBe(true);
    expect(await stitcherState((path) => restarted.get(path), identifier)).toEqual(expected);
    expect(expected.inbox).toMatchObject({ pending: 0, retrying: 0, failed: 0 });
    expect(expected.orders.filter((o) => o.stitch.status === 'matched').length).toBeGreaterThanOrEqual(8);
  });
});
