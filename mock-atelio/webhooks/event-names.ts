/**
 * The webhook event names Atelio lets a brand subscribe to (its public event list). Subscriptions
 * may name them exactly or with `*` wildcards (`card*`, `kyc.verification.*`, `*`); a pattern that
 * matches none of these is refused, so a typo fails at subscription time, not silently later.
 * This mock emits `transactions`; the others are accepted so real subscription payloads validate.
 */
export const ATELIO_EVENT_TYPES = [
  'transactions',
  'account.history.ready',
  'account.statements.ready',
  'card.created',
  'card.status.active',
  'card.status.closed',
  'card.status.fraud',
  'card.status.inactive',
  'card.status.lost',
  'card.status.reissue',
  'card.status.stolen',
  'card.wallet.add',
  'card.wallet.add_failure',
  'customer.updated',
  'kyc.verification.document_required',
  'kyc.verification.error',
  'kyc.verification.failure',
  'kyc.verification.reenter_information',
  'kyc.verification.success',
  'kyc.verification.timeout',
  'kyc.verification.under_review',
] as const;

export type AtelioEventType = (typeof ATELIO_EVENT_TYPES)[number];

const EVENT_PATTERN = /^[a-z_.*]{1,100}$/;

/** Compiles a subscription pattern: `*` matches any run of characters, everything else itself. */
export function compileEventPattern(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

export function eventMatches(pattern: string, eventName: string): boolean {
  return compileEventPattern(pattern).test(eventName);
}

/** Why a subscription pattern is unacceptable, or undefined when it names at least one known event. */
export function eventPatternProblem(pattern: string): string | undefined {
  if (!EVENT_PATTERN.test(pattern))
    return `"${pattern}" is not an event name (lower-case letters, ".", "_" and "*")`;
  const regex = compileEventPattern(pattern);
  if (!ATELIO_EVENT_TYPES.some((name) => regex.test(name))) {
    return `"${pattern}" matches no Atelio event; known events: ${ATELIO_EVENT_TYPES.join(', ')}`;
  }
  return undefined;
}
