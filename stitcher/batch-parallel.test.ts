import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStitchInput, stitchBatch } from './batch';
import { runStitchCommand } from './batch-cli';
import { PARALLEL_FROM_BYTES, stitchInParallel } from './batch-parallel';
import { SPLIT_SENTINEL } from './batch-split';
import { aTransaction, anOrder, dayAfterOrder } from './testing';
import type { BatchOrder, BatchTransaction } from './testing';

/**
 * A varied batch: per user, card orders charged 0-6 days later (some pending, some settled in two
 * parts, some refunded), gift-card orders, and charges at other merchants. Deterministic.
 */
function aBatch(users: number) {
  let seed = 7;
  const next = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    // The high bits: an LCG's low bits repeat with a short period.
    return Math.floor((seed / 2 ** 31) * n);
  };
  const orders: BatchOrder[] = [];
  const transactions: BatchTransaction[] = [];
  const cards = [];
  for (let u = 0; u < users; u++) {
    const user = `user-${u}`;
    const card = { card_id: `card-${u}`, last_four: String(1000 + u).slice(-4) };
    cards.push(card);
    for (let k = 0; k < 6; k++) {
      const id = `${user}-order-${k}`;
      const cents = 500 + next(20_000);
      const amount = cents / 100;
      const day = next(20);
      const date = `${dayAfterOrder(day, `1${next(10)}:0${next(10)}:00`).slice(0, 19)}.${100 + next(900)}Z`;
      const gift = next(8) === 0;
      orders.push(
        anOrder({
          _id: id,
          identifier: user,
          date,
          amount,
          paymentMethod: gift
            ? { type: 'gift card' }
            : { type: 'card', lastFour: card.last_four, brand: 'Visa' },
          products: [{ description: `Item ${k} },{"transaction_id": in a name`, amount, returnBy: date }],
        }),
      );
      if (gift) continue;
      const state = next(5) === 0 ? 'pending' : next(9) === 0 ? 'returned' : 'completed';
      const txnId = `${user}-txn-${k}`;
      const at = dayAfterOrder(day + next(7));
      transactions.push(
        aTransaction({
          transaction_id: txnId,
          customer_id: user,
          state,
          amount: (-amount).toFixed(2),
          created_time: at,
          updated_time: state === 'returned' ? dayAfterOrder(day + 9) : at,
          details: {
            card_id: card.card_id,
            merchant_amount: (-amount).toFixed(2),
            ...(next(6) === 0
              ? {
                  settlements: [
                    { settlement_date: at, amount: (-(cents - 100) / 100).toFixed(2) },
                    { settlement_date: at, amount: '-1.00' },
                  ],
                }
              : {}),
          },
        }),
      );
      if (next(7) === 0)
        transactions.push(
          aTransaction({
            transaction_id: `${txnId}-refund`,
            customer_id: user,
            amount: amount.toFixed(2),
            created_time: dayAfterOrder(day + 12),
            previous_transaction_id: txnId,
            details: { card_id: card.card_id, merchant_amount: amount.toFixed(2) },
          }),
        );
      if (next(3) === 0)
        transactions.push(
          aTransaction({
            transaction_id: `${txnId}-elsewhere`,
            customer_id: user,
            amount: (-amount).toFixed(2),
            created_time: at,
            details: {
              card_id: card.card_id,
              merchant_name: 'WHOLEFDS MKT',
              statement_descriptor: 'WHOLEFDS MKT',
            },
          }),
        );
    }
  }
  return { orders, transactions, cards };
}

const shared = (text: string) => {
  const encoded = Buffer.from(text, 'utf8');
  const bytes = new Uint8Array(new SharedArrayBuffer(encoded.length));
  bytes.set(encoded);
  return bytes;
};

/** What one thread makes of the same text. */
const oneThread = (text: string) => stitchBatch(parseStitchInput(JSON.parse(text)));

const batch = aBatch(60);

