import { type CardDetails, TOKEN_LIFETIME } from '../access-token/schema';
import {
  type CompanyRecord,
  type CompanySearch,
  findCompany,
  searchCompanies as searchCatalog,
} from '../companies/catalog';
import { IdentifierSchema } from '../shared/schemas';
import type { UserRef } from '../webhooks/events';
import { iso, type StoreContext } from './context';
import { invalid, notFound } from './errors';
import type { AccessTokenRecord, StoredBankAccount, StoredCard, UserRecord } from './state';
import type { CreateAccessTokenInput, TokenCheck, UserData, UserSummary } from './types';
import { userRef } from './views';

/** Users and their access tokens, and the company catalog as the store sees it. */

function storedCard(card: CardDetails): StoredCard {
  const stored: StoredCard = { viaPaymentService: card.paymentService !== undefined };
  const lastFour = card.number ? card.number.slice(-4) : card.lastFour;
  if (lastFour !== undefined) stored.lastFour = lastFour;
  if (card.brand !== undefined) stored.brand = card.brand;
  if (card.title !== undefined) stored.title = card.title;
  if (card.subtitle !== undefined) stored.subtitle = card.subtitle;
  if (card.expiry !== undefined) stored.expiry = card.expiry;
  if (card.cardStatus !== undefined) stored.cardStatus = card.cardStatus;
  return stored;
}

/**
 * Every user with counts of their linked accounts and orders, for listings. Reads the tables in
 * place: no copy of the orders, unlike `exportState`.
 */
export function userSummaries(ctx: StoreContext): UserSummary[] {
  const byUser = new Map<string, UserSummary>();
  for (const user of ctx.t.users.values()) {
    byUser.set(user._id, {
      identifier: user.identifier,
      createdAt: user.createdAt,
      accounts: 0,
      connected: 0,
      disconnected: 0,
      orders: 0,
    });
  }
  for (const account of ctx.t.payLinkAccounts.values()) {
    const summary = byUser.get(account.userId);
    if (!summary || account.type !== 'linked') continue;
    summary.accounts++;
    if (account.connectionStatus === 'connected') summary.connected++;
    if (account.connectionStatus === 'disconnected') summary.disconnected++;
    summary.orders += account.orders.length;
  }
  return [...byUser.values()];
}

export function findUser(ctx: StoreContext, identifier: string): UserRecord | undefined {
  return ctx.t.usersByIdentifier.get(identifier);
}

export function getUser(ctx: StoreContext, identifier: string): UserRecord {
  const user = findUser(ctx, identifier);
  if (!user) throw notFound('user', identifier);
  return user;
}

