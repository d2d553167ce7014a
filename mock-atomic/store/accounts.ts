import { AMAZON_COMPANY_ID, type CompanyRecord, HULU_COMPANY_ID } from '../companies/catalog';
import { generateAmazonOrders, type GenerateOrdersOptions, type PaymentCard } from '../orders/generator';
import { type Order, OrderSchema } from '../orders/schema';
import type { PayLinkAccountView } from '../pay-link/schema';
import { amazonBilling } from '../pay-link/amazon-billing';
import { subscriptionContent } from '../pay-link/templates';
import type { PayLinkUpdateType, UserRef } from '../webhooks/events';
import { DAY_MS, type StoreContext } from './context';
import { conflict, invalid, notFound } from './errors';
import { upsertLinkedAccount } from './linked-accounts';
import type { PayLinkAccountRecord, UserRecord } from './state';
import type { AtomicStoreEvents } from './events';
import type { ConnectionData } from './types';
import { companyById, ensureUser, getUser } from './users';
import { payLinkAccountView, userRef } from './views';

/**
 * PayLink and Order Monitoring accounts: their records and views, creation and first connection,
 * orders and syncs.
 */

const BRAND_NAMES: Record<string, string> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  'american-express': 'American Express',
  discover: 'Discover',
};

export function accountRecord(ctx: StoreContext, accountId: string): PayLinkAccountRecord {
  const account = ctx.t.payLinkAccounts.get(accountId);
  if (!account) throw notFound('account', accountId);
  return account;
}

/**
 * The account as the API shows it. `{share: true}` skips the deep copy of its nested data (the order
 * history): the view then holds the store's own objects, so it must be serialised at once and never
 * changed or kept — what the HTTP route does; everything else takes the copy.
 */
export function getPayLinkAccount(
  ctx: StoreContext,
  accountId: string,
  options: { share?: boolean } = {},
): PayLinkAccountView {
  return payLinkAccountView(ctx.t, accountRecord(ctx, accountId), options.share ? 'share' : 'copy');
}

export function findPayLinkAccount(ctx: StoreContext, accountId: string): PayLinkAccountView | undefined {
  const account = ctx.t.payLinkAccounts.get(accountId);
  return account ? payLinkAccountView(ctx.t, account) : undefined;
}

/** The owner of an account, for scoping public-token reads. */
export function accountOwner(ctx: StoreContext, accountId: string): UserRef | undefined {
  const account = ctx.t.payLinkAccounts.get(accountId);
  const user = account && ctx.t.users.get(account.userId);
  return user ? userRef(user) : undefined;
}

export function listPayLinkAccounts(
  ctx: StoreContext,
  identifier: string,
  filter: { supported?: boolean; connected?: boolean } = {},
): PayLinkAccountView[] {
  const user = getUser(ctx, identifier);
  const out: PayLinkAccountView[] = [];
  for (const account of ctx.t.payLinkAccounts.values()) {
    if (account.userId !== user._id) continue;
    const view = payLinkAccountView(ctx.t, account);
    if (filter.supported !== undefined && view.account.supported !== filter.supported) continue;
    if (filter.connected !== undefined && view.account.connected !== filter.connected) continue;
    out.push(view);
  }
  return out;
}

export function findLinkedPayLinkAccount(
  ctx: StoreContext,
  userId: string,
  companyId: string,
): PayLinkAccountRecord | undefined {
  for (const account of ctx.t.payLinkAccounts.values())
    if (account.userId === userId && account.companyId === companyId) return account;
  return undefined;
}

export function announce(
  ctx: StoreContext,
  user: UserRecord,
  accounts: { _id: string; updateType: PayLinkUpdateType }[],
): void {
  ctx.emit('pay-link-accounts-updated', { user: userRef(user), accounts, eventTime: ctx.nowIso() });
}

/**
 * The `pay-link-accounts-updated` payloads that describe the Order Monitoring accounts of
 * `identifiers` as they stand, one per user (`updated` when connected, `disconnected` when not,
 * `created` while still `initial`), dated at the accounts' last change: the last account webhook a
 * receiver subscribed all along would have had. Reads only; nothing is announced.
 */
export function orderMonitoringAccountStates(
  ctx: StoreContext,
  identifiers: readonly string[],
): AtomicStoreEvents['pay-link-accounts-updated'][] {
  const out: AtomicStoreEvents['pay-link-accounts-updated'][] = [];
  for (const identifier of identifiers) {
    const user = ctx.t.usersByIdentifier.get(identifier);
    if (!user) continue;
    const mine = [...ctx.t.payLinkAccounts.values()].filter(
      (a) =>
        a.userId === user._id && a.type === 'linked' && companyById(a.companyId).accountType === 'ecommerce',
    );
    if (mine.length === 0) continue;
    const updateType = (a: PayLinkAccountRecord): PayLinkUpdateType =>
      a.connectionStatus === 'connected'
        ? 'updated'
        : a.connectionStatus === 'disconnected'
          ? 'disconnected'
          : 'created';
    out.push({
      user: userRef(user),
      accounts: mine.map((a) => ({ _id: a._id, updateType: updateType(a) })),
      eventTime: mine
        .map((a) => a.updatedAt)
        .sort()
        .at(-1)!,
    });
  }
  return out;
}

