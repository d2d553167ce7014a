import type { Clock, TimerId } from '../../core/clock';
import type { SeededRandom } from '../../core/random';
import { ADP_COMPANY_ID, AMAZON_COMPANY_ID, HULU_COMPANY_ID } from '../companies/catalog';
import { buildAmazonOrder, generateAmazonOrders, type PaymentCard } from '../orders/generator';
import type { Order } from '../orders/schema';
import type { AtomicStore, BaselineInfo } from './store';

/**
 * The seeded baseline a developer gets from `npm start`: enough data that every GET endpoint answers
 * something realistic. It is laid out on a timeline ending at the anchor (start of today by default)
 * by driving the store's own public functions under a clock that is moved by hand, so the baseline
 * is exactly what the same calls made by a scenario would produce.
 */

const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;

export const BASELINE_IDENTIFIERS = {
  main: 'demo-user',
  disconnected: 'demo-user-disconnected',
} as const;

/** A clock that reads whatever time it was last set to; the baseline never schedules anything. */
class HandClock implements Clock {
  constructor(private current: number) {}
  set(ms: number): void {
    this.current = ms;
  }
  now(): number {
    return this.current;
  }
  setTimeout(): TimerId {
    throw new Error('the baseline does not schedule timers');
  }
  clearTimeout(): void {}
  sleep(): Promise<void> {
    return Promise.reject(new Error('the baseline does not sleep'));
  }
  track<T>(work: Promise<T>): Promise<T> {
    return work;
  }
}

export interface BaselineOptions {
  random: SeededRandom;
  anchorMs: number;
  /** The latest refresh slot at or before `anchorMs` (the anchor itself by default): the seeded account's last daily refresh. */
  lastSyncMs: number;
  apiSecret: string;
  /** False: only the default secret. */
  full: boolean;
  view: (clock: Clock, random: SeededRandom) => AtomicStore;
}

/** One order of each non-card kind plus a card order without last four (vendor-docs 000's test cases). */
function specialOrders(random: SeededRandom, fromMs: number, toMs: number, card: PaymentCard): Order[] {
  const at = () => random.int(fromMs, toMs);
  return [
    buildAmazonOrder(random, { date: at(), paymentMethod: { type: 'gift card' } }),
    buildAmazonOrder(random, { date: at(), paymentMethod: { type: 'Affirm' } }),
    buildAmazonOrder(random, { date: at(), paymentMethod: { type: 'Google Play' } }),
    buildAmazonOrder(random, { date: at(), paymentMethod: { type: 'EBT' } }),
    buildAmazonOrder(random, { date: at(), paymentMethod: { type: 'card', brand: card.brand } }),
  ];
}

