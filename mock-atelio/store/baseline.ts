import type { SeededRandom } from '../../core/random';
import { formatCents } from '../shared/money';
import { DAY_MS } from '../shared/time';
import {
  MERCHANTS,
  MULTI_SETTLEMENT_EXAMPLE,
  SUBSCRIPTIONS,
  amazonDigitalDescriptor,
  amazonMarketplaceDescriptor,
  amazonRetailDescriptor,
  isAmazonMerchant,
  pickMerchant,
  statementDescriptorFor,
  type MerchantProfile,
} from './merchants';
import type { AtelioStore } from './store';
import type { AuthorizeCardPurchaseInput, CreateCustomerInput } from './types';

export interface BaselineOptions {
  /** customer_id of the first customer, e.g. the Atomic user identifier in a cross-vendor set-up. */
  primaryCustomerId?: string;
  /** Last four digits of the first customer's first card. */
  primaryCardLastFour?: string;
  /**
   * The first customers of the baseline as another system knows them (in a cross-vendor world,
   * Atomic users whose customer_id is their identifier), with the card purchases they made
   * elsewhere. Takes precedence over `primaryCustomerId` / `primaryCardLastFour`.
   */
  customers?: BaselineCustomer[];
  /** Days of card history before the baseline time (default 60). */
  days?: number;
}

export interface BaselineCustomer {
  customerId: string;
  /** Last four digits of each card, in order (the first is the virtual card). */
  cardLastFours: string[];
  /**
   * Card purchases known from elsewhere (Amazon orders becoming charges). A customer who has them
   * does no other Amazon shopping in the seeded history: every Amazon charge of theirs is one of these.
   */
  purchases?: PlannedPurchase[];
  /** This customer's history starts here when that is before the baseline's `days` (epoch ms). */
  historySince?: number;
  /** Who the customer is, as the other system knows them; generated where absent. */
  person?: Pick<CreateCustomerInput, 'firstName' | 'lastName' | 'email' | 'phone' | 'address'>;
}

/** A card purchase with a known story: when it was authorised, for how much, and how it settled. */
export interface PlannedPurchase {
  /** The card it is charged to, by last four (one of the customer's `cardLastFours`). */
  lastFour: string;
  merchant: 'amazon-marketplace' | 'amazon-retail' | 'amazon-digital';
  /** Point-of-sale time (`created_time`). Before the customer's account opened: not recorded. */
  atMs: number;
  authorisedCents: number;
  /** Settlements in time order; none, or those after the baseline's end, leave it pending. */
  settlements: { atMs: number; cents: number }[];
}

const HOUR_MS = 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;

interface Op {
  at: number;
  order: number;
  run: () => void;
}

/** Collects changes at points in time and applies them in time order, so every balance snapshot is chronological. */
class Timeline {
  private ops: Op[] = [];

  constructor(readonly endMs: number) {}

  at(at: number, run: () => void): void {
    if (at <= this.endMs) this.ops.push({ at, order: this.ops.length, run });
  }

  play(): void {
    this.ops.sort((a, b) => a.at - b.at || a.order - b.order);
    for (const op of this.ops) op.run();
  }
}

interface Persona {
  cards: string[];
  cardByLastFour: Map<string, string>;
  accountId: string;
  random: SeededRandom;
  purchasesPerDay: [number, number];
  /** Amazon purchases known from elsewhere; when set, the persona shops at Amazon only through these. */
  planned: PlannedPurchase[] | undefined;
  /** Start of the UTC day this customer's history begins. */
  historyStart: number;
}

/** A card purchase authorised at `at` and, if the merchant has settled by the baseline time, settled. */
function purchase(
  store: AtelioStore,
  timeline: Timeline,
  persona: Persona,
  merchant: MerchantProfile,
  at: number,
  options: { cents?: number; settleAfterMs?: number; settleCents?: number } = {},
): void {
  const r = persona.random;
  const cents = options.cents ?? r.int(merchant.amountCents[0], merchant.amountCents[1]);
  const cardId = persona.cards.length > 1 && r.chance(0.3) ? persona.cards[1]! : persona.cards[0]!;
  const merchantName = merchant.merchantName(r);
  const settleAfter = options.settleAfterMs ?? r.int(10, 58) * HOUR_MS + r.int(0, 59) * MINUTE_MS;
  let id: string | undefined;
  timeline.at(at, () => {
    const tx = store.authorizeCardPurchase({
      cardId,
      amount: formatCents(cents),
      merchantName,
      merchantCity: merchant.city,
      merchantState: merchant.state,
      merchantZipCode: merchant.postalCode,
      mcc: merchant.mcc,
      mid: merchant.merchantId,
      statementDescriptor: statementDescriptorFor(merchantName, merchant.city, merchant.state),
      cardholderPresence: merchant.cardholderPresent,
      ...(merchant.products && { products: merchant.products }),
      transactionDatetime: at,
      at,
    });
    if (tx.state === 'pending') id = tx.transaction_id;
  });
  timeline.at(at + settleAfter, () => {
    if (id)
      store.settleTransaction(id, {
        amount: formatCents(options.settleCents ?? cents),
        at: at + settleAfter,
      });
  });
}