export function newAccountRecord(
  ctx: StoreContext,
  user: UserRecord,
  company: { _id: string; accountType?: CompanyRecord['accountType'] },
  fields: Partial<PayLinkAccountRecord> & Pick<PayLinkAccountRecord, 'type'>,
): PayLinkAccountRecord {
  const now = ctx.nowIso();
  const identity = {
    ...(user.identity?.['firstName'] ? { firstName: user.identity['firstName'] } : {}),
    ...(user.identity?.['email'] ? { email: user.identity['email'] } : {}),
    ...(user.identity?.['phone'] ? { phone: user.identity['phone'] } : {}),
  };
  const account: PayLinkAccountRecord = {
    _id: ctx.ids.objectId(),
    userId: user._id,
    companyId: company._id,
    connectionStatus: 'initial',
    lastSyncedAt: null,
    monitoring: user.monitoring,
    createdAt: now,
    updatedAt: now,
    details: {
      _id: '',
      type: company.accountType ?? 'subscription',
      suggestions: [],
      identities: Object.keys(identity).length ? [identity] : [],
    },
    actions: [],
    orders: [],
    ...fields,
  };
  account.details._id = account._id;
  ctx.t.payLinkAccounts.set(account._id, account);
  return account;
}

/** The cards the user gave Atomic, then any other card the account's orders show (no generated ones). */
function knownCards(user: UserRecord, account: PayLinkAccountRecord): PaymentCard[] {
  const seen = new Map<string, PaymentCard>();
  for (const card of user.cards)
    if (card.lastFour)
      seen.set(card.lastFour, {
        lastFour: card.lastFour,
        brand: BRAND_NAMES[card.brand ?? ''] ?? card.brand ?? 'Visa',
      });
  for (const order of account.orders)
    if (
      order.paymentMethod?.type === 'card' &&
      order.paymentMethod.lastFour &&
      !seen.has(order.paymentMethod.lastFour)
    )
      seen.set(order.paymentMethod.lastFour, {
        lastFour: order.paymentMethod.lastFour,
        brand: order.paymentMethod.brand ?? 'Visa',
      });
  return [...seen.values()];
}

export function userCards(
  ctx: StoreContext,
  user: UserRecord,
  account?: PayLinkAccountRecord,
): PaymentCard[] {
  const seen = new Map<string, PaymentCard>();
  for (const order of account?.orders ?? [])
    if (order.paymentMethod?.type === 'card' && order.paymentMethod.lastFour)
      seen.set(order.paymentMethod.lastFour, {
        lastFour: order.paymentMethod.lastFour,
        brand: order.paymentMethod.brand ?? 'Visa',
      });
  for (const card of user.cards)
    if (card.lastFour)
      seen.set(card.lastFour, {
        lastFour: card.lastFour,
        brand: BRAND_NAMES[card.brand ?? ''] ?? card.brand ?? 'Visa',
      });
  if (seen.size > 0) return [...seen.values()];
  const fourDigits = () => String(ctx.ids.int(0, 9999)).padStart(4, '0');
  return [
    { lastFour: fourDigits(), brand: 'Visa' },
    { lastFour: fourDigits(), brand: 'Mastercard' },
  ];
}

/**
 * Generates orders for an account (not stored): paid with the cards already seen on the account
 * or the user's cards, dated within [from, to] (default: the last 90 days).
 */
export function generateOrders(
  ctx: StoreContext,
  accountId: string,
  options: Partial<GenerateOrdersOptions> & { count: number },
): Order[] {
  const account = accountRecord(ctx, accountId);
  const user = ctx.t.users.get(account.userId)!;
  const now = ctx.clock.now();
  return generateAmazonOrders(ctx.ids, {
    ...options,
    count: options.count,
    from: options.from ?? now - 90 * DAY_MS,
    to: options.to ?? now,
    cards: options.cards ?? userCards(ctx, user, account),
  });
}

