import type { AccountBilling } from './schema';

/**
 * What an Amazon account holds beside its orders (vendor-docs 000: the account "contains details about
 * the connection, orders, bills, payment methods, and payment history"), in the documented PayLink
 * `billing` shape [choice: vendor-docs 000 gives no shape of its own for these]:
 *
 * - **payment methods**: the cards on the account (the first is the default), and the gift card
 *   balance when the user has paid with it;
 * - **bills**: the Prime membership, renewed monthly on the day of the month the user joined
 *   (`items`, `amount`, `dueDate`, `autopay`);
 * - **payment history**: the membership's past renewals, newest first, since the user joined.
 *
 * Pure: a function of the cards, the dates and the clock, so a refresh recomputes it and the same
 * seed always yields the same account.
 */

export const PRIME_MEMBERSHIP = { description: 'Amazon Prime membership (monthly)', cents: 1499 } as const;
/** Renewals listed in the payment history, at most. */
const HISTORY_MONTHS = 6;

export interface AmazonBillingInput {
  cards: readonly { lastFour: string; brand: string }[];
  /** Whether the account has a gift card balance to pay with. */
  giftCard: boolean;
  /** When the user joined (renewals fall on this day of the month, at most the 28th). */
  memberSinceMs: number;
  nowMs: number;
}

/** `day` of the month `monthsFrom` months after `ms`'s month, end of day UTC. */
function renewalAt(ms: number, monthsFrom: number, day: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + monthsFrom, day, 23, 59, 59);
}

export function amazonBilling(input: AmazonBillingInput): AccountBilling {
  const day = Math.min(28, new Date(input.memberSinceMs).getUTCDate());
  // The next renewal at or after now, then the ones before it that fall after the user joined.
  let next = renewalAt(input.nowMs, 0, day);
  if (next < input.nowMs) next = renewalAt(input.nowMs, 1, day);
  const history: AccountBilling['history'] = [];
  for (let i = 1; i <= HISTORY_MONTHS; i++) {
    const at = renewalAt(next, -i, day);
    if (at < input.memberSinceMs) break;
    history.push({ date: new Date(at).toISOString(), amount: PRIME_MEMBERSHIP.cents / 100 });
  }
  const paymentMethods: AccountBilling['paymentMethods'] = input.cards.map((card, i) => ({
    type: 'card',
    lastFour: card.lastFour,
    brand: card.brand,
    isPrimary: i === 0,
  }));
  if (input.giftCard) paymentMethods.push({ type: 'gift card', isPrimary: false });
  return {
    amount: PRIME_MEMBERSHIP.cents / 100,
    dueDate: new Date(next).toISOString(),
    autopay: { status: 'enabled', cycle: 'monthly' },
    items: [{ description: PRIME_MEMBERSHIP.description, amount: PRIME_MEMBERSHIP.cents / 100 }],
    history,
    paymentMethods,
  };
}
