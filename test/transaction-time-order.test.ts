import { afterEach, describe, expect, it } from 'vitest';
import { parseTimestamp, type CardDetails, type Transaction } from '../mock-atelio';
import { createScenarioPlatform, type ScenarioPlatform } from '../scenarios/testing';

/**
 * vendor-docs 003: `created_time` is when the transaction was initiated, `updated_time` when it last
 * changed. A transaction is never updated before it exists, and no settlement lands before the
 * purchase. Checked on every transaction and every `transactions` webhook body of the baseline and
 * every shipped scenario (random sequences of simulations: mock-atelio/simulate/time-order.property.test.ts).
 */

function timeOrderProblems(tx: Transaction): string[] {
  const created = parseTimestamp(tx.created_time);
  const updated = parseTimestamp(tx.updated_time);
  const problems: string[] = [];
  if (!(updated >= created))
    problems.push(`${tx.transaction_id}: updated_time ${tx.updated_time} < created_time ${tx.created_time}`);
  if (tx.payment_type === 'card') {
    for (const s of (tx.details as CardDetails).settlements ?? []) {
      const at = parseTimestamp(s.settlement_date);
      // Settlement dates have whole seconds; the purchase may have a fraction of one.
      if (at < Math.floor(created / 1000) * 1000 || at > updated)
        problems.push(
          `${tx.transaction_id}: settlement ${s.settlement_date} outside ${tx.created_time}…${tx.updated_time}`,
        );
    }
  }
  return problems;
}

const platforms: ScenarioPlatform[] = [];
afterEach(async () => {
  await Promise.all(platforms.splice(0).map((p) => p.close()));
});

describe('transaction time order', () => {
  it('holds on every transaction and every transactions webhook of the baseline and of each shipped scenario', async () => {
    const platform = await createScenarioPlatform({ receiver: false });
    platforms.push(platform);
    const announced: Transaction[] = [];
    platform.atelio.events.on('transaction-created', ({ transaction }) => announced.push(transaction));
    platform.atelio.events.on('transaction-updated', ({ transaction }) => announced.push(transaction));
    const names = platform.runner.list().map((s) => s.name);
    expect(names.length).toBeGreaterThanOrEqual(7);
    for (const name of names) {
      const view = await platform.runner.start(name, { seed: 3, identifier: `order-${name}` }).done;
      expect(view.status, name).toBe('completed');
    }
    const all = platform.atelio.listTransactions({ count: 10000 }).items;
    expect(all.length).toBeGreaterThan(200);
    expect(announced.length).toBeGreaterThan(20);
    expect([...all, ...announced].flatMap(timeOrderProblems)).toEqual([]);
  });
});
