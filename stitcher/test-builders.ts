/**
 * Valid-by-default vendor objects for tests: each test overrides only the field it is about.
 * Shapes follow vendor-docs 000 (Atomic order) and 003 (Atelio transaction).
 */
import type { AtomicOrder, AtelioTransaction } from './vendor-schemas';

export const USER = 'user-1';
export const CARD = { card_id: 'card-1', last_four: '2345' };

export type BatchOrder = AtomicOrder & { identifier: string };
export type BatchTransaction = AtelioTransaction & { customer_id: string };
type Details = NonNullable<AtelioTransaction['details']>;

export function anOrder(overrides: Partial<BatchOrder> = {}): BatchOrder {
  return {
    _id: 'order-1',
    identifier: USER,
    sourceId: '112-2968911-3747422',
    date: '2024-10-20T18:00:54.761Z',
    amount: 13.37,
    paymentMethod: { type: 'card', lastFour: '2345', brand: 'Mastercard' },
    products: [
      { description: 'AAA Alkaline Batteries', amount: 12.49, returnBy: '2024-12-19T23:59:59.000Z' },
    ],
    ...overrides,
  };
}

export function aTransaction(
  overrides: Omit<Partial<BatchTransaction>, 'details'> & { details?: Partial<Details> } = {},
): BatchTransaction {
  const { details, ...rest } = overrides;
  return {
    transaction_id: 'txn-1',
    customer_id: USER,
    payment_type: 'card',
    transaction_type: 'POS Purchase',
    state: 'completed',
    amount: '-13.37',
    currency: 'USD',
    created_time: '2024-10-21T09:12:00+00:00',
    updated_time: '2024-10-21T09:12:00+00:00',
    description: 'POS Purchase',
    ...rest,
    details: {
      card_id: CARD.card_id,
      merchant_name: 'AMZN Mktp US*2K4L71',
      statement_descriptor: 'AMZN Mktp US*2K4L71 Amzn.com/billWA',
      merchant_amount: '-13.37',
      ...details,
    },
  };
}

/** `2024-10-20` + n days at a given UTC time, as Atelio writes it. */
export function dayAfterOrder(days: number, time = '09:12:00'): string {
  const base = Date.UTC(2024, 9, 20) + days * 86_400_000;
  return `${new Date(base).toISOString().slice(0, 10)}T${time}+00:00`;
}
