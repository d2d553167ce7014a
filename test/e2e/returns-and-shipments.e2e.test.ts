import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../../control/platform';
import type { GroundTruth } from '../../scenarios';

/**
 * `amazon-returns-and-shipments` end to end: the scenario plays on the real platform, both vendors
 * send signed webhooks to the reference stitcher, and its API must show the order shipped in two
 * parts as one match over both charges (with each charge's products), the late charge matched in
 * the extended window, and every refund beside the order and products it refunds.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Product {
  description: string;
  amount: number;
}
interface RefundRow {
  transactionId: string;
  kind: 'credit' | 'reversal';
  amount: string;
  products: Product[] | null;
  confidence: number;
  reasons: string[];
}
interface OrderRow {
  orderId: string;
  amount: number;
  products: Product[];
  stitch: {
    status: string;
    transactionId?: string;
    confidence?: number;
    reasons?: string[];
    charges?: { transactionId: string; amount: string; products: Product[] | null }[];
  };
  refunds: RefundRow[];
}
interface TransactionRow {
  transactionId: string;
  state: string;
  amount: string;
  match: { orderId: string; products: Product[]; shipment?: { index: number; of: number } } | null;
  refund: { orderId: string; kind: string; products: Product[] | null } | null;
}

const names = (products: Product[] | null | undefined) => (products ?? []).map((p) => p.description);

describe('amazon-returns-and-shipments on the real platform', () => {
  it('matches a split shipment as a set, a late charge in the extended window, and links every refund to its order', async () => {
    const sandbox = await startSandbox({ ports: 0, env: {}, seed: 11 });
    cleanups.push(() => sandbox.stop());
    const identifier = 'returns-e2e';
    // Atelio signatures expire after 5 minutes: the run's timeline starts now.
    const startTime = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    const view = await sandbox.scenarios.start('amazon-returns-and-shipments', {
      seed: 3,
      identifier,
      startTime,
    }).done;
    expect(view.error).toBeUndefined();
    expect(view.status).toBe('completed');
    await sandbox.engine.idle();
    await sandbox.stitcher!.idle();

    const read = async <T>(path: string) => {
      const response = await fetch(`${sandbox.urls.stitcher}/users/${identifier}${path}`);
      expect(response.status).toBe(200);
      return (await response.json()) as T;
    };
    const { orders } = await read<{ orders: OrderRow[] }>('/orders');
    const { transactions } = await read<{ transactions: TransactionRow[] }>('/transactions');
    const summary = await read<{ counts: Record<string, number> }>('');
    const truth: GroundTruth = view.groundTruth!;
    const result = (step: string) =>
      view.timeline.find((e) => e.step === step)!.result as Record<string, string>;
    const orderOf = (amount: number) => orders.find((o) => o.amount === amount)!;
    const txn = (id: string) => transactions.find((t) => t.transactionId === id)!;

    // The ground truth names both charges of the split order; the stitcher matched them as one set.
    const split = orderOf(64.8);
    const splitCharges = truth.matches.filter((m) => m.orderId === split.orderId).map((m) => m.transactionId);
    expect(splitCharges.sort()).toEqual(
      [result('charge-split-first')['transactionId'], result('charge-split-second')['transactionId']].sort(),
    );
    expect(split.stitch.status).toBe('matched');
    expect(split.stitch.charges?.map((c) => c.transactionId).sort()).toEqual([...splitCharges].sort());
    expect(split.stitch.charges?.map((c) => [c.amount, names(c.products)])).toEqual([
      ['43.20', ['Desk lamp']],
      ['21.60', ['USB-C cable, 2 m']],
    ]);
    expect(split.stitch.reasons?.[0]).toBe(
      'split shipment: 2 card transactions (43.20 + 21.60) add up to the order total 64.80',
    );
    // Each charge of the set shows its own products, and which shipment it is.
    const second = txn(result('charge-split-second')['transactionId']!);
    expect(second.match).toMatchObject({ orderId: split.orderId, shipment: { index: 2, of: 2 } });
    expect(names(second.match!.products)).toEqual(['USB-C cable, 2 m']);

    // Every other charge the truth names is matched to its order; nothing else is.
    for (const m of truth.matches.filter((x) => x.orderId !== split.orderId)) {
      const order = orders.find((o) => o.orderId === m.orderId)!;
      expect(order.stitch, `order ${m.orderAmount}`).toMatchObject({
        status: 'matched',
        transactionId: m.transactionId,
      });
    }
    const stranger = txn(result('amazon-no-order')['transactionId']!);
    expect(stranger.match).toBeNull();

    // Posted five days after its order: matched in the extended window, with lower confidence and why.
    const late = orderOf(18.5);
    expect(late.stitch.transactionId).toBe(result('charge-late')['transactionId']);
    expect(late.stitch.confidence).toBeLessThanOrEqual(0.7);
    expect(late.stitch.reasons?.join('\n')).toMatch(/beyond the core window .* extended window/);

    // Refunds beside the order: in full, one item, and a reversed charge.
    const refunded = orderOf(29.99);
    expect(refunded.refunds).toHaveLength(1);
    expect(refunded.refunds[0]).toMatchObject({
      transactionId: result('refund-in-full')['transactionId'],
      kind: 'credit',
      amount: '29.99',
      confidence: 1,
    });
    expect(names(refunded.refunds[0]!.products)).toEqual(['Wireless earbuds']);
    expect(refunded.refunds[0]!.reasons[0]).toMatch(/previous_transaction_id/);

    const partly = orderOf(27);
    expect(partly.refunds.map((r) => [r.kind, r.amount, names(r.products)])).toEqual([
      ['credit', '10.80', ['Ceramic mug']],
    ]);

    const reversed = orderOf(12.34);
    expect(reversed.stitch.transactionId).toBe(result('charge-reversed')['transactionId']);
    expect(reversed.refunds).toHaveLength(1);
    expect(reversed.refunds[0]).toMatchObject({
      transactionId: result('charge-reversed')['transactionId'],
      kind: 'reversal',
      amount: '12.34',
    });
    expect(reversed.refunds[0]!.reasons[1]).toMatch(/^within the return period/);

    // The credits show the order they refund on the transactions list too.
    const credit = txn(result('refund-mug')['transactionId']!);
    expect(credit.refund).toMatchObject({ orderId: partly.orderId, kind: 'credit' });
    expect(credit.match).toBeNull();
    expect(summary.counts).toMatchObject({ splitShipments: 1, refunds: 3 });
  });
});
