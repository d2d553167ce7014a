import { fromCents, toCents, type SeededRandom } from '../../core/random';
import { invalid } from '../store/errors';
import { AMAZON_PRODUCTS, LINE_ITEM_LABELS, type CatalogProduct } from './catalog';
import {
  NON_CARD_PAYMENT_TYPES,
  type NonCardPaymentType,
  type Order,
  type OrderPaymentMethod,
  type OrderProduct,
} from './schema';

/**
 * Seeded Amazon order generation. All money is computed in integer cents and converted to dollars
 * only at the end, so `lineItems` always add up to `amount` to the cent, and products add up to the
 * subtotal line.
 */

export interface PaymentCard {
  lastFour: string;
  brand: string;
}

type TimeInput = string | number | Date;

const DAY_MS = 24 * 3600 * 1000;
/** Typical US sales tax rate applied to the item subtotal [choice]. */
export const DEFAULT_TAX_RATE = 0.07;
/** Return window for physical items [choice: Amazon's standard 30 days]. */
export const RETURN_WINDOW_DAYS = 30;

const toMs = (time: TimeInput, field: string): number => {
  const ms = time instanceof Date ? time.getTime() : typeof time === 'number' ? time : Date.parse(time);
  if (!Number.isFinite(ms)) throw invalid(field, `${field} is not a valid date: ${String(time)}`);
  return ms;
};

const iso = (ms: number) => new Date(ms).toISOString();

/** End of the UTC day `days` after `ms`, the way Amazon states return deadlines. */
function returnByFor(orderMs: number, days = RETURN_WINDOW_DAYS): string {
  const end = new Date(orderMs + days * DAY_MS);
  end.setUTCHours(23, 59, 59, 0);
  return end.toISOString();
}

/** An Amazon order number such as `112-2968911-3747422`. */
export function amazonSourceId(random: SeededRandom): string {
  const digits = (n: number) => Array.from({ length: n }, () => random.int(0, 9)).join('');
  return `${random.pick(['111', '112', '113', '114'])}-${digits(7)}-${digits(7)}`;
}

export interface ExplicitProduct {
  description: string;
  /** Dollars, two decimals. */
  amount: number;
  /** ISO time; `null` for no return window; default: 30 days after the order, end of day. */
  returnBy?: string | null;
}

export interface BuildOrderOptions {
  date: TimeInput;
  /**
   * The order total in dollars. Given alone, products and tax are generated to add up to it; given
   * with `products`, the tax line absorbs the difference (it must not be negative).
   */
  amount?: number;
  products?: ExplicitProduct[];
  /** Dollars; default 0. */
  shipping?: number;
  /** Dollars; default `taxRate` × subtotal. */
  tax?: number;
  taxRate?: number;
  /** `null` builds an order with no payment method at all. Default: a generated Visa card. */
  paymentMethod?: OrderPaymentMethod | null;
  sourceId?: string;
  _id?: string;
}

function assertCents(value: number, field: string): number {
  if (!Number.isFinite(value)) throw invalid(field, `${field} must be a finite number`);
  const cents = toCents(value);
  if (Math.abs(cents - value * 100) > 1e-6) throw invalid(field, `${field} must have at most two decimals`);
  return cents;
}

/** Splits `totalCents` into `parts` positive amounts, seeded. */
function splitCents(random: SeededRandom, totalCents: number, parts: number): number[] {
  const n = Math.max(1, Math.min(parts, totalCents));
  const weights = Array.from({ length: n }, () => random.int(1, 100));
  const sum = weights.reduce((a, b) => a + b, 0);
  const out: number[] = [];
  let left = totalCents;
  for (let i = 0; i < n - 1; i++) {
    const share = Math.max(1, Math.min(left - (n - 1 - i), Math.floor((totalCents * weights[i]!) / sum)));
    out.push(share);
    left -= share;
  }
  out.push(left);
  return out;
}

function pickProducts(random: SeededRandom, count: number): CatalogProduct[] {
  const chosen: CatalogProduct[] = [];
  for (let i = 0; i < count; i++) chosen.push(random.pick(AMAZON_PRODUCTS));
  return chosen;
}

function productLine(description: string, cents: number, orderMs: number, digital: boolean): OrderProduct {
  const product: OrderProduct = { description, amount: fromCents(cents) };
  if (!digital) product.returnBy = returnByFor(orderMs);
  return product;
}

