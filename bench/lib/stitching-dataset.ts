/**
 * The labelled data set of the stitching benchmark: a seeded generator that writes realistic, noisy
 * data in the vendors' shapes: Amazon orders (Atomic) and the card transactions they become (Atelio),
 * with date lags, tax-adjusted pending amounts, split settlements, split shipments, refunds, repeat
 * purchases of the same amount, same-amount decoys at other merchants, outside the window, on another
 * card and declined, non-card orders, cancelled orders that never post, late postings beyond the
 * window, and unrelated spend. Ground truth says which transaction(s) each order became and which
 * order each refund refunds. The generator knows nothing of the matcher.
 */
import type { StitchInput } from '../../stitcher/index';

export type Order = StitchInput['orders'][number];
export type Transaction = StitchInput['transactions'][number];
type Card = { card_id: string; last_four: string };

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);
const SPAN_DAYS = 180;

// ---------- seeded randomness (mulberry32: small, fast, good enough for test data) ----------

function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const chance = (p: number) => next() < p;
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  /** Picks a key by weight from [[value, weight], ...]. */
  const weighted = <T>(table: ReadonlyArray<readonly [T, number]>): T => {
    const total = table.reduce((sum, [, w]) => sum + w, 0);
    let roll = next() * total;
    for (const [value, w] of table) if ((roll -= w) < 0) return value;
    return table[table.length - 1]![0];
  };
  return { next, int, pick, chance, normal, weighted };
}

const AMAZON_DESCRIPTORS = [
  'AMZN Mktp US*2K4L71',
  'Amazon.com*1A2B3C4D',
  'AMAZON.COM',
  'Amzn.com/bill',
  'AMZN Digital',
  'AMAZON MKTPL*RT5YU0',
  'Amazon.com               Amzn.com/billWAUSA',
];
const OTHER_MERCHANTS = [
  'TARGET #4744',
  'WALMART SUPERCENTER',
  'WHOLEFDS MKT 10234',
  'SHELL OIL 5744',
  'STARBUCKS #2231',
  'COSTCO WHSE #0112',
  'AMAZONIA GRILL',
  'Paypal *Sephora Usa',
  'CVS/PHARMACY #0491',
  'UBER   *TRIP',
];
const NON_CARD = ['gift card', 'Affirm', 'Google Play', 'EBT'] as const;
const BRANDS = ['Visa', 'Mastercard', 'American Express', 'Discover'];