/** Amazon's billing merchants a purchase known from elsewhere (an Amazon order) is charged at. */
export type AmazonMerchantKey = PlannedPurchase['merchant'];

const AMAZON_DESCRIPTORS = {
  'amazon-marketplace': amazonMarketplaceDescriptor,
  'amazon-retail': amazonRetailDescriptor,
  'amazon-digital': amazonDigitalDescriptor,
} as const;

/** The descriptor one Amazon charge shows (`AMZN Mktp US*…`, `Amazon.com*…`, `AMZN Digital*…`). */
export const amazonDescriptor = (merchant: AmazonMerchantKey, random: SeededRandom): string =>
  AMAZON_DESCRIPTORS[merchant](random);

/**
 * The authorisation of an Amazon order's card charge at `atMs` (point of sale and report): the
 * merchant's city, MCC and id, card not present. Shared by the seeded history and by whatever
 * turns later Amazon orders into charges (the platform's seeded world).
 */
export function amazonPurchaseInput(input: {
  cardId: string;
  merchant: AmazonMerchantKey;
  merchantName: string;
  cents: number;
  atMs: number;
}): AuthorizeCardPurchaseInput {
  const merchant = MERCHANTS.find((m) => m.key === input.merchant)!;
  return {
    cardId: input.cardId,
    amount: formatCents(input.cents),
    merchantName: input.merchantName,
    merchantCity: merchant.city,
    merchantState: merchant.state,
    merchantZipCode: merchant.postalCode,
    mcc: merchant.mcc,
    mid: merchant.merchantId,
    statementDescriptor: statementDescriptorFor(input.merchantName, merchant.city, merchant.state),
    cardholderPresence: false,
    transactionDatetime: input.atMs,
    at: input.atMs,
  };
}

/** A purchase whose amounts and times are given: authorised, then settled as planned. */
function plannedPurchase(
  store: AtelioStore,
  timeline: Timeline,
  persona: Persona,
  planned: PlannedPurchase,
  openedAt: number,
): void {
  const cardId = persona.cardByLastFour.get(planned.lastFour);
  if (cardId === undefined) throw new Error(`no card ending ${planned.lastFour} for a planned purchase`);
  if (planned.atMs < openedAt) return;
  const merchantName = amazonDescriptor(planned.merchant, persona.random);
  let id: string | undefined;
  timeline.at(planned.atMs, () => {
    const tx = store.authorizeCardPurchase(
      amazonPurchaseInput({
        cardId,
        merchant: planned.merchant,
        merchantName,
        cents: planned.authorisedCents,
        atMs: planned.atMs,
      }),
    );
    if (tx.state === 'pending') id = tx.transaction_id;
  });
  for (const settlement of planned.settlements) {
    timeline.at(Math.max(settlement.atMs, planned.atMs), () => {
      if (id) store.settleTransaction(id, { amount: formatCents(settlement.cents), at: settlement.atMs });
    });
  }
}

/**
 * The seeded baseline bank: three customers with funded accounts and cards, and `days` of
 * realistic history ending at `endMs` — biweekly payroll, monthly bills and subscriptions, daily
 * card spend (about a quarter of it at Amazon under its real descriptors), purchases still pending
 * from the last two days, and one of each interesting case: the vendor-docs 003 multi-settlement
 * (35.93 → 30.49 + 5.44), a settlement below the authorised amount, a cancelled authorisation, a
 * declined purchase, a refund, a returned ACH payment, a failed (hidden) ACH, an account transfer.
 */
