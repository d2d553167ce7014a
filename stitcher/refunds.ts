/**
 * Refunds and returns, linked back to the order (and products) they refund.
 *
 * - A charge Atelio marks `returned` (reversed after it completed, vendor-docs 003) refunds the
 *   order it was matched to, for the products of that charge.
 * - A refund credit (a card transaction with a positive amount at an Amazon descriptor) names the
 *   purchase it refunds in `previous_transaction_id` when the bank gives it: the link follows that.
 *   Otherwise it is linked by evidence: an order of the same customer placed before the credit,
 *   still within its `returnBy` period (vendor-docs 000 `products[].returnBy`, plus the posting
 *   window), on the same card, whose total, one of its shipment charges, or (for an order whose
 *   charge was matched, on the card it was charged on) one of its products with its tax equals the
 *   credit. The strongest fit wins; when two orders fit equally well the credit stays unlinked
 *   rather than guess (repeat purchases of one amount are common).
 * - The card: an order that shows its card's last four is compared on those; one that does not
 *   (Atomic often has no payment method) is compared on the card its matched charge was on, since a
 *   refund goes back to the card that paid.
 * - A credit that fits only some of an order's products stays unlinked when it equals the whole
 *   total of an earlier order of the customer, even one past its return period: late refunds of a
 *   whole order are common, and a product-price coincidence is weak evidence against that.
 * An order is never refunded more than its total.
 */
import { cardCase } from './card-match';
import type { CardCase } from './card-match';
import { isoDay, utcDay } from './dates';
import { byDateThenId } from './match-types';
import type { MatchOrder, MatchTransaction, MatchingOptions, OrderOutcome } from './match-types';
import { formatCents } from './money';
import { productsForRefund } from './products';

export interface RefundOutcome {
  /** The credit, or the reversed charge. */
  transactionId: string;
  orderId: string;
  /** `credit`: a refund transaction; `reversal`: the order's own charge, now `returned`. */
  kind: 'credit' | 'reversal';
  amountCents: number;
  /** Indexes into the order's products; null when it cannot be told which. */
  products: number[] | null;
  confidence: number;
  reasons: string[];
}

interface Charge {
  order: number;
  cents: number;
  /** Product indexes; undefined for a single charge, which pays for every product. */
  products: number[] | null | undefined;
}

export interface RefundInput {
  orders: readonly MatchOrder[];
  /** One per order, at the same index. */
  outcomes: readonly OrderOutcome[];
  transactions: readonly MatchTransaction[];
  isMerchant: (descriptor: string) => boolean;
  options: MatchingOptions;
}

const REFUND_STATES = new Set(['pending', 'completed']);

const allProducts = (order: MatchOrder): number[] | null =>
  order.productCents && order.productCents.length > 0 ? order.productCents.map((_, i) => i) : null;

