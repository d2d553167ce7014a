import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timeOrderProblems } from '../../test/support/transaction-time-order';
import { emptyBank, validAuthorization } from '../testing';
import type { Transaction } from '../transactions/schema';

/**
 * vendor-docs 003: a transaction is never updated before it was created, and no settlement lands
 * before the purchase, whatever `transaction_datetime` a simulation gives (ahead of the clock or
 * behind it) and however the clock moves between steps.
 */

describe('simulate: transaction time order', () => {
  it('holds through random simulations, whatever the point-of-sale time and the clock', async () => {
    const authorize = fc.record({
      kind: fc.constant('authorize' as const),
      // Minutes from the clock's day start: three days back to two days ahead.
      posMinutes: fc.integer({ min: -3 * 1440, max: 2 * 1440 }),
      cents: fc.integer({ min: 1, max: 20_000 }),
    });
    const op = fc.oneof(
      authorize,
      fc.record({ kind: fc.constant('settle' as const), pick: fc.nat(), part: fc.boolean() }),
      fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('refund' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('check' as const), cents: fc.integer({ min: 1, max: 50_000 }) }),
      fc.record({ kind: fc.constant('process' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 2 * 86_400_000 }) }),
    );
    await fc.assert(
      fc.asyncProperty(authorize, fc.array(op, { maxLength: 25 }), async (first, rest) => {
        const ops = [first, ...rest];
        const h = emptyBank('100000.00');
        const ids: string[] = [];
        const pick = (n: number) => ids[n % Math.max(1, ids.length)];
        for (const o of ops) {
          const id = 'pick' in o ? pick(o.pick) : undefined;
          switch (o.kind) {
            case 'authorize': {
              const day = Math.floor(h.clock.now() / 86_400_000) * 86_400_000;
              const pos = new Date(day + o.posMinutes * 60_000).toISOString();
              const res = await h.send(
                '/api/v0.1/simulate/authorization',
                validAuthorization('card-1', {
                  amount: (o.cents / 100).toFixed(2),
                  transaction_datetime: `${pos.slice(0, 10)} ${pos.slice(11, 16)}`,
                }),
              );
              expect(res.status).toBe(201);
              ids.push((res.body as Transaction).transaction_id);
              break;
            }
            case 'settle':
              if (id) {
                const tx = h.store.getTransaction(id)!;
                const amount = o.part
                  ? (Math.max(1, Math.floor(-Number(tx.amount) * 50)) / 100).toFixed(2)
                  : undefined;
                await h.send('/api/v0.1/simulate/settlement', {
                  transaction_id: id,
                  ...(amount && { amount }),
                });
              }
              break;
            case 'cancel':
              if (id && h.store.getTransactionState(id) === 'pending') h.store.cancelTransaction(id);
              break;
            case 'refund':
              if (
                id &&
                h.store.getTransactionState(id) === 'completed' &&
                h.store.getTransaction(id)!.amount.startsWith('-')
              )
                ids.push(h.store.refundCardPurchase(id).transaction_id);
              break;
            case 'check':
              ids.push(
                h.store.depositCheck({ accountId: 'acct-1', amount: (o.cents / 100).toFixed(2) })
                  .transaction_id,
              );
              break;
            case 'process':
              if (id && h.store.getTransactionState(id) === 'start') h.store.processTransaction(id);
              break;
            case 'advance':
              h.clock.advance(o.ms);
              break;
          }
        }
        const all = h.store.listTransactions({ count: 10000 }).items;
        expect(all.length).toBeGreaterThan(0);
        expect(all.flatMap(timeOrderProblems)).toEqual([]);
      }),
      { numRuns: 150, seed: 13 },
    );
  });
});
