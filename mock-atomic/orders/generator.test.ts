import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom, toCents } from '../../core/random';
import { AtomicStoreError } from '../store/errors';
import { CATEGORY_RULES, catalogProduct } from './catalog';
import { amazonSourceId, buildAmazonOrder, generateAmazonOrders } from './generator';
import { OrderSchema, type Order } from './schema';

const cards = [
  { lastFour: '4242', brand: 'Visa' },
  { lastFour: '4444', brand: 'Mastercard' },
];
const window = { from: '2025-01-01T00:00:00.000Z', to: '2025-03-01T00:00:00.000Z' };
const cents = (items: { amount: number }[]) => items.reduce((s, i) => s + toCents(i.amount), 0);

function expectConsistent(order: Order): void {
  expect(OrderSchema.safeParse(order).success).toBe(true);
  expect(cents(order.lineItems)).toBe(toCents(order.amount));
  expect(cents(order.products)).toBe(toCents(order.lineItems[0]!.amount));
  for (const item of [...order.lineItems, ...order.products, order])
    expect(Number.isInteger(Math.round(item.amount * 100))).toBe(true);
}

describe('generateAmazonOrders', () => {
  it('line items add up to the amount to the cent, for any seed and options', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 0, max: 40 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        (seed, count, nonCardShare, taxRate) => {
          const orders = generateAmazonOrders(createRandom(seed), {
            count,
            ...window,
            cards,
            nonCardShare,
            taxRate,
          });
          expect(orders).toHaveLength(count);
          orders.forEach(expectConsistent);
        },
      ),
      { numRuns: 200, seed: 11 },
    );
  });

  it('dates the orders inside the window, oldest first', () => {
    const orders = generateAmazonOrders(createRandom(3), { count: 30, ...window, cards });
    const dates = orders.map((o) => o.date);
    expect([...dates].sort()).toEqual(dates);
    expect(dates.every((d) => d >= window.from && d <= window.to)).toBe(true);
  });

  it('pays with the given cards, or only non-card methods at nonCardShare 1', () => {
    const cardOnly = generateAmazonOrders(createRandom(4), { count: 40, ...window, cards, nonCardShare: 0 });
    expect(
      new Set(
        cardOnly.map(
          (o) => `${o.paymentMethod?.type}:${o.paymentMethod?.lastFour}:${o.paymentMethod?.brand}`,
        ),
      ),
    ).toEqual(new Set(['card:4242:Visa', 'card:4444:Mastercard']));
    const nonCard = generateAmazonOrders(createRandom(4), {
      count: 60,
      ...window,
      cards: [],
      nonCardShare: 1,
    });
    expect(new Set(nonCard.map((o) => o.paymentMethod?.type))).toEqual(
      new Set(['gift card', 'Affirm', 'Google Play', 'EBT']),
    );
    const noLastFour = generateAmazonOrders(createRandom(4), {
      count: 10,
      ...window,
      cards,
      nonCardShare: 0,
      cardWithoutLastFourShare: 1,
    });
    expect(
      noLastFour.every((o) => o.paymentMethod?.type === 'card' && o.paymentMethod.lastFour === undefined),
    ).toBe(true);
  });

  it('is deterministic for a seed', () => {
    const a = generateAmazonOrders(createRandom(9), { count: 5, ...window, cards });
    const b = generateAmazonOrders(createRandom(9), { count: 5, ...window, cards });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(generateAmazonOrders(createRandom(10), { count: 5, ...window, cards }))).not.toBe(
      JSON.stringify(a),
    );
  });

  it.each([
    ['a negative count', { count: -1 }],
    ['`to` before `from`', { from: window.to, to: window.from }],
    ['no cards while card orders are wanted', { cards: [] }],
    ['a share above 1', { nonCardShare: 1.5 }],
    ['an invalid date', { from: 'yesterday' }],
  ])('rejects %s', (_label, patch) => {
    expect(() => generateAmazonOrders(createRandom(1), { count: 3, ...window, cards, ...patch })).toThrow(
      AtomicStoreError,
    );
  });
});

