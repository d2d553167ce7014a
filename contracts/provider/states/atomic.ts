/**
 * Provider states of the Atomic mock. Each one lays out data through the store's own functions
 * (the same ones the scenario engine drives), so the account, its orders and the webhooks the
 * change causes are exactly what the mock serves and sends.
 */
import {
  buildAmazonOrder,
  generateAmazonOrders,
  NON_CARD_PAYMENT_TYPES,
  ORDER_MONITORING_FAIL_REASONS,
  type AtomicStore,
  type OrderMonitoringFailReason,
} from '../../../mock-atomic';
import { ProviderStateError } from './types';
import type { ProviderStateDefinition, StateContext, StateParams } from './types';

type AtomicState = ProviderStateDefinition<AtomicStore>;

const DAY_MS = 86_400_000;

function positiveInt(params: StateParams, name: string, fallback: number, max: number): number {
  const raw = params[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new ProviderStateError(`parameter "${name}" must be a whole number from 1 to ${max}; got "${raw}"`);
  return value;
}

function lastFourOf(params: StateParams): string {
  const lastFour = params['lastFour'] ?? '4242';
  if (!/^\d{4}$/.test(lastFour))
    throw new ProviderStateError(`parameter "lastFour" must be four digits; got "${lastFour}"`);
  return lastFour;
}

function failReasonOf(params: StateParams): OrderMonitoringFailReason {
  const reason = params['failReason'] ?? '';
  if (!(ORDER_MONITORING_FAIL_REASONS as readonly string[]).includes(reason))
    throw new ProviderStateError(
      `parameter "failReason" must be one of ${ORDER_MONITORING_FAIL_REASONS.join(', ')}; got "${reason}"`,
    );
  return reason as OrderMonitoringFailReason;
}

/** Connects Amazon for the user through a sandbox connect task that loads card orders with a last four. */
function connectWithCardOrders({ store, random, now }: StateContext<AtomicStore>, params: StateParams) {
  const identifier = params['identifier']!;
  const orders = generateAmazonOrders(random, {
    count: positiveInt(params, 'orderCount', 3, 50),
    from: now - 30 * DAY_MS,
    to: now - DAY_MS,
    cards: [{ lastFour: lastFourOf(params), brand: 'Visa' }],
    nonCardShare: 0,
    cardWithoutLastFourShare: 0,
  });
  const { task, account } = store.connectMerchant({ identifier, connection: { orders } });
  if (!account)
    throw new Error(`connecting Amazon for ${identifier} ended ${task.status}, without an account`);
  return account;
}

export const ATOMIC_STATES: readonly AtomicState[] = [
  {
    name: 'an order-monitoring account with orders exists for user {identifier}',
    summary:
      'Amazon connected through a sandbox connect task (test-good): the account is connected, synced now, with ' +
      'card orders that show a last four. Webhooks: task-status-updated up to completed, ' +
      'pay-link-accounts-updated created then updated.',
    optionalParams: {
      lastFour: 'last four of the card the orders are paid with (default 4242)',
      orderCount: 'how many orders (default 3)',
    },
    provides: ['accountId'],
    setup(context, params) {
      return { accountId: connectWithCardOrders(context, params)._id };
    },
  },
  {
    name: 'an order-monitoring account was just created for user {identifier}',
    summary:
      'An Amazon account is created for the user and not synced yet (status initial, no orders). ' +
      'Webhook: pay-link-accounts-updated created.',
    provides: ['accountId'],
    setup({ store }, params) {
      return { accountId: store.createOrderMonitoringAccount({ identifier: params['identifier']! })._id };
    },
  },
  {
    name: 'a user logged in to Amazon through Transact and the order fetch is still running for user {identifier}',
    summary:
      "Transact's lifecycle up to the login: a connect task is processing and authenticated, and the account it " +
      'opened is initial with no orders while the fetch runs. Webhooks: task-status-updated processing, ' +
      'task-authentication-status-updated, pay-link-accounts-updated created.',
    provides: ['accountId'],
    setup({ store }, params) {
      const identifier = params['identifier']!;
      const task = store.startConnectTask({ identifier, username: 'test-good', product: 'present' });
      store.setTaskStatus(task._id, 'processing');
      store.setTaskAuthenticated(task._id, true);
      // What a Transact login does at authentication (runTask with orderFetch), step by step.
      return { accountId: store.createOrderMonitoringAccount({ identifier })._id };
    },
  },
  {
    name: 'a disconnected order-monitoring account exists for user {identifier} with fail reason {failReason}',
    summary:
      'As "an order-monitoring account with orders exists", then a scheduled refresh fails with failReason ' +
      `(${ORDER_MONITORING_FAIL_REASONS.join(', ')}): the account is disconnected and keeps its orders. ` +
      'Webhooks: task-status-updated failed with the failReason, pay-link-accounts-updated disconnected.',
    optionalParams: { lastFour: 'as above (default 4242)', orderCount: 'as above (default 3)' },
    provides: ['accountId'],
    setup(context, params) {
      const failReason = failReasonOf(params);
      const account = connectWithCardOrders(context, params);
      context.store.refreshAccount(account._id, { failReason });
      return { accountId: account._id };
    },
  },
  {
    name: 'an order-monitoring account exists for user {identifier} with an order paid by {paymentMethod}',
    summary:
      `Amazon connected with a single order paid without a card (${NON_CARD_PAYMENT_TYPES.join(', ')}): ` +
      'its paymentMethod is {type} only.',
    provides: ['accountId'],
    setup({ store, random, now }, params) {
      const type = params['paymentMethod']!;
      if (!(NON_CARD_PAYMENT_TYPES as readonly string[]).includes(type))
        throw new ProviderStateError(
          `parameter "paymentMethod" must be one of ${NON_CARD_PAYMENT_TYPES.join(', ')}; got "${type}"`,
        );
      const order = buildAmazonOrder(random, { date: now - 2 * DAY_MS, paymentMethod: { type } });
      const { task, account } = store.connectMerchant({
        identifier: params['identifier']!,
        connection: { orders: [order] },
      });
      if (!account) throw new Error(`connecting Amazon ended ${task.status}, without an account`);
      return { accountId: account._id };
    },
  },
  {
    name: 'no order-monitoring account {accountId} exists',
    summary: 'Nothing is set up; the id (24 hex characters) must not name an account of the seeded data.',
    setup({ store }, params) {
      const accountId = params['accountId']!;
      if (store.findPayLinkAccount(accountId))
        throw new ProviderStateError(`account ${accountId} exists in the seeded data; pick another id`);
    },
  },
];