export function seedBaseline(_store: AtomicStore, options: BaselineOptions): BaselineInfo {
  const { random, anchorMs } = options;
  const clock = new HandClock(anchorMs - 400 * DAY_MS);
  const store = options.view(clock, random);
  const secret = store.createSecret('default', options.apiSecret);
  if (!options.full) return { identifiers: [], defaultSecretId: secret._id };

  const { faker } = random;
  const person = () => {
    const firstName = faker.person.firstName();
    const lastName = faker.person.lastName();
    return {
      firstName,
      lastName,
      email: faker.internet.email({ firstName, lastName }).toLowerCase(),
      phone: faker.string.numeric({ length: 10, allowLeadingZeros: false }),
      postalCode: faker.location.zipCode('#####'),
      state: faker.location.state({ abbreviated: true }),
      city: faker.location.city(),
      address: faker.location.streetAddress(),
    };
  };
  const cardNumber = (prefix: string) => prefix + faker.string.numeric({ length: 16 - prefix.length });

  // Both users' histories, replayed in time order so creation order matches the timestamps.
  const main = BASELINE_IDENTIFIERS.main;
  const other = BASELINE_IDENTIFIERS.disconnected;
  const visa = cardNumber('4');
  const mastercard = cardNumber('5');
  const otherVisa = cardNumber('4');
  const cards: PaymentCard[] = [
    { lastFour: visa.slice(-4), brand: 'Visa' },
    { lastFour: mastercard.slice(-4), brand: 'Mastercard' },
  ];
  const ordersFrom = anchorMs - 120 * DAY_MS;
  const ordersTo = anchorMs - 8 * HOUR_MS;
  const orders = [
    ...generateAmazonOrders(random, { count: 44, from: ordersFrom, to: ordersTo, cards, nonCardShare: 0 }),
    ...specialOrders(random, ordersFrom, ordersTo, cards[0]!),
  ].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const otherOrders = generateAmazonOrders(random, {
    count: 12,
    from: anchorMs - 130 * DAY_MS,
    to: anchorMs - 41 * DAY_MS,
    cards: [{ lastFour: otherVisa.slice(-4), brand: 'Visa' }],
    nonCardShare: 0.1,
  });
  // demo-user connected Amazon 28 days before the latest refresh slot with its history up to then;
  // the daily refreshes at the platform's slots (06:00 UTC by default) brought the rest, the last
  // one at that latest slot. Orders placed since are fetched by the next slot's refresh.
  const syncs = Array.from({ length: 29 }, (_, i) => options.lastSyncMs - (28 - i) * DAY_MS);
  const ordersBetween = (afterMs: number, untilMs: number) =>
    orders.filter((o) => Date.parse(o.date) > afterMs && Date.parse(o.date) <= untilMs);
  const day = (n: number) => new Date(anchorMs - n * DAY_MS).toISOString();
  const netflix = (id: string, n: number) => ({
    id,
    date: day(n),
    description: 'NETFLIX.COM 866-579-7172 CA',
    amount: -15.49,
    merchantName: 'Netflix',
    currency: 'usd' as const,
  });
  const gym = (id: string, n: number) => ({
    id,
    date: day(n),
    description: 'SUNRISE FITNESS CLUB DUES',
    amount: -39.99,
    merchantName: 'Sunrise Fitness',
    currency: 'usd' as const,
  });

  let amazonId = '';
  let otherAmazonId = '';
  let connectTaskId = '';
  let linkedAccountId: string | undefined;
  let huluId = '';
  let publicToken = '';
  const timeline: [number, () => void][] = [
    [
      anchorMs - 120 * DAY_MS,
      () =>
        store.createAccessToken({
          identifier: main,
          identity: person(),
          cards: [
            { number: visa, expiry: '08/29', cvv: '123', brand: 'visa', title: 'Everyday Visa' },
            {
              number: mastercard,
              expiry: '11/28',
              cvv: '456',
              brand: 'mastercard',
              title: 'Rewards Mastercard',
            },
          ],
        }),
    ],
    [
      anchorMs - 45 * DAY_MS,
      () => {
        const adp = store.connectMerchant({ identifier: main, companyId: ADP_COMPANY_ID, product: 'verify' });
        linkedAccountId = adp.task.linkedAccount;
      },
    ],
    [
      anchorMs - 40 * DAY_MS,
      () => {
        store.createAccessToken({
          identifier: other,
          identity: person(),
          cards: [{ number: otherVisa, expiry: '02/30', cvv: '789', brand: 'visa', title: 'Visa Debit' }],
        });
        otherAmazonId = store.connectMerchant({
          identifier: other,
          companyId: AMAZON_COMPANY_ID,
          connection: { orders: otherOrders },
        }).account!._id;
      },
    ],
    [
      syncs[0]!,
      () => {
        const connected = store.connectMerchant({
          identifier: main,
          companyId: AMAZON_COMPANY_ID,
          connection: { orders: ordersBetween(-Infinity, syncs[0]!) },
        });
        amazonId = connected.account!._id;
        connectTaskId = connected.task._id;
      },
    ],
    ...syncs
      .slice(1)
      .map((at, i): [number, () => void] => [
        at,
        () => store.refreshAccount(amazonId, { orders: ordersBetween(syncs[i]!, at) }),
      ]),
    [
      anchorMs - 10 * DAY_MS,
      () =>
        store.detectAccounts(main, [
          netflix('tx-nflx-1', 70),
          netflix('tx-nflx-2', 40),
          netflix('tx-nflx-3', 10),
          gym('tx-gym-1', 42),
          gym('tx-gym-2', 12),
        ]),
    ],
    [
      anchorMs - 3 * DAY_MS,
      () =>
        (huluId = store.createSubscriptionAccount({
          identifier: main,
          companyId: HULU_COMPANY_ID,
          addOnCents: 1000,
        })._id),
    ],
    // demo-user-disconnected: the last refresh found the Amazon session expired.
    [anchorMs - 2 * DAY_MS, () => store.refreshAccount(otherAmazonId, { failReason: 'session-expired' })],
    // A token ready for client-side calls, valid 30 days from the anchor.
    [
      anchorMs,
      () =>
        (publicToken = store.createAccessToken({ identifier: main, tokenLifetime: 2_592_000 }).publicToken),
    ],
  ];
  for (const [at, run] of timeline.sort((a, b) => a[0] - b[0])) {
    clock.set(at);
    run();
  }

  return {
    identifiers: [main, other],
    publicToken,
    amazonAccountId: amazonId,
    disconnectedAmazonAccountId: otherAmazonId,
    huluAccountId: huluId,
    ...(linkedAccountId ? { linkedAccountId } : {}),
    taskId: connectTaskId,
    defaultSecretId: secret._id,
  };
}
