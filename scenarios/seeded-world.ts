import { createRandom, toCents, type SeededRandom } from '../core/random';
import type { BaselineCustomer, BaselineOptions, PlannedPurchase } from '../mock-atelio';
import { CATEGORY_RULES, catalogProduct, type AtomicStore, type Order } from '../mock-atomic';

/**
 * One world on `npm start`: the Atomic baseline's users bank at Atelio. Each user with an Amazon
 * account is an Atelio customer whose `customer_id` is their Atomic identifier (as in the
 * amazon-order-stitching scenario), holding cards with the last fours their Amazon orders show, and
 * each of their card orders became a card transaction at an Amazon descriptor. Most settled at the
 * order total a day or two later; the newest are still pending, some of them authorised a little
 * above the total (estimated tax, vendor-docs 000); one older order shipped in two parts and settled
 * twice (vendor-docs 003 multi-settlement); one was authorised above the total and settled at it.
 * Orders paid without a card never reach the bank. The rest of the customer's spending is elsewhere.
 *
 * Derived from the Atomic store's baseline and the seed only, so the same seed on the same day gives
 * the same Atelio baseline, and `reset()` rebuilds it exactly.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** How many of the newest card orders are still pending, and how many of those carry estimated tax. */
const PENDING_NEWEST = 3;
const TAX_ADJUSTED_PENDING = 2;

export interface Card {
  lastFour: string;
  brand: string;
}

/** The orders a user's Amazon account holds and the cards the user has on file with Atomic. */
export interface AmazonShopper {
  identifier: string;
  /** The identity the user gave Atomic (name, email, phone, address), as stored. */
  identity: Record<string, string>;
  cards: Card[];
  orders: Order[];
}

/** The Atelio baseline options that make Atelio's first customers the Atomic baseline's Amazon shoppers. */
export function atelioBaselineForAtomic(atomic: AtomicStore): BaselineOptions {
  return { customers: seededWorldPlan(atomic).map((plan) => plan.customer) };
}

/** One shopper of the seeded world: who they are at Atomic, and the bank customer they are at Atelio. */
export interface ShopperPlan {
  shopper: AmazonShopper;
  customer: BaselineCustomer;
  /** The customer's baseline Amazon charges, each with the order it is the charge of. */
  charges: OrderCharge[];
}

/** The seeded world, shopper by shopper: derived from the Atomic baseline and the seed alone. */
export function seededWorldPlan(atomic: AtomicStore): ShopperPlan[] {
  const random = createRandom(`${atomic.seed}:seeded-world`);
  return amazonShoppers(atomic).map((shopper) => {
    const customer = customerFor(shopper, random.fork(shopper.identifier));
    return { shopper, customer, charges: customer.purchases as OrderCharge[] };
  });
}

/** The baseline users with an Amazon account, in baseline order. */
export function amazonShoppers(atomic: AtomicStore): AmazonShopper[] {
  const out: AmazonShopper[] = [];
  for (const identifier of atomic.baselineInfo().identifiers) {
    const user = atomic.findUser(identifier);
    if (!user) continue;
    const amazon = atomic
      .listPayLinkAccounts(identifier)
      .filter((a) => a.type === 'linked' && a.account.type === 'ecommerce');
    const orders = amazon.flatMap((a) => a.orders ?? []);
    const cards = user.cards
      .filter((c) => c.lastFour !== undefined)
      .map((c) => ({ lastFour: c.lastFour!, brand: c.brand ?? 'visa' }));
    // Cards the orders show but the user never gave Atomic are cards this bank issued too.
    for (const order of orders) {
      const { lastFour, brand } = order.paymentMethod ?? {};
      if (lastFour && !cards.some((c) => c.lastFour === lastFour))
        cards.push({ lastFour, brand: brand ?? 'visa' });
    }
    if (amazon.length > 0 && cards.length > 0)
      out.push({ identifier, identity: user.identity ?? {}, cards, orders });
  }
  return out;
}

function customerFor(shopper: AmazonShopper, random: SeededRandom): BaselineCustomer {
  const oldestOrder = Math.min(...shopper.orders.map((o) => Date.parse(o.date)));
  const id = shopper.identity;
  const person: NonNullable<BaselineCustomer['person']> = {
    ...(id['firstName'] && { firstName: id['firstName'] }),
    ...(id['lastName'] && { lastName: id['lastName'] }),
    ...(id['email'] && { email: id['email'] }),
    ...(id['phone'] && { phone: id['phone'] }),
    ...(id['address'] && {
      address: {
        street: id['address'],
        ...(id['city'] && { city: id['city'] }),
        ...(id['state'] && { state: id['state'] }),
        ...(id['postalCode'] && { zip_code: id['postalCode'] }),
      },
    }),
  };
  return {
    customerId: shopper.identifier,
    person,
    cardLastFours: shopper.cards.map((c) => c.lastFour),
    purchases: amazonCharges(shopper.orders, shopper.cards, random),
    // The bank history reaches back to the first order (the default history is shorter).
    ...(Number.isFinite(oldestOrder) && { historySince: oldestOrder - DAY_MS }),
  };
}