export function connectPayLinkAccount(
  ctx: StoreContext,
  user: UserRecord,
  company: CompanyRecord,
  linkedAccountId: string,
  connection: ConnectionData,
): PayLinkAccountRecord {
  let account = findLinkedPayLinkAccount(ctx, user._id, company._id);
  const isNew = !account;
  if (!account) {
    account = newAccountRecord(ctx, user, company, { type: 'linked', linkedAccountId });
    if (company.accountType !== 'ecommerce')
      fillSubscription(ctx, account, user, company, connection.addOnCents);
    announce(ctx, user, [{ _id: account._id, updateType: 'created' }]);
  }
  // A detected account becomes a linked one (its data now comes from the company, not from
  // bank transactions); a disconnected one reconnects.
  const wasDetected = account.type === 'detected';
  account.type = 'linked';
  account.linkedAccountId = linkedAccountId;
  account.monitoring = user.monitoring;
  if (company.accountType === 'ecommerce' && account.details.sourceId === undefined)
    account.details.sourceId = amazonAccountSourceId(ctx);
  if (company.accountType === 'ecommerce') {
    const orders =
      connection.orders ??
      generateOrders(ctx, account._id, {
        count: connection.orderCount ?? (isNew ? 30 : ctx.ids.int(0, 2)),
        from:
          isNew || !account.lastSyncedAt ? ctx.clock.now() - 90 * DAY_MS : Date.parse(account.lastSyncedAt),
        to: ctx.clock.now(),
        ...(connection.cards ? { cards: connection.cards } : {}),
        ...(connection.nonCardShare !== undefined ? { nonCardShare: connection.nonCardShare } : {}),
      });
    upsertOrders(ctx, account, orders, false);
  } else if (wasDetected || !account.details.billing) {
    fillSubscription(ctx, account, user, company, connection.addOnCents);
  }
  markSynced(ctx, account._id);
  return account;
}

/** The merchant's own id for the customer account, as Amazon formats it. */
export function amazonAccountSourceId(ctx: StoreContext): string {
  return `amzn1.account.${ctx.ids.faker.string.alphanumeric({ length: 28, casing: 'upper' })}`;
}

export function fillSubscription(
  ctx: StoreContext,
  account: PayLinkAccountRecord,
  user: UserRecord,
  company: CompanyRecord,
  addOnCents: number | undefined,
): void {
  const card = userCards(ctx, user)[0];
  const content = subscriptionContent(ctx.ids, {
    company,
    accountId: account._id,
    anchorMs: ctx.clock.now(),
    identity: {
      firstName: user.identity?.['firstName'] ?? 'test',
      email: user.identity?.['email'] ?? 'test@email.com',
      phone: user.identity?.['phone'] ?? '5558675309',
    },
    card,
    ...(addOnCents !== undefined ? { addOnCents } : {}),
  });
  account.details.sourceId = content.sourceId;
  account.details.suggestions = content.suggestions;
  account.details.identities = content.identities;
  account.details.billing = content.billing;
  account.details.data = content.data;
  account.actions = content.actions;
}

/**
 * Creates an Order Monitoring account in `initial` state with no orders yet and announces it
 * (`pay-link-accounts-updated` / created). Load orders with `addOrders`, then `markSynced`.
 */
export function createOrderMonitoringAccount(
  ctx: StoreContext,
  input: {
    identifier: string;
    companyId?: string;
    linkedAccountId?: string;
  },
): PayLinkAccountView {
  const company = companyById(input.companyId ?? AMAZON_COMPANY_ID);
  if (company.accountType !== 'ecommerce')
    throw invalid('companyId', `${company.name} is not an Order Monitoring merchant`);
  const user = ensureUser(ctx, input.identifier);
  if (findLinkedPayLinkAccount(ctx, user._id, company._id))
    throw conflict(`user ${input.identifier} already has a ${company.name} account; use reconnectAccount`);
  let linkedAccountId = input.linkedAccountId;
  if (linkedAccountId === undefined) {
    linkedAccountId = upsertLinkedAccount(ctx, user, company, {
      valid: true,
      transactRequired: false,
      lastSuccess: ctx.nowIso(),
    })._id;
  } else if (!ctx.t.linkedAccounts.has(linkedAccountId)) {
    throw notFound('linked account', linkedAccountId);
  }
  const account = newAccountRecord(ctx, user, company, { type: 'linked', linkedAccountId });
  account.details.sourceId = amazonAccountSourceId(ctx);
  announce(ctx, user, [{ _id: account._id, updateType: 'created' }]);
  return payLinkAccountView(ctx.t, account);
}