/** Builds one order; whatever is not given is generated from `random`. */
export function buildAmazonOrder(random: SeededRandom, options: BuildOrderOptions): Order {
  const orderMs = toMs(options.date, 'date');
  const taxRate = options.taxRate ?? DEFAULT_TAX_RATE;
  if (!(taxRate >= 0 && taxRate < 1)) throw invalid('taxRate', 'taxRate must be in [0, 1)');
  const shippingCents = options.shipping === undefined ? 0 : assertCents(options.shipping, 'shipping');
  if (shippingCents < 0) throw invalid('shipping', 'shipping must not be negative');

  let products: OrderProduct[];
  let subtotalCents: number;
  let taxCents: number;

  if (options.products && options.products.length > 0) {
    products = options.products.map((p, i) => {
      const cents = assertCents(p.amount, `products.${i}.amount`);
      if (cents < 0) throw invalid(`products.${i}.amount`, 'product amounts must not be negative');
      const product: OrderProduct = { description: p.description, amount: fromCents(cents) };
      if (p.returnBy === undefined) product.returnBy = returnByFor(orderMs);
      else if (p.returnBy !== null) product.returnBy = p.returnBy;
      return product;
    });
    subtotalCents = products.reduce((sum, p) => sum + toCents(p.amount), 0);
    if (options.amount !== undefined) {
      taxCents = assertCents(options.amount, 'amount') - subtotalCents - shippingCents;
      if (options.tax !== undefined && assertCents(options.tax, 'tax') !== taxCents)
        throw invalid('tax', 'products + shipping + tax must equal amount');
      if (taxCents < 0) throw invalid('amount', 'amount is less than the products plus shipping');
    } else {
      taxCents =
        options.tax !== undefined ? assertCents(options.tax, 'tax') : Math.round(subtotalCents * taxRate);
    }
  } else if (options.amount !== undefined) {
    const amountCents = assertCents(options.amount, 'amount');
    if (amountCents - shippingCents <= 0) throw invalid('amount', 'amount must be greater than shipping');
    if (options.tax !== undefined) {
      taxCents = assertCents(options.tax, 'tax');
      subtotalCents = amountCents - shippingCents - taxCents;
      if (subtotalCents <= 0) throw invalid('tax', 'tax leaves no room for products');
    } else {
      subtotalCents = Math.round((amountCents - shippingCents) / (1 + taxRate));
      taxCents = amountCents - shippingCents - subtotalCents;
    }
    const count = subtotalCents >= 3000 ? random.int(1, 3) : 1;
    const catalog = pickProducts(random, count);
    const shares = splitCents(random, subtotalCents, count);
    products = shares.map((cents, i) =>
      productLine(catalog[i]!.description, cents, orderMs, !!catalog[i]!.digital),
    );
  } else {
    const count = random.pick([1, 1, 1, 2, 2, 3, 4]);
    const catalog = pickProducts(random, count);
    products = catalog.map((p) =>
      productLine(p.description, random.int(p.minCents, p.maxCents), orderMs, !!p.digital),
    );
    subtotalCents = products.reduce((sum, p) => sum + toCents(p.amount), 0);
    taxCents =
      options.tax !== undefined ? assertCents(options.tax, 'tax') : Math.round(subtotalCents * taxRate);
  }

  const amountCents = subtotalCents + shippingCents + taxCents;
  const order: Order = {
    _id: options._id ?? random.objectId(),
    sourceId: options.sourceId ?? amazonSourceId(random),
    date: iso(orderMs),
    amount: fromCents(amountCents),
    lineItems: [
      { description: LINE_ITEM_LABELS.subtotal, amount: fromCents(subtotalCents) },
      { description: LINE_ITEM_LABELS.shipping, amount: fromCents(shippingCents) },
      { description: LINE_ITEM_LABELS.tax, amount: fromCents(taxCents) },
    ],
    products,
  };
  const paymentMethod =
    options.paymentMethod === undefined
      ? { type: 'card', lastFour: String(random.int(0, 9999)).padStart(4, '0'), brand: 'Visa' }
      : options.paymentMethod;
  if (paymentMethod !== null) order.paymentMethod = { ...paymentMethod };
  return order;
}

export interface GenerateOrdersOptions {
  count: number;
  from: TimeInput;
  to: TimeInput;
  /** Cards the orders are paid with; required unless every order is non-card. */
  cards: readonly PaymentCard[];
  /** Share of orders paid without a card (gift card, Affirm, Google Play, EBT). Default 0.15. */
  nonCardShare?: number;
  /** Which non-card descriptions to use. Default: all four. */
  nonCardTypes?: readonly NonCardPaymentType[];
  /** Share of card orders where the merchant shows no last four. Default 0. */
  cardWithoutLastFourShare?: number;
  taxRate?: number;
}

/** `count` orders with dates spread over [from, to], oldest first. */
export function generateAmazonOrders(random: SeededRandom, options: GenerateOrdersOptions): Order[] {
  const { count } = options;
  if (!Number.isInteger(count) || count < 0 || count > 10_000)
    throw invalid('count', 'count must be an integer in [0, 10000]');
  const fromMs = toMs(options.from, 'from');
  const toMsValue = toMs(options.to, 'to');
  if (toMsValue < fromMs) throw invalid('to', '`to` must not be before `from`');
  const nonCardShare = options.nonCardShare ?? 0.15;
  if (!(nonCardShare >= 0 && nonCardShare <= 1))
    throw invalid('nonCardShare', 'nonCardShare must be in [0, 1]');
  const noLastFourShare = options.cardWithoutLastFourShare ?? 0;
  const nonCardTypes = options.nonCardTypes ?? NON_CARD_PAYMENT_TYPES;
  if (nonCardShare > 0 && nonCardTypes.length === 0)
    throw invalid('nonCardTypes', 'nonCardTypes must not be empty when nonCardShare > 0');
  if (nonCardShare < 1 && count > 0 && options.cards.length === 0)
    throw invalid('cards', 'at least one card is needed unless nonCardShare is 1');

  const times = Array.from({ length: count }, () => random.int(fromMs, toMsValue)).sort((a, b) => a - b);
  return times.map((ms) => {
    let paymentMethod: OrderPaymentMethod;
    if (random.chance(nonCardShare)) {
      paymentMethod = { type: random.pick(nonCardTypes) };
    } else {
      const card = random.pick(options.cards);
      paymentMethod = random.chance(noLastFourShare)
        ? { type: 'card', brand: card.brand }
        : { type: 'card', lastFour: card.lastFour, brand: card.brand };
    }
    const shipping = random.chance(0.15) ? random.pick([4.99, 5.99, 6.99]) : 0;
    const buildOptions: BuildOrderOptions = { date: ms, shipping, paymentMethod };
    if (options.taxRate !== undefined) buildOptions.taxRate = options.taxRate;
    return buildAmazonOrder(random, buildOptions);
  });
}
