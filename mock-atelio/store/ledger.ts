import type { TransactionState } from '../transactions/schema';

/**
 * How a transaction counts towards its account's balances, per vendor-docs 003: the "current"
 * balance (reported as `prior_balance`) includes completed transactions only; the "available"
 * balance (`new_balance`) includes pending and completed ones. Transactions in `start` (not yet
 * processed), declined, cancelled, returned and failed ones count for nothing. Every state change moves the account by the difference,
 * so an account's balances are always its opening balance plus these contributions.
 */
export interface Contribution {
  current: number;
  available: number;
}

export function contribution(state: TransactionState, amountCents: number): Contribution {
  switch (state) {
    case 'pending':
      return { current: 0, available: amountCents };
    case 'completed':
      return { current: amountCents, available: amountCents };
    default:
      return { current: 0, available: 0 };
  }
}

/** Which state changes are possible. `completed → completed` is a further partial settlement. */
const TRANSITIONS: Readonly<Record<TransactionState, readonly TransactionState[]>> = {
  start: ['pending', 'declined', 'cancelled', 'failed'],
  pending: ['completed', 'declined', 'cancelled', 'failed'],
  completed: ['completed', 'returned'],
  declined: [],
  cancelled: [],
  returned: [],
  failed: [],
};

export const canTransition = (from: TransactionState, to: TransactionState): boolean =>
  TRANSITIONS[from].includes(to);
