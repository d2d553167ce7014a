import { z } from 'zod';
import type { SeededRandom } from '../../core/random';
import {
  CARD_BRANDS,
  NON_CARD_PAYMENT_TYPES,
  buildAmazonOrder,
  generateAmazonOrders,
  type AtomicStore,
  type BuildOrderOptions,
  type Order,
  type OrderPaymentMethod,
  type PaymentCard,
} from '../../mock-atomic';
import { DURATION_HINT, parseDuration } from '../duration';
import { StepFailure } from './types';

/**
 * Orders as scenario data. An order is written the way a tester thinks of it ("a 45.67 Amazon order
 * two days ago paid with the card ending 4242"); whatever is left out (products, order number, id)
 * is generated from the step's seeded generator by the Atomic mock's own order builder.
 */

const DAY_MS = 86_400_000;

/** Payment words: `card`, the non-card descriptions Atomic reports, or `none` (no payment method at all). */
export const ORDER_PAYMENTS = ['card', ...NON_CARD_PAYMENT_TYPES, 'none'] as const;

/** Four digits; YAML readers turn an unquoted 4242 into a number, which is accepted too. */
export const LastFourSchema = z
  .union([z.string(), z.number().int().min(0).max(9999)])
  .transform((value) => (typeof value === 'number' ? String(value).padStart(4, '0') : value))
  .pipe(z.string().regex(/^\d{4}$/, 'lastFour must be four digits, e.g. "4242"'));

export const TimeSchema = z
  .string()
  .refine(
    (value) => parseDuration(value) !== undefined || Number.isFinite(Date.parse(value)),
    `must be ${DURATION_HINT} (from the step's time; negative for the past) or an ISO date-time`,
  );

export const CardSpecSchema = z
  .object({ lastFour: LastFourSchema, brand: z.enum(CARD_BRANDS).optional() })
  .strict();

export const OrderSpecSchema = z
  .object({
    /** Name to find it by in the step's result: `${step.orders.<key>.id}`. */
    key: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,40}$/, 'key must be 1-40 letters, digits, "-" or "_"')
      .optional(),
    date: TimeSchema.optional(),
    amount: z.number().positive().optional(),
    products: z
      .array(
        z
          .object({
            description: z.string().min(1),
            amount: z.number().nonnegative(),
            returnBy: z.string().nullable().optional(),
          })
          .strict(),
      )
      .min(1)
      .optional(),
    shipping: z.number().nonnegative().optional(),
    tax: z.number().nonnegative().optional(),
    payment: z.enum(ORDER_PAYMENTS).optional(),
    /** Four digits, or `hidden`: a card order where the merchant shows no last four. */
    lastFour: z.union([z.literal('hidden'), LastFourSchema]).optional(),
    brand: z.enum(CARD_BRANDS).optional(),
    /** An existing order's id or number: the order changed (a refresh re-reads it). */
    id: z.string().optional(),
    sourceId: z.string().optional(),
  })
  .strict()
  .superRefine((order, ctx) => {
    const payment = order.payment ?? 'card';
    if (payment === 'card' && order.lastFour === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['lastFour'],
        message: 'a card order needs lastFour (four digits, or "hidden" when the merchant shows none)',
      });
    if (payment !== 'card' && (order.lastFour !== undefined || order.brand !== undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['lastFour'],
        message: `a "${payment}" order has no card: drop lastFour and brand`,
      });
  });

export type OrderSpec = z.infer<typeof OrderSpecSchema>;

export const GenerateOrdersSchema = z
  .object({
    count: z.number().int().min(0).max(1000),
    /** How many days back from the step's time the order dates spread over. */
    days: z.number().positive().max(3650).optional(),
    nonCardShare: z.number().min(0).max(1).optional(),
    nonCardTypes: z.array(z.enum(NON_CARD_PAYMENT_TYPES)).min(1).optional(),
    cardWithoutLastFourShare: z.number().min(0).max(1).optional(),
    /** Cards the orders are paid with; default the user's cards (from an access-token step). */
    cards: z.array(CardSpecSchema).min(1).optional(),
  })
  .strict();

export type GenerateOrders = z.infer<typeof GenerateOrdersSchema>;

/** A time in a step: relative to `now` (`-2d`, `+3h`) or absolute (ISO). */
export function timeAt(value: string | undefined, now: number): number {
  if (value === undefined) return now;
  const offset = parseDuration(value);
  return offset === undefined ? Date.parse(value) : now + offset;
}