/** Every item is delivered digitally (an eBook, a rental, a gift card): Amazon bills it as AMZN Digital. */
export const isDigitalOnly = (order: Order): boolean =>
  order.products.length > 0 &&
  order.products.every((p) => {
    const category = catalogProduct(p.description)?.category;
    return category !== undefined && CATEGORY_RULES[category].digital;
  });

/** The card each card order was charged to: its last four, or the first card of its brand. */
export function cardOf(order: Order, cards: readonly Card[]): string | undefined {
  const method = order.paymentMethod;
  if (method?.type !== 'card') return undefined;
  if (method.lastFour) return method.lastFour;
  const brand = method.brand?.toLowerCase();
  return (cards.find((c) => c.brand.toLowerCase() === brand) ?? cards[0])?.lastFour;
}

/** Where Amazon bills an order: digital goods alone as AMZN Digital, the rest marketplace (60 %) or retail. */
export const amazonMerchantFor = (order: Order, random: SeededRandom): PlannedPurchase['merchant'] =>
  isDigitalOnly(order) ? 'amazon-digital' : random.chance(0.6) ? 'amazon-marketplace' : 'amazon-retail';

/** Estimated tax on a pending charge: 2–6 % of the order, between 0.15 and 0.90. */
export const estimatedTaxCents = (random: SeededRandom, cents: number): number =>
  Math.min(90, Math.max(15, Math.round((cents * random.int(2, 6)) / 100)));

/** Splits an order's total in two shipments at a product boundary (with its share of tax and shipping). */
function shipmentSplit(order: Order): [number, number] | undefined {
  const total = toCents(order.amount);
  if (order.products.length < 2) return undefined;
  const subtotal = order.products.reduce((sum, p) => sum + toCents(p.amount), 0);
  if (subtotal <= 0) return undefined;
  const first = Math.round((toCents(order.products[0]!.amount) * total) / subtotal);
  return first > 0 && first < total ? [first, total - first] : undefined;
}

/** A planned card charge and the Amazon order it is the charge of. */
export type OrderCharge = PlannedPurchase & { orderId: string };

/** Card charges for `orders`: one per card order, each with its settlement story. */
export function amazonCharges(
  orders: readonly Order[],
  cards: readonly Card[],
  random: SeededRandom,
): OrderCharge[] {
  const charged = [...orders]
    .filter((o) => cardOf(o, cards) !== undefined && toCents(o.amount) > 0)
    .sort((a, b) => Date.parse(a.date) - Date.parse(b.date) || (a._id < b._id ? -1 : 1));
  const pendingFrom = charged.length - PENDING_NEWEST;
  // One older order shipped in two parts (settled twice), one authorised with estimated tax.
  const older = charged.slice(0, Math.max(0, pendingFrom - 2));
  const splittable = older.filter((o) => shipmentSplit(o) !== undefined);
  const multi = splittable.length > 0 ? random.pick(splittable) : undefined;
  const rest = older.filter((o) => o !== multi);
  const adjusted = rest.length > 0 ? random.pick(rest) : undefined;

  return charged.map((order, index): OrderCharge => {
    const orderMs = Date.parse(order.date);
    const cents = toCents(order.amount);
    const merchant = amazonMerchantFor(order, random);
    const base = { lastFour: cardOf(order, cards)!, merchant, orderId: order._id } as const;
    if (index >= pendingFrom) {
      // Authorised as the order was placed, not settled yet.
      const atMs = orderMs + random.int(1, 40) * MINUTE_MS;
      const tax = index - pendingFrom < TAX_ADJUSTED_PENDING ? estimatedTaxCents(random, cents) : 0;
      return { ...base, atMs, authorisedCents: cents + tax, settlements: [] };
    }
    const atMs = orderMs + random.int(2, 26 * 60) * MINUTE_MS;
    const settleAt = atMs + random.int(14, 56) * HOUR_MS + random.int(0, 59) * MINUTE_MS;
    if (order === multi) {
      const [first, second] = shipmentSplit(order)!;
      return {
        ...base,
        atMs,
        authorisedCents: cents,
        settlements: [
          { atMs: settleAt, cents: first },
          { atMs: settleAt + random.int(30, 72) * HOUR_MS, cents: second },
        ],
      };
    }
    const authorisedCents = order === adjusted ? cents + estimatedTaxCents(random, cents) : cents;
    return { ...base, atMs, authorisedCents, settlements: [{ atMs: settleAt, cents }] };
  });
}