describe('stitchInParallel', () => {
  it('stitches exactly what one thread stitches', async () => {
    const text = JSON.stringify(batch);
    const output = await stitchInParallel(shared(text));
    expect(output).not.toBeNull();
    expect(output).toEqual(oneThread(text));
    expect(output!.matches.length).toBeGreaterThan(200);
    expect(output!.refunds.length).toBeGreaterThan(10);
  });

  it.each([
    [
      'transactions first',
      (b: typeof batch) => ({ transactions: b.transactions, orders: b.orders, cards: b.cards }),
    ],
    [
      'cards first',
      (b: typeof batch) => ({ cards: b.cards, orders: b.orders, transactions: b.transactions }),
    ],
    ['no cards', (b: typeof batch) => ({ orders: b.orders, transactions: b.transactions })],
  ])('gives the same result with %s', async (_, layout) => {
    const text = JSON.stringify(layout(batch));
    const output = await stitchInParallel(shared(text));
    expect(output).not.toBeNull();
    expect(output).toEqual(oneThread(text));
  });

  it('leaves the file to one thread when the cut cannot be vouched for', async () => {
    // `transactions` given twice: JSON.parse keeps the later one, which the cut cannot see.
    const twice = JSON.stringify(batch).replace(
      /}$/,
      `,"transactions":${JSON.stringify(batch.transactions.slice(0, 5))}}`,
    );
    expect(await stitchInParallel(shared(twice))).toBeNull();
    // Another array already ending the way the head is closed.
    const sentinel = JSON.stringify({ ...batch, notes: ['x', SPLIT_SENTINEL] }).replace(
      /^\{"orders"/,
      '{"notes":["x",' + JSON.stringify(SPLIT_SENTINEL) + '],"orders"',
    );
    expect(await stitchInParallel(shared(sentinel))).toBeNull();
    // Not valid JSON after the cut; an element the fast check refuses after the cut.
    expect(await stitchInParallel(shared(JSON.stringify(batch).slice(0, -3)))).toBeNull();
    const bad = structuredClone(batch);
    (bad.transactions[bad.transactions.length - 1] as { created_time: unknown }).created_time = 42;
    expect(await stitchInParallel(shared(JSON.stringify(bad)))).toBeNull();
  });
});

describe('stitch-sandbox stitch on a file large enough for two threads', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stitch-parallel-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const sink = () => {
    let text = '';
    return { write: (chunk: string) => (text += chunk), text: () => text };
  };

  const large = aBatch(Math.ceil((PARALLEL_FROM_BYTES / JSON.stringify(batch).length) * 60 * 1.2));

  it('prints what one thread prints', async () => {
    const text = JSON.stringify(large);
    expect(text.length).toBeGreaterThan(PARALLEL_FROM_BYTES);
    const file = join(dir, 'large.json');
    await writeFile(file, text);
    const out = sink();
    await runStitchCommand(file, out);
    expect(JSON.parse(out.text())).toEqual(oneThread(text));
  });

  it('gives the ordinary error messages', async () => {
    const broken = join(dir, 'broken.json');
    const text = JSON.stringify(large);
    await writeFile(broken, text.slice(0, -2));
    await expect(runStitchCommand(broken, sink())).rejects.toThrow(/broken\.json is not valid JSON/);

    const bad = structuredClone(large);
    const last = bad.transactions.length - 1;
    (bad.transactions[last] as { created_time: unknown }).created_time = 42;
    const invalid = join(dir, 'invalid.json');
    await writeFile(invalid, JSON.stringify(bad));
    await expect(runStitchCommand(invalid, sink())).rejects.toThrow(
      new RegExp(`invalid\\.json: invalid stitch input:\\n {2}transactions\\[${last}\\]\\.created_time`),
    );

    const duplicate = structuredClone(large);
    duplicate.transactions.push(duplicate.transactions[0]!);
    const twice = join(dir, 'twice.json');
    await writeFile(twice, JSON.stringify(duplicate));
    await expect(runStitchCommand(twice, sink())).rejects.toThrow(
      `invalid stitch input: duplicate transaction_id "${large.transactions[0]!.transaction_id}"`,
    );
    // The same id on two users' transactions, one in each half of the file: found all the same.
    const acrossUsers = structuredClone(large);
    acrossUsers.transactions.push({ ...acrossUsers.transactions[0]!, customer_id: 'someone-else' });
    const across = join(dir, 'across.json');
    await writeFile(across, JSON.stringify(acrossUsers));
    await expect(runStitchCommand(across, sink())).rejects.toThrow(
      `invalid stitch input: duplicate transaction_id "${large.transactions[0]!.transaction_id}"`,
    );
  });
});
