/** How an order's card (vendor-docs 000 `paymentMethod.lastFour`) compares with a transaction's card. */
import type { PaymentInfo } from './payment-method';

export type CardCase =
  'agree' | 'order-unknown' | 'transaction-unknown' | 'both-unknown' | 'no-payment-method';

export function cardCase(payment: PaymentInfo, transactionLastFour: string | null): CardCase | 'mismatch' {
  if (payment.kind === 'unknown') return 'no-payment-method';
  const orderFour = payment.kind === 'card' ? payment.lastFour : null;
  if (orderFour !== null && transactionLastFour !== null)
    return orderFour === transactionLastFour ? 'agree' : 'mismatch';
  if (orderFour === null && transactionLastFour === null) return 'both-unknown';
  return orderFour === null ? 'order-unknown' : 'transaction-unknown';
}

export const orderLastFour = (payment: PaymentInfo): string | null =>
  payment.kind === 'card' ? payment.lastFour : null;