export function linkRefunds(input: RefundInput): RefundOutcome[] {
  const { orders, outcomes, transactions, isMerchant, options } = input;
  // Every matched charge → its order and products.
  const charges = new Map<string, Charge>();
  outcomes.forEach((outcome, o) => {
    if (outcome.status !== 'matched') return;
    const order = orders[o]!;
    if (outcome.charges) {
      for (const c of outcome.charges)
        charges.set(c.transactionId, { order: o, cents: c.amountCents, products: c.products });
    } else {
      charges.set(outcome.transactionId, {
        order: o,
        cents: order.amountCents!,
        products: allProducts(order),
      });
    }
  });

  const refunded = new Float64Array(orders.length);
  const refundedProducts = new Map<number, Set<number>>();
  const note = (o: number, cents: number, products: number[] | null) => {
    refunded[o]! += cents;
    if (!products) return;
    const set = refundedProducts.get(o) ?? new Set<number>();
    for (const p of products) set.add(p);
    refundedProducts.set(o, set);
  };

  const productsOf = (charge: Charge): number[] | null =>
    charge.products === undefined ? allProducts(orders[charge.order]!) : charge.products;

  const chargedOn = chargedCards(charges, transactions);
  const links: RefundOutcome[] = [];
  const linkDates: number[] = [];
  const credits: MatchTransaction[] = [];
  for (const t of transactions) {
    if (t.dateMs === null) continue;
    if (t.state === 'returned' && charges.has(t.id)) {
      const charge = charges.get(t.id)!;
      const order = orders[charge.order]!;
      const at = t.updatedMs ?? t.dateMs;
      const inPeriod = order.returnByMs != null && utcDay(at) <= utcDay(order.returnByMs);
      links.push({
        transactionId: t.id,
        orderId: order.id,
        kind: 'reversal',
        amountCents: charge.cents,
        products: productsOf(charge),
        confidence: 1,
        reasons: [
          `the order's charge ${t.id} was reversed (Atelio state returned) on ${isoDay(at)}: ${formatCents(charge.cents)} back`,
          inPeriod
            ? `within the return period (return by ${isoDay(order.returnByMs!)})`
            : order.returnByMs == null
              ? 'the order has no return-by date: a reversal by the bank (dispute or chargeback), not a return'
              : `after the return period (return by ${isoDay(order.returnByMs)}): a reversal by the bank (dispute or chargeback), not a return`,
        ],
      });
      linkDates.push(t.dateMs);
      note(charge.order, charge.cents, productsOf(charge));
      continue;
    }
    if (t.amountCents === null || t.amountCents <= 0 || !REFUND_STATES.has(t.state)) continue;
    if (t.paymentType !== null && t.paymentType !== 'card') continue;
    if (!isMerchant(t.descriptor)) continue;
    credits.push(t);
  }
  credits.sort(byDateThenId);

  let ordersByUser: Map<string, number[]> | null = null;
  for (const credit of credits) {
    const cents = credit.amountCents!;
    const named = credit.previousTransactionId ? charges.get(credit.previousTransactionId) : undefined;
    // A credit on one customer's account never refunds another customer's order.
    const pointed = named && orders[named.order]!.userId === credit.userId ? named : undefined;
    if (pointed && refunded[pointed.order]! + cents <= orders[pointed.order]!.amountCents!) {
      const order = orders[pointed.order]!;
      const products =
        cents === pointed.cents
          ? productsOf(pointed)
          : productsForRefund(
              order.productCents ?? [],
              order.amountCents!,
              cents,
              remaining(order, pointed.order),
            );
      links.push({
        transactionId: credit.id,
        orderId: order.id,
        kind: 'credit',
        amountCents: cents,
        products,
        confidence: 1,
        reasons: [
          `refund of ${formatCents(cents)} points back to the order's charge ${credit.previousTransactionId} (previous_transaction_id)`,
          productReason(products, order),
        ],
      });
      linkDates.push(credit.dateMs!);
      note(pointed.order, cents, products);
      continue;
    }
    if (ordersByUser === null) ordersByUser = groupByUser(orders);
    const best = bestOrderFor(credit, ordersByUser.get(credit.userId) ?? []);
    if (best === null) continue;
    const order = orders[best.order]!;
    links.push({
      transactionId: credit.id,
      orderId: order.id,
      kind: 'credit',
      amountCents: cents,
      products: best.products,
      confidence: best.points / 100,
      reasons: [
        best.fit === 'total'
          ? `refund of ${formatCents(cents)} equals the order total`
          : best.fit === 'charge'
            ? `refund of ${formatCents(cents)} equals one of the order's shipment charges`
            : `refund of ${formatCents(cents)} equals the price of some of the order's products`,
        `posted ${isoDay(credit.dateMs!)}, after the order (${isoDay(order.dateMs!)}) and within its return period (return by ${isoDay(order.returnByMs!)})`,
        best.card === 'agree'
          ? `card last four ${credit.lastFour} agrees`
          : best.card === 'charged-on'
            ? `card last four ${credit.lastFour} is the card the order was charged on`
            : 'card last four not known on both sides: linked on amount, date and merchant',
        `Amazon merchant descriptor "${credit.descriptor.trim()}"`,
        productReason(best.products, order),
      ],
    });
    linkDates.push(credit.dateMs!);
    note(best.order, cents, best.products);
  }
  return links
    .map((link, k) => ({ link, id: link.transactionId, dateMs: linkDates[k]! }))
    .sort(byDateThenId)
    .map((x) => x.link);

  function remaining(order: MatchOrder, o: number): Set<number> | null {
    const all = allProducts(order);
    if (!all) return null;
    const gone = refundedProducts.get(o);
    return new Set(gone ? all.filter((p) => !gone.has(p)) : all);
  }

  function bestOrderFor(credit: MatchTransaction, candidates: readonly number[]) {
    const cents = credit.amountCents!;
    const creditDay = utcDay(credit.dateMs!);
    type Fit = {
      order: number;
      points: number;
      fit: 'total' | 'charge' | 'products';
      card: string;
      products: number[] | null;
    };
    let best: Fit | null = null;
    let tied = false;
    const wholeEarlierOrder = equalsEarlierTotal(credit, candidates);
    for (const o of candidates) {
      const order = orders[o]!;
      if (order.payment.kind === 'non-card' || order.amountCents === null || order.dateMs === null) continue;
      if (order.returnByMs == null) continue;
      const orderDay = utcDay(order.dateMs);
      if (orderDay > creditDay) break; // candidates are in date order
      if (creditDay > utcDay(order.returnByMs) + options.windowDaysAfter) continue;
      if (refunded[o]! + cents > order.amountCents) continue;
      const card = refundCardCase(o, credit);
      if (card === 'mismatch') continue;
      let fit: Fit['fit'] | null = null;
      let products: number[] | null = null;
      if (cents === order.amountCents && refunded[o] === 0) {
        fit = 'total';
        products = allProducts(order);
      } else {
        const charge = chargeOfAmount(o, cents);
        if (charge) {
          fit = 'charge';
          products = productsOf(charge);
        } else if (
          (card === 'agree' || card === 'charged-on') &&
          outcomes[o]?.status === 'matched' &&
          !wholeEarlierOrder
        ) {
          // Without a pointer only one product at a time, on the card the order was charged to:
          // sets of products (or any card) would let almost any amount fit some order.
          products = productsForRefund(
            order.productCents ?? [],
            order.amountCents,
            cents,
            remaining(order, o),
            1,
          );
          if (products) fit = 'products';
        }
      }
      if (fit === null) continue;
      const cardKnown = card === 'agree' || card === 'charged-on';
      const points = (fit === 'total' ? 90 : fit === 'charge' ? 85 : 80) - (cardKnown ? 0 : 10);
      if (best === null || points > best.points) {
        best = { order: o, points, fit, card, products };
        tied = false;
      } else if (points === best.points) tied = true;
    }
    return tied ? null : best;
  }

  /** The order's card against the credit's: its own last four, else the card its charge was on. */
  function refundCardCase(o: number, credit: MatchTransaction): CardCase | 'charged-on' | 'mismatch' {
    const card = cardCase(orders[o]!.payment, credit.lastFour);
    if ((card !== 'order-unknown' && card !== 'no-payment-method') || credit.lastFour === null) return card;
    const charged = chargedOn.get(o);
    if (!charged) return card;
    return charged === credit.lastFour ? 'charged-on' : 'mismatch';
  }

  /** Whether the credit equals the whole total of an unrefunded order placed before it, on a card
   *  that could be its own, whatever that order's return period. */
  function equalsEarlierTotal(credit: MatchTransaction, candidates: readonly number[]): boolean {
    const creditDay = utcDay(credit.dateMs!);
    for (const o of candidates) {
      const order = orders[o]!;
      if (order.dateMs === null || order.amountCents === null) continue;
      if (utcDay(order.dateMs) > creditDay) break;
      if (order.payment.kind === 'non-card' || refunded[o] !== 0) continue;
      if (order.amountCents === credit.amountCents && refundCardCase(o, credit) !== 'mismatch') return true;
    }
    return false;
  }

  function chargeOfAmount(o: number, cents: number): Charge | null {
    const outcome = outcomes[o]; // outcomes are in the orders' canonical order
    if (!outcome || outcome.status !== 'matched' || !outcome.charges) return null;
    const c = outcome.charges.find((x) => x.amountCents === cents);
    return c ? { order: o, cents, products: c.products } : null;
  }
}