const iso = (ms: number) => new Date(ms).toISOString();
const atelioTime = (ms: number) => iso(ms).replace('Z', '+00:00');
const money = (cents: number) =>
  `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;

/** What each labelled order is an example of; precision and recall are reported per case. */
export type CaseType =
  | 'core-window'
  | 'late-4-to-7-days'
  | 'pending-tax-adjusted'
  | 'settled-after-adjustment'
  | 'multi-settlement'
  | 'split-shipment';

export interface Dataset {
  input: { orders: Order[]; transactions: Transaction[]; cards: Card[] };
  /** Order → the transaction it became; a split shipment's charges are joined with "+", in id order. */
  truth: Map<string, string>;
  caseOf: Map<string, CaseType>;
  /** Refund credit or reversed charge → the order it refunds. */
  refundTruth: Map<string, string>;
  /** Decoy credits that refund nothing here (other merchant; Amazon after the return period). */
  decoyCredits: Set<string>;
  nonCardOrders: Set<string>;
  stats: Record<string, number>;
}

/** Splits `total` cents into `parts` item prices at random, each at least `min` cents (when the total allows). */
function splitCents(r: ReturnType<typeof rng>, total: number, parts: number, min = 100): number[] {
  const floor = total >= parts * min ? min : 1;
  const spare = total - parts * floor;
  const sorted = Array.from({ length: parts - 1 }, () => r.int(0, spare)).sort((a, b) => a - b);
  return [...sorted, spare].map((c, i) => c - (i === 0 ? 0 : sorted[i - 1]!) + floor);
}

export function generate(seed: number, orderCount: number): Dataset {
  const r = rng(seed);
  const orders: Order[] = [];
  const transactions: Transaction[] = [];
  const cards: Card[] = [];
  const truth = new Map<string, string>();
  const caseOf = new Map<string, CaseType>();
  const refundTruth = new Map<string, string>();
  const decoyCredits = new Set<string>();
  const nonCardOrders = new Set<string>();
  const stats: Record<string, number> = {};
  const count = (key: string) => (stats[key] = (stats[key] ?? 0) + 1);
  let txnSeq = 0;
  const txnId = () => `txn-${(txnSeq++).toString(36).padStart(7, '0')}`;

  const addTxn = (fields: {
    customer: string;
    cardId: string;
    at: number;
    state: string;
    amount: number;
    merchantAmount: number | null;
    descriptor: string;
    settlements?: Array<{ at: number; amount: number }>;
    paymentType?: string;
    updatedAt?: number;
    previous?: string;
  }): string => {
    const id = txnId();
    const refund = fields.amount > 0 && fields.paymentType === undefined;
    transactions.push({
      transaction_id: id,
      customer_id: fields.customer,
      payment_type: fields.paymentType ?? 'card',
      transaction_type: refund ? 'POS Refund' : 'POS Purchase',
      ...(fields.previous ? { previous_transaction_id: fields.previous } : {}),
      state: fields.state,
      amount: money(fields.amount),
      currency: 'USD',
      created_time: atelioTime(fields.at),
      updated_time: atelioTime(fields.updatedAt ?? fields.at + 3_600_000),
      description: refund ? 'POS Refund' : 'POS Purchase',
      details: {
        card_id: fields.cardId,
        merchant_name: fields.descriptor,
        statement_descriptor: fields.descriptor,
        merchant_amount: fields.merchantAmount === null ? '' : money(fields.merchantAmount),
        ...(fields.settlements
          ? {
              settlements: fields.settlements.map((s) => ({
                settlement_date: atelioTime(s.at),
                amount: money(s.amount),
              })),
            }
          : {}),
      },
    });
    return id;
  };

  const users = Math.max(1, Math.round(orderCount / 100));
  let made = 0;
  for (let u = 0; u < users; u++) {
    const customer = `cust-${u.toString(36).padStart(4, '0')}`;
    const perUser = u === users - 1 ? orderCount - made : Math.round(orderCount / users);
    made += perUser;
    const userCards: Card[] = [];
    const cardTotal = r.int(1, 3);
    for (let k = 0; k < cardTotal; k++) {
      let lastFour: string;
      do lastFour = String(r.int(0, 9999)).padStart(4, '0');
      while (userCards.some((c) => c.last_four === lastFour));
      userCards.push({ card_id: `card-${customer}-${k}`, last_four: lastFour });
    }
    // A household card the Amazon account never uses: source of last-four-mismatch decoys.
    let otherFour: string;
    do otherFour = String(r.int(0, 9999)).padStart(4, '0');
    while (userCards.some((c) => c.last_four === otherFour));
    const otherCard = { card_id: `card-${customer}-other`, last_four: otherFour };
    cards.push(...userCards, otherCard);

    const userOrders: Array<{ at: number; cents: number }> = [];
    for (let k = 0; k < perUser; k++) {
      const orderId = `ord-${customer}-${k.toString(36).padStart(3, '0')}`;
      const at = START + Math.floor(r.next() * SPAN_DAYS * DAY);
      // Order totals: log-normal around $25; 6% repeat an earlier amount (re-orders, subscriptions).
      let cents = Math.min(150_000, Math.max(199, Math.round(Math.exp(3.2 + 0.9 * r.normal()) * 100)));
      if (userOrders.length > 0 && r.chance(0.06)) {
        cents = r.pick(userOrders).cents;
        count('repeatAmountOrders');
      }
      userOrders.push({ at, cents });

      const kind = r.weighted([
        ['card', 0.895],
        ['non-card', 0.07],
        ['card-no-last-four', 0.03],
        ['no-payment-method', 0.005],
      ] as const);
      const card = r.pick(userCards);
      const paymentMethod =
        kind === 'card'
          ? { type: 'card', lastFour: card.last_four, brand: r.pick(BRANDS) }
          : kind === 'card-no-last-four'
            ? { type: 'card', brand: r.pick(BRANDS) }
            : kind === 'non-card'
              ? r.chance(0.5)
                ? r.pick(NON_CARD)
                : { type: r.pick(NON_CARD) }
              : undefined;
      const shape = r.weighted([
        ['completed', 74],
        ['pending', 12],
        ['pending-tax-adjusted', 6],
        ['multi-settlement', 3],
        ['settled-after-adjustment', 1],
        // Split shipments need an order paid by card with its last four (the set is matched on one card).
        ['split-shipment', kind === 'card' ? 4 : 0],
      ] as const);
      // Items: tax 0-10 % on top of the item prices; 30 % of orders (every split one) have 2-5 items.
      const taxRate = r.int(0, 10) / 100;
      const itemCount = shape === 'split-shipment' || r.chance(0.3) ? r.int(2, 5) : 1;
      const subtotal = Math.max(itemCount, Math.round(cents / (1 + taxRate)));
      const itemCents = itemCount === 1 ? [subtotal] : splitCents(r, subtotal, itemCount);
      const returnBy = at + 30 * DAY;
      orders.push({
        _id: orderId,
        identifier: customer,
        sourceId: `112-${String(r.int(0, 9_999_999)).padStart(7, '0')}-${String(r.int(0, 9_999_999)).padStart(7, '0')}`,
        date: iso(at),
        amount: cents / 100,
        paymentMethod,
        products: itemCents.map((c, i) => ({
          description: `Item ${i + 1}`,
          amount: c / 100,
          returnBy: iso(returnBy),
        })),
      });
      count(`orders:${kind}`);

      if (kind === 'non-card') {
        nonCardOrders.add(orderId);
        continue;
      }
      if (r.chance(0.015)) {
        count('cancelledNeverPosted');
        continue;
      }

      const lag = r.weighted([
        [0, 25],
        [1, 45],
        [2, 17],
        [3, 8],
        [-1, 3],
        [4, 1.2],
        [5, 0.9],
        [6, 0.5],
        [7, 0.4],
      ] as const);
      const orderDay = Math.floor(at / DAY);
      const postAt = (orderDay + lag) * DAY + r.int(0, DAY - 1);
      const descriptor = r.pick(AMAZON_DESCRIPTORS);
      let id: string;
      let caseType: CaseType = lag > 3 ? 'late-4-to-7-days' : 'core-window';
      /** Each charge with the item indexes it paid for. */
      let charges: Array<{ id: string; cents: number; items: number[] }>;
      if (shape === 'completed' || shape === 'pending') {
        id = addTxn({
          customer,
          cardId: card.card_id,
          at: postAt,
          state: shape,
          amount: -cents,
          merchantAmount: -cents,
          descriptor,
        });
        charges = [{ id, cents, items: itemCents.map((_, i) => i) }];
      } else if (shape === 'pending-tax-adjusted' || shape === 'settled-after-adjustment') {
        const delta = Math.max(1, Math.round(cents * (0.01 + 0.07 * r.next()))) * (r.chance(0.5) ? 1 : -1);
        const pendingCents = Math.max(1, cents + delta);
        id =
          shape === 'pending-tax-adjusted'
            ? addTxn({
                customer,
                cardId: card.card_id,
                at: postAt,
                state: 'pending',
                amount: -pendingCents,
                merchantAmount: -pendingCents,
                descriptor,
              })
            : addTxn({
                customer,
                cardId: card.card_id,
                at: postAt,
                state: 'completed',
                amount: -cents,
                merchantAmount: -pendingCents,
                descriptor,
                settlements: [{ at: postAt + DAY, amount: -cents }],
              });
        charges = [{ id, cents, items: itemCents.map((_, i) => i) }];
        caseType = shape;
      } else if (shape === 'multi-settlement') {
        const first = Math.max(1, Math.round(cents * (0.5 + 0.4 * r.next())));
        const complete = r.chance(0.5);
        const settlements = complete
          ? [
              { at: postAt + DAY, amount: -first },
              { at: postAt + 2 * DAY, amount: -(cents - first) },
            ]
          : [{ at: postAt + DAY, amount: -first }];
        id = addTxn({
          customer,
          cardId: card.card_id,
          at: postAt,
          state: 'completed',
          amount: complete ? -cents : -first,
          merchantAmount: -cents,
          descriptor,
          settlements,
        });
        charges = [{ id, cents, items: itemCents.map((_, i) => i) }];
        caseType = 'multi-settlement';
      } else {
        // Split shipment: the items in 2-4 shipments, each charged for its items plus their tax, the
        // last one absorbing the rounding; each shipment posts 0-3 days after the previous one.
        const parts = Math.min(itemCount, r.int(2, 4));
        const groups: number[][] = Array.from({ length: parts }, () => []);
        itemCents.forEach((_, i) => groups[i < parts ? i : r.int(0, parts - 1)]!.push(i));
        const partCents = groups.map((g) =>
          Math.round(g.reduce((s, i) => s + itemCents[i]!, 0) * (cents / subtotal)),
        );
        partCents[parts - 1] = cents - partCents.slice(0, -1).reduce((a, b) => a + b, 0);
        let day = Math.min(lag, 3);
        charges = [];
        for (let p = 0; p < parts; p++) {
          if (p > 0) day = Math.min(7, day + r.int(0, 3));
          const partId = addTxn({
            customer,
            cardId: card.card_id,
            at: (orderDay + day) * DAY + r.int(0, DAY - 1),
            state: r.chance(0.9) ? 'completed' : 'pending',
            amount: -partCents[p]!,
            merchantAmount: -partCents[p]!,
            descriptor,
          });
          charges.push({ id: partId, cents: partCents[p]!, items: groups[p]! });
        }
        id = charges
          .map((c) => c.id)
          .sort()
          .join('+');
        caseType = 'split-shipment';
      }
      count(`txn:${shape}`);
      truth.set(orderId, id);
      caseOf.set(orderId, caseType);

      // Returns: 1 % of charges are reversed (Atelio `returned`); 4 % of orders get a refund credit
      // within the return period, of the whole order or of one item, naming the charge half the time.
      if (shape === 'completed' && r.chance(0.01)) {
        const t = transactions[transactions.length - 1]!; // the charge just added
        t.state = 'returned';
        t.updated_time = atelioTime(postAt + r.int(2, 20) * DAY);
        refundTruth.set(t.transaction_id, orderId);
        count('refund:reversal');
      } else if (r.chance(0.04)) {
        const whole = itemCount === 1 || r.chance(0.5);
        const charge = r.pick(charges);
        const item = r.pick(charge.items);
        const refundCents = whole
          ? charges.length === 1
            ? cents
            : charge.cents
          : charge.items.length === 1
            ? charge.cents
            : Math.round(itemCents[item]! * (1 + taxRate));
        const refundAt = postAt + r.int(3, 25) * DAY + r.int(0, DAY - 1);
        const creditId = addTxn({
          customer,
          cardId: card.card_id,
          at: refundAt,
          state: 'completed',
          amount: refundCents,
          merchantAmount: refundCents,
          descriptor: r.pick(AMAZON_DESCRIPTORS),
          ...(r.chance(0.5) ? { previous: charge.id } : {}),
        });
        refundTruth.set(creditId, orderId);
        count(whole ? 'refund:credit-whole' : 'refund:credit-one-item');
      }

      // Decoys: the same amount where a careless matcher would take it.
      const inWindow = () => (orderDay + r.int(-1, 3)) * DAY + r.int(0, DAY - 1);
      if (r.chance(0.15)) {
        addTxn({
          customer,
          cardId: card.card_id,
          at: inWindow(),
          state: 'completed',
          amount: -cents,
          merchantAmount: -cents,
          descriptor: r.pick(OTHER_MERCHANTS),
        });
        count('decoy:otherMerchantInWindow');
      }
      if (r.chance(0.06)) {
        const offset = r.chance(0.5) ? -r.int(3, 10) : r.int(10, 16);
        addTxn({
          customer,
          cardId: card.card_id,
          at: (orderDay + offset) * DAY + r.int(0, DAY - 1),
          state: 'completed',
          amount: -cents,
          merchantAmount: -cents,
          descriptor: r.pick(AMAZON_DESCRIPTORS),
        });
        count('decoy:amazonOutsideWindow');
      }
      if (r.chance(0.03)) {
        addTxn({
          customer,
          cardId: otherCard.card_id,
          at: inWindow(),
          state: 'completed',
          amount: -cents,
          merchantAmount: -cents,
          descriptor: r.pick(AMAZON_DESCRIPTORS),
        });
        count('decoy:otherCard');
      }
      if (r.chance(0.02)) {
        addTxn({
          customer,
          cardId: card.card_id,
          at: inWindow(),
          state: 'declined',
          amount: -cents,
          merchantAmount: -cents,
          descriptor,
        });
        count('decoy:declined');
      }
      if (r.chance(0.02)) {
        // A credit of the order's amount that refunds nothing here: another merchant's, or Amazon's
        // long after the return period.
        const other = r.chance(0.5);
        const creditId = addTxn({
          customer,
          cardId: card.card_id,
          at: other ? postAt + r.int(2, 20) * DAY : returnBy + r.int(10, 40) * DAY,
          state: 'completed',
          amount: cents,
          merchantAmount: cents,
          descriptor: other ? r.pick(OTHER_MERCHANTS) : r.pick(AMAZON_DESCRIPTORS),
        });
        decoyCredits.add(creditId);
        count(other ? 'decoy:creditOtherMerchant' : 'decoy:amazonCreditAfterReturnPeriod');
      }
    }

    // Unrelated spend: everyday merchants, some Amazon charges with no order here, payroll credits.
    const unrelated = Math.round(perUser * 1.5);
    for (let k = 0; k < unrelated; k++) {
      const at = START + Math.floor(r.next() * (SPAN_DAYS + 5) * DAY);
      const amazon = r.chance(0.08);
      const cents = Math.max(100, Math.round(Math.exp(3 + r.normal()) * 100));
      addTxn({
        customer,
        cardId: r.pick(userCards).card_id,
        at,
        state: r.chance(0.9) ? 'completed' : 'pending',
        amount: -cents,
        merchantAmount: -cents,
        descriptor: amazon ? r.pick(AMAZON_DESCRIPTORS) : r.pick(OTHER_MERCHANTS),
      });
      count(amazon ? 'unrelated:amazon' : 'unrelated:other');
    }
    for (let k = 0; k < 6; k++) {
      addTxn({
        customer,
        cardId: userCards[0]!.card_id,
        at: START + k * 30 * DAY,
        state: 'completed',
        amount: r.int(150_000, 400_000),
        merchantAmount: null,
        descriptor: 'PAYROLL ACME INC',
        paymentType: 'ach',
      });
      count('unrelated:payroll');
    }
  }
  return {
    input: { orders, transactions, cards },
    truth,
    caseOf,
    refundTruth,
    decoyCredits,
    nonCardOrders,
    stats,
  };
}

export type Labels = Omit<Dataset, 'input'>;
