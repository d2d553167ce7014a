import type { Account } from '../accounts/schema';
import type { Balance } from '../balances/schema';
import { type Card, CARD_STATUSES, type CardStatus } from '../cards/schema';
import type { Address, Customer } from '../customers/schema';
import { conflict, invalidRequest } from './errors';
import { formatCents, parsePositiveAmount } from '../shared/money';
import { type Page, type PageRequest, paginate } from '../shared/pagination';
import { formatTimestamp, type TimeInput } from '../shared/time';
import type { Transaction, TransactionState } from '../transactions/schema';
import { type AtelioContext, checkId } from './context';
import type { AccountRecord } from './state';
import type {
  CreateAccountInput,
  CreateCardInput,
  CreateCustomerInput,
  CreateCustomerWithCardInput,
} from './types';
import { accountView, publicTransaction, requireAccount, requireCard, requireCustomer } from './views';

/** Customers, their accounts and cards, and the listings of them (balances included). */

const clone = <T>(value: T): T => structuredClone(value);

export function createCustomer(ctx: AtelioContext, input: CreateCustomerInput = {}): Customer {
  const at = ctx.timeOf(input.at);
  const id = ctx.newId(input.customerId, 'Customer', ctx.customers);
  // Details come from a generator keyed by the id, so a chosen id always gets the same person.
  const r = ctx.random.fork(`customer:${id}`);
  const firstName = input.firstName ?? r.faker.person.firstName();
  const lastName = input.lastName ?? r.faker.person.lastName();
  const state = r.faker.location.state({ abbreviated: true });
  const address: Address = {
    address_type: 'PHYSICAL',
    street: r.faker.location.streetAddress(),
    street2: '',
    city: r.faker.location.city(),
    state,
    zip_code: r.faker.location.zipCode('#####'),
    country: 'US',
    is_primary: true,
    ...input.address,
  };
  const stamp = formatTimestamp(at);
  const customer: Customer = {
    customer_id: id,
    first_name: firstName,
    middle_name: input.middleName ?? '',
    last_name: lastName,
    dob:
      input.dob ??
      r.faker.date.birthdate({ min: 21, max: 70, mode: 'age', refDate: at }).toISOString().slice(0, 10),
    email: input.email ?? r.faker.internet.email({ firstName, lastName }).toLowerCase(),
    phone: input.phone ?? r.faker.string.numeric({ length: 10, allowLeadingZeros: false }),
    addresses: [address],
    date_created: stamp,
    date_updated: stamp,
  };
  ctx.customers.set(id, customer);
  ctx.emit('customer-created', { customer: clone(customer) });
  return clone(customer);
}

export function createAccount(ctx: AtelioContext, input: CreateAccountInput): Account {
  requireCustomer(ctx, input.customerId);
  const at = ctx.timeOf(input.at);
  const id = ctx.newId(input.accountId, 'Account', ctx.accounts);
  const r = ctx.random.fork(`account:${id}`);
  let openingCents = 0;
  if (input.openingBalance !== undefined && Number(input.openingBalance) !== 0) {
    openingCents = parsePositiveAmount(input.openingBalance, 'openingBalance');
  }
  const stamp = formatTimestamp(at);
  const record: AccountRecord = {
    account: {
      account_id: id,
      customer_id: input.customerId,
      program_id: ctx.programId,
      type: 'deposit',
      status: 'active',
      routing_number: '014175741',
      account_number: r.faker.string.numeric({ length: 14, allowLeadingZeros: false }),
      description: input.description ?? 'Checking',
      date_created: stamp,
      date_updated: stamp,
    },
    openingCents,
    currentCents: openingCents,
    availableCents: openingCents,
    cardIds: [],
  };
  ctx.accounts.set(id, record);
  const account = accountView(record);
  ctx.emit('account-created', { account: clone(account) });
  return account;
}

export function createCard(ctx: AtelioContext, input: CreateCardInput): Card {
  const account = requireAccount(ctx, input.accountId);
  const at = ctx.timeOf(input.at);
  if (input.lastFour !== undefined && !/^\d{4}$/.test(input.lastFour)) {
    throw invalidRequest(`lastFour must be four digits; got ${JSON.stringify(input.lastFour)}`);
  }
  if (input.status !== undefined && !CARD_STATUSES.includes(input.status)) {
    throw invalidRequest(`status must be one of ${CARD_STATUSES.join(', ')}`);
  }
  const id = ctx.newId(input.cardId, 'Card', ctx.cards);
  const r = ctx.random.fork(`card:${id}`);
  const expires = new Date(at);
  const stamp = formatTimestamp(at);
  const card: Card = {
    card_id: id,
    account_id: account.account.account_id,
    customer_id: account.account.customer_id,
    last_four: input.lastFour ?? r.faker.string.numeric(4),
    status: input.status ?? 'active',
    card_type: input.cardType ?? 'virtual',
    network: input.network ?? 'Visa',
    expiry_date: `${String(expires.getUTCMonth() + 1).padStart(2, '0')}/${String((expires.getUTCFullYear() + 4) % 100).padStart(2, '0')}`,
    date_created: stamp,
    date_updated: stamp,
  };
  ctx.cards.set(id, card);
  account.cardIds.push(id);
  ctx.emit('card-created', { card: clone(card) });
  return clone(card);
}

