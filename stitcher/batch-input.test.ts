import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { acceptFast } from './batch-input';
import { StitchInputSchema } from './batch';
import { aTransaction, anOrder } from './testing';

/** Values a field can wrongly (or rightly) hold in JSON. */
const VALUES: unknown[] = [undefined, null, '', 'x', '-13.37', 0, 13.37, -1, true, [], {}, [{}], { a: 1 }];

const ORDER_PATHS: Array<Array<string | number>> = [
  ['_id'],
  ['identifier'],
  ['date'],
  ['amount'],
  ['sourceId'],
  ['paymentMethod'],
  ['paymentMethod', 'type'],
  ['paymentMethod', 'lastFour'],
  ['paymentMethod', 'brand'],
  ['products'],
  ['products', 0],
  ['products', 0, 'amount'],
  ['products', 0, 'description'],
  ['products', 0, 'returnBy'],
];
const TXN_PATHS: Array<Array<string | number>> = [
  ['transaction_id'],
  ['customer_id'],
  ['state'],
  ['amount'],
  ['created_time'],
  ['payment_type'],
  ['transaction_type'],
  ['previous_transaction_id'],
  ['currency'],
  ['updated_time'],
  ['description'],
  ['details'],
  ['details', 'card_id'],
  ['details', 'merchant_name'],
  ['details', 'statement_descriptor'],
  ['details', 'merchant_amount'],
  ['details', 'settlements'],
  ['details', 'settlements', 0],
  ['details', 'settlements', 0, 'amount'],
  ['details', 'settlements', 0, 'settlement_date'],
];

/** Sets `path` in a deep copy of `base`, creating nothing: a path whose parent is not there is left alone. */
function mutate(base: unknown, path: ReadonlyArray<string | number>, value: unknown): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let node: unknown = copy;
  for (const key of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return copy;
    node = (node as Record<string | number, unknown>)[key];
  }
  if (typeof node !== 'object' || node === null) return copy;
  const last = path[path.length - 1]!;
  if (value === undefined) delete (node as Record<string | number, unknown>)[last];
  else (node as Record<string | number, unknown>)[last] = value;
  return copy;
}

const order = anOrder();
const txn = aTransaction({
  details: { settlements: [{ settlement_date: '2024-10-22T00:00:00+00:00', amount: '-13.37' }] },
});

describe('acceptFast: the in-place check in front of the zod schema', () => {
  it('accepts the vendors’ usual objects without going through zod', () => {
    expect(acceptFast({ orders: [order], transactions: [txn] })).not.toBeNull();
  });

  it('never accepts what the schema refuses (one or two fields changed to any JSON value)', () => {
    const edit = (paths: Array<Array<string | number>>) =>
      fc.tuple(fc.constantFrom(...paths), fc.constantFrom(...VALUES.keys()));
    fc.assert(
      fc.property(
        fc.array(edit(ORDER_PATHS), { maxLength: 2 }),
        fc.array(edit(TXN_PATHS), { maxLength: 2 }),
        (oEdits, tEdits) => {
          let o: unknown = order;
          for (const [path, v] of oEdits) o = mutate(o, path, VALUES[v]);
          let t: unknown = txn;
          for (const [path, v] of tEdits) t = mutate(t, path, VALUES[v]);
          const input = { orders: [o], transactions: [t] };
          const fast = acceptFast(input);
          const schema = StitchInputSchema.safeParse(input);
          if (fast !== null) expect(schema.success).toBe(true);
          // And the check is not trivially strict: a valid change is still taken in place.
          if (schema.success && oEdits.length + tEdits.length === 0) expect(fast).not.toBeNull();
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('refuses a top level that is not {orders: [...], transactions: [...]}', () => {
    for (const bad of [null, [], {}, { orders: [] }, { orders: {}, transactions: [] }])
      expect(acceptFast(bad)).toBeNull();
  });
});