/** A connected subscription account (like the Hulu example in vendor-docs 001), synced now. */
export function createSubscriptionAccount(
  ctx: StoreContext,
  input: {
    identifier: string;
    companyId?: string;
    addOnCents?: number;
  },
): PayLinkAccountView {
  const company = companyById(input.companyId ?? HULU_COMPANY_ID);
  if (!company.scopes.includes('pay-link') || company.accountType === 'ecommerce')
    throw invalid('companyId', `${company.name} is not a PayLink subscription company`);
  const user = ensureUser(ctx, input.identifier);
  if (findLinkedPayLinkAccount(ctx, user._id, company._id))
    throw conflict(`user ${input.identifier} already has a ${company.name} account`);
  const linked = upsertLinkedAccount(ctx, user, company, {
    valid: true,
    transactRequired: false,
    lastSuccess: ctx.nowIso(),
  });
  const connection: ConnectionData = input.addOnCents !== undefined ? { addOnCents: input.addOnCents } : {};
  return payLinkAccountView(ctx.t, connectPayLinkAccount(ctx, user, company, linked._id, connection));
}

export function upsertOrders(
  ctx: StoreContext,
  account: PayLinkAccountRecord,
  orders: Order[],
  replace: boolean,
): void {
  const parsed = orders.map((order, i) => {
    const result = OrderSchema.safeParse(order);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      throw invalid(
        `orders.${i}.${issue.path.join('.')}`,
        `orders[${i}].${issue.path.join('.')}: ${issue.message}`,
      );
    }
    return structuredClone(result.data);
  });
  const added: string[] = [];
  const updated: string[] = [];
  const removed: string[] = [];
  const byKey = new Map<string, Order>();
  if (replace) {
    const incoming = new Set(parsed.flatMap((o) => [o._id, o.sourceId]));
    for (const old of account.orders)
      if (!incoming.has(old._id) && !incoming.has(old.sourceId)) removed.push(old._id);
  } else {
    for (const old of account.orders) byKey.set(old._id, old);
  }
  const existing = new Map(account.orders.flatMap((o) => [[o._id, o] as const, [o.sourceId, o] as const]));
  for (const order of parsed) {
    const previous = existing.get(order._id) ?? existing.get(order.sourceId);
    if (previous) {
      // Same order seen again (a refresh found it changed): keep its id so consumers can correlate.
      order._id = previous._id;
      byKey.delete(previous._id);
      updated.push(order._id);
    } else {
      added.push(order._id);
    }
    byKey.set(order._id, order);
  }
  account.orders = [...byKey.values()].sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
  account.updatedAt = ctx.nowIso();
  const user = ctx.t.users.get(account.userId)!;
  ctx.emit('orders-changed', {
    account: payLinkAccountView(ctx.t, account),
    user: userRef(user),
    added,
    updated,
    removed,
    eventTime: account.updatedAt,
  });
}

/** Adds orders, or replaces the ones with the same `_id` or `sourceId` (an order that changed). */
export function addOrders(ctx: StoreContext, accountId: string, orders: Order[]): PayLinkAccountView {
  const account = accountRecord(ctx, accountId);
  if (account.details.type !== 'ecommerce') throw invalid('accountId', `account ${accountId} has no orders`);
  upsertOrders(ctx, account, orders, false);
  return payLinkAccountView(ctx.t, account);
}

/** Replaces every order of the account. */
export function replaceOrders(ctx: StoreContext, accountId: string, orders: Order[]): PayLinkAccountView {
  const account = accountRecord(ctx, accountId);
  if (account.details.type !== 'ecommerce') throw invalid('accountId', `account ${accountId} has no orders`);
  upsertOrders(ctx, account, orders, true);
  return payLinkAccountView(ctx.t, account);
}

/** Data fully synced: `connected`, `lastSyncedAt` = now, announced as `updated`. */
export function markSynced(ctx: StoreContext, accountId: string): PayLinkAccountView {
  return payLinkAccountView(ctx.t, markSyncedRecord(ctx, accountId));
}

/** `markSynced` without the view (a copy of the whole order history) nobody asked for. */
export function markSyncedRecord(ctx: StoreContext, accountId: string): PayLinkAccountRecord {
  const account = accountRecord(ctx, accountId);
  if (account.type !== 'linked')
    throw conflict(`account ${accountId} was only detected; the user has not connected it`);
  account.connectionStatus = 'connected';
  delete account.failReason;
  account.lastSyncedAt = ctx.nowIso();
  account.updatedAt = account.lastSyncedAt;
  const user = ctx.t.users.get(account.userId)!;
  // A sync reads the whole Amazon account: bills, payment methods and payment history too.
  if (account.details.type === 'ecommerce')
    account.details.billing = amazonBilling({
      cards: knownCards(user, account),
      giftCard: account.orders.some((o) => o.paymentMethod?.type === 'gift card'),
      memberSinceMs: Date.parse(user.createdAt),
      nowMs: ctx.clock.now(),
    });
  announce(ctx, user, [{ _id: account._id, updateType: 'updated' }]);
  return account;
}
