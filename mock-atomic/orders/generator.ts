import { fromCents, toCents, type SeededRandom } from '../../core/random';
import { invalid } from '../store/errors';
import {
  AMAZON_PRODUCTS,
  CATEGORY_RULES,
  LINE_ITEM_LABELS,
  catalogProduct,
  type CatalogProduct,
  type ProductCategory,
} from './catalog';
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
 * subtotal line. Generated orders are built from the catalogue: the items are picked and priced
 * first, tax is charged per item at its category's rate (none on gift cards), and the total is what
 * they add up to. Each item's return window follows its category.
 */

export interface PaymentCard {
  lastFour: string;
  brand: string;
}

type TimeInput = string | number | Date;

const DAY_MS = 24 * 3600 * 1000;
/** Sales tax on items the catalogue does not know (and on totals a caller gives) [choice]. */
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

/** Taxed at the default rate and returnable in 30 days: what an order priced to fit a given total is made of. */
const GENERAL_MERCHANDISE = AMAZON_PRODUCTS.filter((p) => {
  const rule = CATEGORY_RULES[p.category];
  return rule.taxRate === DEFAULT_TAX_RATE && rule.returnDays === RETURN_WINDOW_DAYS;
});

function pickProducts(random: SeededRandom, count: number, from = AMAZON_PRODUCTS): CatalogProduct[] {
  const chosen: CatalogProduct[] = [];
  for (let i = 0; i < count; i++) chosen.push(random.pick(from));
  return chosen;
}

/** Store prices end the way retail prices do (…99, …49, …95, …00), within the product's range. */
const PRICE_ENDINGS = [99, 99, 99, 49, 95, 97, 0] as const;
function priceCents(random: SeededRandom, product: CatalogProduct): number {
  if (product.category === 'gift-card') return random.pick([25, 25, 50, 50, 75, 100]) * 100;
  const dollars = random.int(Math.floor(product.minCents / 100), Math.floor(product.maxCents / 100));
  const cents = dollars * 100 + random.pick(PRICE_ENDINGS);
  return Math.min(product.maxCents, Math.max(product.minCents, cents));
}

function productLine(
  description: string,
  cents: number,
  orderMs: number,
  category: ProductCategory | undefined,
): OrderProduct {
  const product: OrderProduct = { description, amount: fromCents(cents) };
  const days = category ? CATEGORY_RULES[category].returnDays : RETURN_WINDOW_DAYS;
  if (days !== null) product.returnBy = returnByFor(orderMs, days);
  return product;
}

/** Tax on each item at its category's rate (the catalogue's, else `fallbackRate`), rounded per item. */
function itemTaxCents(products: readonly OrderProduct[], fallbackRate: number): number {
  return products.reduce((sum, p) => {
    const category = catalogProduct(p.description)?.category;
    const rate = category ? CATEGORY_RULES[category].taxRate : fallbackRate;
    return sum + Math.round(toCents(p.amount) * rate);
  }, 0);
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
      if (p.returnBy === undefined)
        return productLine(p.description, cents, orderMs, catalogProduct(p.description)?.category);
      const product: OrderProduct = { description: p.description, amount: fromCents(cents) };
      if (p.returnBy !== null) product.returnBy = p.returnBy;
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
        options.tax !== undefined
          ? assertCents(options.tax, 'tax')
          : options.taxRate !== undefined
            ? Math.round(subtotalCents * taxRate)
            : itemTaxCents(products, taxRate);
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
    // A total given by the caller (a scenario's "a 45.67 order") is kept: its items are priced to fit.
    const count = subtotalCents >= 3000 ? random.int(1, 3) : 1;
    const catalog = pickProducts(random, count, GENERAL_MERCHANDISE);
    const shares = splitCents(random, subtotalCents, count);
    products = shares.map((cents, i) =>
      productLine(catalog[i]!.description, cents, orderMs, catalog[i]!.category),
    );
  } else {
    // From the catalogue: items priced as the store prices them, the total is what they add up to.
    const count = random.pick([1, 1, 1, 2, 2, 3, 4]);
    const catalog = pickProducts(random, count);
    products = catalog.map((p) => productLine(p.description, priceCents(random, p), orderMs, p.category));
    subtotalCents = products.reduce((sum, p) => sum + toCents(p.amount), 0);
    taxCents =
      options.tax !== undefined
        ? assertCents(options.tax, 'tax')
        : options.taxRate !== undefined
          ? Math.round(subtotalCents * taxRate)
          : itemTaxCents(products, taxRate);
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