describe('orders from the catalogue', () => {
  const many = () =>
    generateAmazonOrders(createRandom(21), { count: 400, ...window, cards, nonCardShare: 0 });
  const categoryOf = (description: string) => catalogProduct(description)!.category;

  it('prices items from the catalogue and derives the total from them: items, shipping, tax per item category', () => {
    for (const order of many()) {
      expectConsistent(order);
      const tax = order.products.reduce(
        (sum, p) => sum + Math.round(toCents(p.amount) * CATEGORY_RULES[categoryOf(p.description)].taxRate),
        0,
      );
      expect(toCents(order.lineItems[2]!.amount)).toBe(tax);
      for (const p of order.products) {
        const entry = catalogProduct(p.description)!;
        expect(toCents(p.amount)).toBeGreaterThanOrEqual(entry.minCents);
        expect(toCents(p.amount)).toBeLessThanOrEqual(entry.maxCents);
      }
    }
  });

  it('charges no tax on gift cards and less on groceries', () => {
    const products = many().flatMap((o) => o.products);
    const giftCards = products.filter((p) => categoryOf(p.description) === 'gift-card');
    expect(giftCards.length).toBeGreaterThan(3);
    expect(new Set(giftCards.map((p) => p.amount))).toEqual(
      new Set(giftCards.map((p) => p.amount).filter((a) => a % 25 === 0)),
    );
    const giftOnly = many().filter((o) => o.products.every((p) => categoryOf(p.description) === 'gift-card'));
    expect(giftOnly.length).toBeGreaterThan(0);
    for (const order of giftOnly) expect(order.lineItems[2]!.amount).toBe(0);
    expect(CATEGORY_RULES.grocery.taxRate).toBeLessThan(CATEGORY_RULES.electronics.taxRate);
  });

  it('sets returnBy by category: 30 days for goods, none for groceries, digital items and gift cards', () => {
    const products = many().flatMap((o) => o.products.map((p) => ({ p, date: o.date })));
    const seen = new Set<string>();
    for (const { p, date } of products) {
      const category = categoryOf(p.description);
      seen.add(category);
      const days = CATEGORY_RULES[category].returnDays;
      if (days === null) expect(p.returnBy, p.description).toBeUndefined();
      else {
        const end = new Date(Date.parse(date) + days * 86_400_000);
        end.setUTCHours(23, 59, 59, 0);
        expect(p.returnBy).toBe(end.toISOString());
      }
    }
    for (const category of ['grocery', 'digital', 'gift-card', 'electronics'])
      expect(seen).toContain(category);
  });

  it('ends prices the way stores do, and places orders at every time of day', () => {
    const orders = many();
    for (const p of orders.flatMap((o) => o.products)) {
      const entry = catalogProduct(p.description)!;
      const cents = toCents(p.amount);
      // A price is clamped to the product's range when its ending would leave it.
      const atBound = cents === entry.minCents || cents === entry.maxCents;
      expect(atBound || [99, 49, 95, 97, 0].includes(cents % 100), `${p.description} at ${p.amount}`).toBe(
        true,
      );
    }
    const hours = new Set(orders.map((o) => new Date(o.date).getUTCHours()));
    expect(hours.size).toBe(24);
  });
});

describe('buildAmazonOrder', () => {
  it('hits an exact amount (35.93) with subtotal and tax that add up', () => {
    const order = buildAmazonOrder(createRandom(1), {
      date: '2025-02-03T12:00:00.000Z',
      amount: 35.93,
      paymentMethod: { type: 'card', lastFour: '1111', brand: 'Visa' },
    });
    expect(order.amount).toBe(35.93);
    expect(order.lineItems).toEqual([
      { description: 'Item(s) Subtotal', amount: 33.58 },
      { description: 'Shipping & Handling', amount: 0 },
      { description: 'Estimated tax to be collected', amount: 2.35 },
    ]);
    expectConsistent(order);
  });

  it('uses explicit products, with the tax line absorbing the difference to amount', () => {
    const order = buildAmazonOrder(createRandom(1), {
      date: '2024-10-20T18:00:54.761Z',
      amount: 13.37,
      products: [{ description: 'AAA Alkaline Batteries', amount: 12.49 }],
      paymentMethod: { type: 'card', lastFour: '2345', brand: 'Mastercard' },
      sourceId: '112-2968911-3747422',
    });
    expect(order).toMatchObject({
      sourceId: '112-2968911-3747422',
      amount: 13.37,
      lineItems: [{ amount: 12.49 }, { amount: 0 }, { amount: 0.88 }],
      products: [
        { description: 'AAA Alkaline Batteries', amount: 12.49, returnBy: '2024-11-19T23:59:59.000Z' },
      ],
      paymentMethod: { type: 'card', lastFour: '2345', brand: 'Mastercard' },
    });
  });

  it('can leave out the payment method and the return window', () => {
    const order = buildAmazonOrder(createRandom(1), {
      date: '2025-01-01T00:00:00.000Z',
      products: [{ description: 'Kindle eBook', amount: 4.99, returnBy: null }],
      tax: 0,
      paymentMethod: null,
    });
    expect(order.paymentMethod).toBeUndefined();
    expect(order.products[0]?.returnBy).toBeUndefined();
    expect(order.amount).toBe(4.99);
  });

  it.each([
    ['an amount below the products', { amount: 1, products: [{ description: 'x', amount: 5 }] }],
    ['three decimals', { amount: 1.234 }],
    ['a negative shipping', { shipping: -1 }],
  ])('rejects %s', (_label, patch) => {
    expect(() => buildAmazonOrder(createRandom(1), { date: '2025-01-01', ...patch })).toThrow(
      AtomicStoreError,
    );
  });
});

describe('amazonSourceId', () => {
  it('looks like an Amazon order number', () => {
    const random = createRandom(5);
    for (let i = 0; i < 50; i++) expect(amazonSourceId(random)).toMatch(/^11[1-4]-\d{7}-\d{7}$/);
  });
});