/** The user with this identifier, created if new (as `POST /access-token` does). */
export function ensureUser(ctx: StoreContext, identifier: string): UserRecord {
  const existing = findUser(ctx, identifier);
  if (existing) return existing;
  const parsed = IdentifierSchema.safeParse(identifier);
  if (!parsed.success)
    throw invalid('identifier', `identifier ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
  const now = ctx.nowIso();
  const user: UserRecord = {
    _id: ctx.ids.objectId(),
    identifier,
    createdAt: now,
    updatedAt: now,
    cards: [],
    bankAccounts: [],
    monitoring: true,
  };
  ctx.t.users.set(user._id, user);
  ctx.t.usersByIdentifier.set(identifier, user);
  ctx.emit('user-created', { user: userRef(user), eventTime: now });
  return user;
}

/** Upserts cards (by last four), bank accounts (by routing + last four) and identity fields. */
export function updateUserData(ctx: StoreContext, identifier: string, data: UserData): UserRecord {
  const user = getUser(ctx, identifier);
  for (const card of data.cards ?? []) {
    const stored = storedCard(card);
    const i = user.cards.findIndex((c) => c.lastFour !== undefined && c.lastFour === stored.lastFour);
    if (i >= 0) user.cards[i] = stored;
    else user.cards.push(stored);
  }
  for (const account of data.accounts ?? []) {
    const stored: StoredBankAccount = {
      lastFour: account.accountNumber.slice(-4),
      routingNumber: account.routingNumber,
      type: account.type,
    };
    if (account.title !== undefined) stored.title = account.title;
    const i = user.bankAccounts.findIndex(
      (a) => a.routingNumber === stored.routingNumber && a.lastFour === stored.lastFour,
    );
    if (i >= 0) user.bankAccounts[i] = stored;
    else user.bankAccounts.push(stored);
  }
  if (data.identity) {
    const merged = { ...user.identity };
    for (const [key, value] of Object.entries(data.identity))
      if (typeof value === 'string') merged[key] = value;
    user.identity = merged;
  }
  user.updatedAt = ctx.nowIso();
  ctx.emit('user-updated', { user: userRef(user), eventTime: user.updatedAt });
  return user;
}

/** Creates (or finds) the user and issues a public token valid for `tokenLifetime` seconds on the clock. */
export function createAccessToken(
  ctx: StoreContext,
  input: CreateAccessTokenInput,
): {
  publicToken: string;
  expiresAt: string;
  user: UserRef;
} {
  const lifetime = input.tokenLifetime ?? TOKEN_LIFETIME.default;
  if (!Number.isInteger(lifetime) || lifetime < TOKEN_LIFETIME.min || lifetime > TOKEN_LIFETIME.max)
    throw invalid(
      'tokenLifetime',
      `tokenLifetime must be an integer in [${TOKEN_LIFETIME.min}, ${TOKEN_LIFETIME.max}]`,
    );
  const user = ensureUser(ctx, input.identifier);
  if (input.cards?.length || input.accounts?.length || input.identity) {
    const data: UserData = {};
    if (input.cards) data.cards = input.cards;
    if (input.accounts) data.accounts = input.accounts;
    if (input.identity) data.identity = input.identity;
    updateUserData(ctx, input.identifier, data);
  }
  const now = ctx.clock.now();
  const token: AccessTokenRecord = {
    publicToken: ctx.ids.uuid(),
    userId: user._id,
    createdAt: iso(now),
    expiresAt: iso(now + lifetime * 1000),
    revokedAt: null,
  };
  ctx.t.accessTokens.set(token.publicToken, token);
  ctx.emit('access-token-created', {
    user: userRef(user),
    publicToken: token.publicToken,
    expiresAt: token.expiresAt,
    eventTime: token.createdAt,
  });
  return { publicToken: token.publicToken, expiresAt: token.expiresAt, user: userRef(user) };
}

/** Revokes a token; revoking it again changes nothing. */
export function revokeAccessToken(ctx: StoreContext, publicToken: string): AccessTokenRecord {
  const token = ctx.t.accessTokens.get(publicToken);
  if (!token) throw notFound('access token', publicToken);
  if (token.revokedAt === null) {
    token.revokedAt = ctx.nowIso();
    const user = ctx.t.users.get(token.userId)!;
    ctx.emit('access-token-revoked', { user: userRef(user), publicToken, eventTime: token.revokedAt });
  }
  return { ...token };
}

export function resolvePublicToken(ctx: StoreContext, publicToken: string): TokenCheck {
  const token = ctx.t.accessTokens.get(publicToken);
  if (!token) return { ok: false, reason: 'unknown' };
  if (token.revokedAt !== null) return { ok: false, reason: 'revoked' };
  if (ctx.clock.now() >= Date.parse(token.expiresAt)) return { ok: false, reason: 'expired' };
  return { ok: true, user: ctx.t.users.get(token.userId)!, token: { ...token } };
}

/** Tokens of every API secret: each is accepted as `x-api-secret`, as Atomic's are. */
export function apiSecretTokens(ctx: StoreContext): string[] {
  return [...ctx.t.secrets.values()].map((s) => s.token);
}

export function companyById(companyId: string): CompanyRecord {
  const company = findCompany(companyId);
  if (!company) throw notFound('company', companyId);
  return company;
}

export function searchCompanyCatalog(search: CompanySearch, limit?: number): CompanyRecord[] {
  return searchCatalog(search, limit);
}