/** The usual set-up in one call: a customer with one funded account and one card. */
export function createCustomerWithCard(
  ctx: AtelioContext,
  input: CreateCustomerWithCardInput = {},
): {
  customer: Customer;
  account: Account;
  card: Card;
} {
  // Validate everything chosen before creating anything, so a bad input leaves no half-made customer.
  for (const [kind, id, taken] of [
    ['Customer', input.customerId, ctx.customers],
    ['Account', input.accountId, ctx.accounts],
    ['Card', input.cardId, ctx.cards],
  ] as const) {
    if (id === undefined) continue;
    checkId(kind, id);
    if (taken.has(id)) throw conflict(`${kind} ${id} already exists.`);
  }
  if (input.lastFour !== undefined && !/^\d{4}$/.test(input.lastFour)) {
    throw invalidRequest(`lastFour must be four digits; got ${JSON.stringify(input.lastFour)}`);
  }
  if (input.openingBalance !== undefined && Number(input.openingBalance) !== 0) {
    parsePositiveAmount(input.openingBalance, 'openingBalance');
  }
  const at = ctx.timeOf(input.at);
  const customer = createCustomer(ctx, {
    ...(input.customerId !== undefined && { customerId: input.customerId }),
    ...(input.firstName !== undefined && { firstName: input.firstName }),
    ...(input.lastName !== undefined && { lastName: input.lastName }),
    at,
  });
  const { account_id: accountId } = createAccount(ctx, {
    customerId: customer.customer_id,
    ...(input.accountId !== undefined && { accountId: input.accountId }),
    openingBalance: input.openingBalance ?? '5000.00',
    at,
  });
  const card = createCard(ctx, {
    accountId,
    ...(input.cardId !== undefined && { cardId: input.cardId }),
    ...(input.lastFour !== undefined && { lastFour: input.lastFour }),
    ...(input.cardType !== undefined && { cardType: input.cardType }),
    at,
  });
  return { customer, account: accountView(requireAccount(ctx, accountId)), card };
}

export function setCardStatus(
  ctx: AtelioContext,
  cardId: string,
  status: CardStatus,
  options: { at?: TimeInput } = {},
): Card {
  const card = requireCard(ctx, cardId);
  if (!CARD_STATUSES.includes(status))
    throw invalidRequest(`status must be one of ${CARD_STATUSES.join(', ')}`);
  const previousStatus = card.status;
  card.status = status;
  card.date_updated = formatTimestamp(ctx.timeOf(options.at));
  ctx.emit('card-updated', { card: clone(card), previousStatus });
  return clone(card);
}

export function getCustomer(ctx: AtelioContext, id: string): Customer | undefined {
  const customer = ctx.customers.get(id);
  return customer && clone(customer);
}

export function getAccount(ctx: AtelioContext, id: string): Account | undefined {
  const record = ctx.accounts.get(id);
  return record && accountView(record);
}

export function getCard(ctx: AtelioContext, id: string): Card | undefined {
  const card = ctx.cards.get(id);
  return card && clone(card);
}

/**
 * The transaction as the API shows it; undefined for unknown and for failed ones. With `share` the
 * result is the store's own object: serialise it at once, never change or keep it.
 */
export function getTransaction(
  ctx: AtelioContext,
  id: string,
  options: { share?: boolean } = {},
): Transaction | undefined {
  const record = ctx.transactions.get(id);
  return record && record.state !== 'failed' ? publicTransaction(record, options.share) : undefined;
}

/** The internal state, `failed` included, for tests and the dashboard. */
export function getTransactionState(ctx: AtelioContext, id: string): TransactionState | undefined {
  return ctx.transactions.get(id)?.state;
}

export function listCustomers(ctx: AtelioContext, request: PageRequest = {}): Page<Customer> {
  return paginate([...ctx.customers.values()], request);
}

export function listAccounts(
  ctx: AtelioContext,
  request: PageRequest & { customerId?: string | undefined } = {},
): Page<Account> {
  if (request.customerId !== undefined) requireCustomer(ctx, request.customerId);
  const records = [...ctx.accounts.values()].filter(
    (a) => request.customerId === undefined || a.account.customer_id === request.customerId,
  );
  const page = paginate(records, request);
  return { ...page, items: page.items.map((r) => accountView(r)) };
}

export function listCards(
  ctx: AtelioContext,
  request: PageRequest & { customerId?: string | undefined; accountId?: string | undefined } = {},
): Page<Card> {
  if (request.customerId !== undefined) requireCustomer(ctx, request.customerId);
  if (request.accountId !== undefined) requireAccount(ctx, request.accountId);
  const cards = [...ctx.cards.values()].filter(
    (c) =>
      (request.customerId === undefined || c.customer_id === request.customerId) &&
      (request.accountId === undefined || c.account_id === request.accountId),
  );
  const page = paginate(cards, request);
  return { ...page, items: page.items.map(clone) };
}

export function listBalances(
  ctx: AtelioContext,
  request: PageRequest & { customerId?: string | undefined } = {},
): Page<Balance> {
  if (request.customerId !== undefined) requireCustomer(ctx, request.customerId);
  const records = [...ctx.accounts.values()].filter(
    (a) => request.customerId === undefined || a.account.customer_id === request.customerId,
  );
  const page = paginate(records, request);
  return {
    ...page,
    items: page.items.map((r) => ({
      customer_id: r.account.customer_id,
      account_id: r.account.account_id,
      current_balance: formatCents(r.currentCents),
      available_balance: formatCents(r.availableCents),
      currency: 'USD' as const,
    })),
  };
}