/** Each matched order's card last four, from its charges (left out when they disagree or are unknown). */
function chargedCards(
  charges: ReadonlyMap<string, Charge>,
  transactions: readonly MatchTransaction[],
): Map<number, string> {
  const fours = new Map<number, string | null>();
  for (const t of transactions) {
    const charge = charges.get(t.id);
    if (!charge || t.lastFour === null) continue;
    const seen = fours.get(charge.order);
    fours.set(charge.order, seen === undefined || seen === t.lastFour ? t.lastFour : null);
  }
  const agreed = new Map<number, string>();
  for (const [order, four] of fours) if (four !== null) agreed.set(order, four);
  return agreed;
}

function groupByUser(orders: readonly MatchOrder[]): Map<string, number[]> {
  const byUser = new Map<string, number[]>();
  orders.forEach((order, i) => {
    const list = byUser.get(order.userId);
    if (list) list.push(i);
    else byUser.set(order.userId, [i]);
  });
  return byUser;
}

function productReason(products: number[] | null, order: MatchOrder): string {
  if (!products) return 'which products were refunded cannot be told from the amounts';
  const count = order.productCents?.length ?? 0;
  return products.length === count
    ? `all ${count} product${count === 1 ? '' : 's'} refunded`
    : `refunds product${products.length === 1 ? '' : 's'} ${products.map((p) => `#${p + 1}`).join(', ')} of ${count}`;
}
