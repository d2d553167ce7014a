import { afterEach, describe, expect, it } from 'vitest';
import type { Transaction } from '../mock-atelio';
import { timeOrderProblems } from './support/transaction-time-order';
import { createScenarioPlatform, type ScenarioPlatform } from '../scenarios/testing';

/**
 * vendor-docs 003: `created_time` is when the transaction was initiated, `updated_time` when it last
 * changed. A transaction is never updated before it exists, and no settlement lands before the
 * purchase. Checked on every transaction and every `transactions` webhook body of the baseline and
 * every shipped scenario (random sequences of simulations: mock-atelio/simulate/time-order.property.test.ts).
 */

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