export function seedBaseline(
  store: AtelioStore,
  random: SeededRandom,
  endMs: number,
  options: BaselineOptions,
): void {
  const days = options.days ?? 60;
  const historyStart = Math.floor((endMs - days * DAY_MS) / DAY_MS) * DAY_MS;
  const startOf = (given: BaselineCustomer | undefined) =>
    given?.historySince === undefined
      ? historyStart
      : Math.min(historyStart, Math.floor(given.historySince / DAY_MS) * DAY_MS);
  const known = options.customers ?? [];
  const openedAt = Math.min(historyStart, ...known.map(startOf)) - 30 * DAY_MS;
  const timeline = new Timeline(endMs);

  const people: Persona[] = [];
  const plans = [
    { cards: 2, purchasesPerDay: [0, 3] as [number, number] },
    { cards: 1, purchasesPerDay: [0, 2] as [number, number] },
    { cards: 1, purchasesPerDay: [0, 2] as [number, number] },
  ];
  while (plans.length < known.length) plans.push({ cards: 1, purchasesPerDay: [0, 2] });
  plans.forEach((plan, index) => {
    const r = random.fork(`customer-${index}`);
    const first = index === 0;
    const given = known[index];
    const customerId = given?.customerId ?? (first ? options.primaryCustomerId : undefined);
    const customer = store.createCustomer({
      ...(customerId !== undefined && { customerId }),
      ...given?.person,
      at: openedAt,
    });
    const account = store.createAccount({
      customerId: customer.customer_id,
      description: 'Everyday Checking',
      openingBalance: formatCents(r.int(2500, 6000) * 100),
      at: openedAt,
    });
    const cards: string[] = [];
    const cardByLastFour = new Map<string, string>();
    const lastFours =
      given?.cardLastFours ?? (first && options.primaryCardLastFour ? [options.primaryCardLastFour] : []);
    for (let c = 0; c < Math.max(plan.cards, lastFours.length); c++) {
      const lastFour = lastFours[c];
      const card = store.createCard({
        accountId: account.account_id,
        cardType: c === 0 ? 'virtual' : 'physical',
        ...(lastFour !== undefined && { lastFour }),
        at: openedAt + (c + 1) * HOUR_MS,
      });
      cards.push(card.card_id);
      cardByLastFour.set(card.last_four, card.card_id);
    }
    people.push({
      cards,
      cardByLastFour,
      accountId: account.account_id,
      random: r,
      purchasesPerDay: plan.purchasesPerDay,
      planned: given?.purchases,
      historyStart: startOf(given),
    });
  });

  for (const person of people) {
    const r = person.random;
    // Biweekly payroll by direct deposit.
    const employer = r.faker.company.name().toUpperCase();
    const salary = r.int(2600, 3800) * 100 + r.int(0, 99);
    for (let at = person.historyStart + r.int(0, 13) * DAY_MS + 9 * HOUR_MS; at <= endMs; at += 14 * DAY_MS) {
      timeline.at(at, () =>
        store.createAchTransfer({
          accountId: person.accountId,
          direction: 'credit',
          amount: formatCents(salary),
          description: `${employer} PAYROLL`,
          state: 'completed',
          at,
        }),
      );
    }
    // Monthly utility bill by ACH debit on the 3rd.
    for (let day = person.historyStart; day <= endMs; day += DAY_MS) {
      if (new Date(day).getUTCDate() !== 3) continue;
      const at = day + 6 * HOUR_MS;
      const bill = r.int(7800, 18900);
      timeline.at(at, () =>
        store.createAchTransfer({
          accountId: person.accountId,
          direction: 'debit',
          amount: formatCents(bill),
          description: 'CITY UTILITIES AUTOPAY',
          state: 'completed',
          at,
        }),
      );
    }
    // Daily card spend.
    for (let day = person.historyStart; day <= endMs; day += DAY_MS) {
      const count = r.int(person.purchasesPerDay[0], person.purchasesPerDay[1]);
      for (let i = 0; i < count; i++) {
        const at = day + r.int(12 * 60, 23 * 60 + 59) * MINUTE_MS + r.int(0, 59) * 1000;
        const merchant = person.planned ? pickMerchant(r, (m) => !isAmazonMerchant(m)) : pickMerchant(r);
        purchase(store, timeline, person, merchant, at);
      }
    }
    for (const planned of person.planned ?? []) plannedPurchase(store, timeline, person, planned, openedAt);
  }

  const [main, second, third] = people as [Persona, Persona, Persona];
  // The one-off Amazon stories go to a customer whose Amazon history is not known from elsewhere.
  const shopper = people.find((p) => !p.planned) ?? main;
  const daysAgo = (n: number, hour: number, minute = 0) =>
    Math.floor((endMs - n * DAY_MS) / DAY_MS) * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS;

  // Monthly subscriptions on the main and second customer's cards.
  for (const [person, subscription] of [
    [main, SUBSCRIPTIONS[0]!],
    [second, SUBSCRIPTIONS[1]!],
  ] as const) {
    for (let day = historyStart; day <= endMs; day += DAY_MS) {
      if (new Date(day).getUTCDate() === subscription.dayOfMonth) {
        purchase(store, timeline, person, subscription, day + 8 * HOUR_MS + 17 * MINUTE_MS, {
          settleAfterMs: 20 * HOUR_MS,
        });
      }
    }
  }

  // vendor-docs 003: authorised 35.93, settled 30.49, then 5.44 — one transaction id throughout.
  const ms = MULTI_SETTLEMENT_EXAMPLE;
  const msAt = daysAgo(12, 19, 42) + 5_721;
  let multiId = '';
  timeline.at(msAt, () => {
    multiId = store.authorizeCardPurchase({
      cardId: main.cards[0]!,
      amount: formatCents(ms.authorisedCents),
      merchantName: ms.merchantName,
      merchantCity: ms.city,
      merchantState: ms.state,
      merchantZipCode: ms.postalCode,
      mcc: ms.mcc,
      mid: ms.merchantId,
      statementDescriptor: ms.statementDescriptor,
      cardholderPresence: false,
      products: [...ms.products],
      transactionDatetime: msAt,
      at: msAt,
    }).transaction_id;
  });
  const firstSettlement = msAt + 8 * HOUR_MS + 5 * MINUTE_MS + 22_000;
  const secondSettlement = firstSettlement + 2 * DAY_MS + 17 * HOUR_MS + 24 * MINUTE_MS;
  timeline.at(firstSettlement, () =>
    store.settleTransaction(multiId, { amount: formatCents(ms.settlementsCents[0]), at: firstSettlement }),
  );
  timeline.at(secondSettlement, () =>
    store.settleTransaction(multiId, { amount: formatCents(ms.settlementsCents[1]), at: secondSettlement }),
  );

  // An Amazon order whose final charge came in below the authorisation (tax recalculated at shipping).
  const amazon = MERCHANTS.find((m) => m.key === 'amazon-marketplace')!;
  purchase(store, timeline, shopper, amazon, daysAgo(8, 15, 12), {
    cents: 5437,
    settleCents: 5218,
    settleAfterMs: 30 * HOUR_MS,
  });

  // A ride pre-authorisation that was voided.
  const uber = MERCHANTS.find((m) => m.key === 'uber')!;
  const preAuthAt = daysAgo(20, 22, 5);
  let preAuthId = '';
  timeline.at(preAuthAt, () => {
    preAuthId = store.authorizeCardPurchase({
      cardId: main.cards[0]!,
      amount: '25.00',
      merchantName: 'UBER *TRIP',
      merchantCity: uber.city,
      merchantState: uber.state,
      merchantZipCode: uber.postalCode,
      mcc: uber.mcc,
      mid: uber.merchantId,
      transactionDatetime: preAuthAt,
      at: preAuthAt,
    }).transaction_id;
  });
  timeline.at(preAuthAt + 2 * HOUR_MS, () =>
    store.cancelTransaction(preAuthId, { at: preAuthAt + 2 * HOUR_MS }),
  );

  // A declined purchase.
  const bestBuy = MERCHANTS.find((m) => m.key === 'best-buy')!;
  const declinedAt = daysAgo(9, 18, 31);
  const declinedName = bestBuy.merchantName(second.random);
  timeline.at(declinedAt, () =>
    store.authorizeCardPurchase({
      cardId: second.cards[0]!,
      amount: '899.99',
      merchantName: declinedName,
      merchantCity: bestBuy.city,
      merchantState: bestBuy.state,
      merchantZipCode: bestBuy.postalCode,
      mcc: bestBuy.mcc,
      mid: bestBuy.merchantId,
      cardholderPresence: true,
      decline: true,
      transactionDatetime: declinedAt,
      at: declinedAt,
    }),
  );

  // An Amazon purchase that was refunded a week later.
  const retail = MERCHANTS.find((m) => m.key === 'amazon-retail')!;
  const refundedAt = daysAgo(25, 16, 48);
  const refundedName = amazonRetailDescriptor(shopper.random);
  let refundedId = '';
  timeline.at(refundedAt, () => {
    refundedId = store.authorizeCardPurchase({
      cardId: shopper.cards[0]!,
      amount: '64.99',
      merchantName: refundedName,
      merchantCity: retail.city,
      merchantState: retail.state,
      merchantZipCode: retail.postalCode,
      mcc: retail.mcc,
      mid: retail.merchantId,
      transactionDatetime: refundedAt,
      at: refundedAt,
    }).transaction_id;
  });
  timeline.at(refundedAt + DAY_MS, () => store.settleTransaction(refundedId, { at: refundedAt + DAY_MS }));
  timeline.at(refundedAt + 7 * DAY_MS, () =>
    store.refundCardPurchase(refundedId, { at: refundedAt + 7 * DAY_MS }),
  );

  // An ACH payment out that came back (R01).
  const achAt = daysAgo(14, 7, 30);
  let achId = '';
  timeline.at(achAt, () => {
    achId = store.createAchTransfer({
      accountId: third.accountId,
      direction: 'debit',
      amount: '250.00',
      description: 'TRANSFER TO EXTERNAL SAVINGS',
      state: 'completed',
      at: achAt,
    }).transaction_id;
  });
  timeline.at(achAt + 2 * DAY_MS, () =>
    store.returnTransaction(achId, { returnCode: 'R01', at: achAt + 2 * DAY_MS }),
  );

  // An incoming ACH that failed: it exists in the store and never appears in the API.
  const failedAt = daysAgo(15, 10, 0);
  let failedId = '';
  timeline.at(failedAt, () => {
    failedId = store.createAchTransfer({
      accountId: second.accountId,
      direction: 'credit',
      amount: '120.00',
      description: 'MOBILE CHECK TRANSFER',
      at: failedAt,
    }).transaction_id;
  });
  timeline.at(failedAt + HOUR_MS, () =>
    store.failTransaction(failedId, { reason: 'Process timeout', at: failedAt + HOUR_MS }),
  );

  // Splitting a dinner between two customers on the platform.
  const splitAt = daysAgo(6, 21, 14);
  timeline.at(splitAt, () =>
    store.createAccountTransfer({
      fromAccountId: main.accountId,
      toAccountId: second.accountId,
      amount: '42.50',
      description: 'Dinner split',
      at: splitAt,
    }),
  );

  // A deposit still in flight.
  const depositAt = Math.min(endMs, daysAgo(1, 11, 3));
  timeline.at(depositAt, () =>
    store.createAchTransfer({
      accountId: third.accountId,
      direction: 'credit',
      amount: '300.00',
      description: 'TRANSFER FROM EXTERNAL CHECKING',
      at: depositAt,
    }),
  );

  // Checks deposited by photo (rdc): one that cleared, and one scanned just now still in `start`.
  const clearedCheckAt = daysAgo(18, 17, 26);
  let clearedCheckId = '';
  timeline.at(clearedCheckAt, () => {
    clearedCheckId = store.depositCheck({
      accountId: third.accountId,
      amount: formatCents(third.random.int(8000, 45000)),
      at: clearedCheckAt,
    }).transaction_id;
  });
  timeline.at(clearedCheckAt + 20 * MINUTE_MS, () =>
    store.processTransaction(clearedCheckId, { at: clearedCheckAt + 20 * MINUTE_MS }),
  );
  timeline.at(clearedCheckAt + 2 * DAY_MS, () =>
    store.completeTransaction(clearedCheckId, { at: clearedCheckAt + 2 * DAY_MS }),
  );
  const scannedCheckAt = endMs - 40 * MINUTE_MS;
  const scannedCheckCents = second.random.int(2500, 30000);
  timeline.at(scannedCheckAt, () =>
    store.depositCheck({
      accountId: second.accountId,
      amount: formatCents(scannedCheckCents),
      at: scannedCheckAt,
    }),
  );

  // Keep the two descriptor shapes present even on a short history.
  const guaranteed = daysAgo(3, 14, 20);
  purchase(store, timeline, shopper, { ...amazon, merchantName: amazonMarketplaceDescriptor }, guaranteed);
  purchase(
    store,
    timeline,
    shopper,
    { ...retail, merchantName: amazonRetailDescriptor },
    guaranteed + 3 * HOUR_MS,
  );

  timeline.play();
}