function paymentMethodFor(spec: OrderSpec): OrderPaymentMethod | null {
  const payment = spec.payment ?? 'card';
  if (payment === 'none') return null;
  if (payment !== 'card') return { type: payment };
  const method: OrderPaymentMethod = { type: 'card', brand: spec.brand ?? 'Visa' };
  if (spec.lastFour !== undefined && spec.lastFour !== 'hidden') method.lastFour = spec.lastFour;
  return method;
}

export function buildOrder(random: SeededRandom, spec: OrderSpec, now: number): Order {
  const options: BuildOrderOptions = { date: timeAt(spec.date, now), paymentMethod: paymentMethodFor(spec) };
  if (spec.amount !== undefined) options.amount = spec.amount;
  if (spec.products !== undefined)
    options.products = spec.products.map((p) => ({
      description: p.description,
      amount: p.amount,
      ...(p.returnBy === undefined ? {} : { returnBy: p.returnBy }),
    }));
  if (spec.shipping !== undefined) options.shipping = spec.shipping;
  if (spec.tax !== undefined) options.tax = spec.tax;
  if (spec.id !== undefined) options._id = spec.id;
  if (spec.sourceId !== undefined) options.sourceId = spec.sourceId;
  try {
    return buildAmazonOrder(random, options);
  } catch (error) {
    throw new StepFailure(error instanceof Error ? error.message : String(error));
  }
}

const BRAND_WORDS: Record<string, string> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  'american-express': 'American Express',
  discover: 'Discover',
};

/** The cards generated orders are paid with: given ones, else the ones the user was created with. */
function cardsFor(atomic: AtomicStore, identifier: string, given: GenerateOrders['cards']): PaymentCard[] {
  if (given) return given.map((c) => ({ lastFour: c.lastFour, brand: c.brand ?? 'Visa' }));
  const stored = atomic.findUser(identifier)?.cards ?? [];
  const cards = stored.flatMap((c) =>
    c.lastFour ? [{ lastFour: c.lastFour, brand: BRAND_WORDS[c.brand ?? ''] ?? c.brand ?? 'Visa' }] : [],
  );
  if (cards.length === 0)
    throw new StepFailure(
      `generated card orders need cards: give generateOrders.cards, or create ${identifier} with cards in an access-token step`,
    );
  return cards;
}

export function generateOrders(
  random: SeededRandom,
  atomic: AtomicStore,
  identifier: string,
  spec: GenerateOrders,
  now: number,
  defaultDays: number,
): Order[] {
  const allNonCard = spec.nonCardShare === 1;
  try {
    return generateAmazonOrders(random, {
      count: spec.count,
      from: now - (spec.days ?? defaultDays) * DAY_MS,
      to: now,
      cards:
        spec.count === 0 || allNonCard
          ? (spec.cards ?? []).map((c) => ({ lastFour: c.lastFour, brand: c.brand ?? 'Visa' }))
          : cardsFor(atomic, identifier, spec.cards),
      ...(spec.nonCardShare === undefined ? {} : { nonCardShare: spec.nonCardShare }),
      ...(spec.nonCardTypes === undefined ? {} : { nonCardTypes: spec.nonCardTypes }),
      ...(spec.cardWithoutLastFourShare === undefined
        ? {}
        : { cardWithoutLastFourShare: spec.cardWithoutLastFourShare }),
    });
  } catch (error) {
    if (error instanceof StepFailure) throw error;
    throw new StepFailure(error instanceof Error ? error.message : String(error));
  }
}

/** How an order is shown in a step result and referred to by later steps. */
export function orderRef(order: Order): Record<string, unknown> {
  const method = order.paymentMethod;
  return {
    id: order._id,
    sourceId: order.sourceId,
    date: order.date,
    amount: order.amount,
    payment: method?.type ?? 'none',
    ...(method?.lastFour === undefined ? {} : { lastFour: method.lastFour }),
  };
}

/** A step's orders by `key` (else their position, from 1) for `${step.orders.<key>...}`. */
export function keyedOrders(specs: readonly OrderSpec[], orders: readonly Order[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  orders.forEach((order, i) => {
    out[specs[i]?.key ?? String(i + 1)] = orderRef(order);
  });
  return out;
}
