/**
 * Consumer contract stitcher → atomic: every request the stitcher's Atomic client makes and every
 * Atomic webhook its handlers act on. HTTP interactions go through `createAtomicClient` against Pact's
 * mock server; message interactions go through the stitcher service's signed receiver and handlers.
 */
import { describe, expect } from 'vitest';
import { createAtomicClient, classifyPaymentMethod, orderForMatching, VendorApiError } from '../../stitcher';
import {
  ACCOUNT_ID,
  AMAZON,
  ATOMIC_CREDENTIALS,
  ATOMIC_TIME,
  ATOMIC_USER_ID,
  IDENTIFIER,
  LAST_FOUR,
  MISSING_ACCOUNT_ID,
  ORDER_DATE,
  ORDER_ID,
  TASK_ID,
} from '../examples';
import { consumerContract } from './contract';
import { eachLike, fromProviderState, integer, isoDateTime, lastFour, number, text } from './matchers';
import { withStitcher } from './stitcher-harness';
import type { StitcherHarness } from './stitcher-harness';

const contract = consumerContract('atomic');
const { pact } = contract;

const CREDENTIAL_HEADERS = {
  'x-api-key': ATOMIC_CREDENTIALS.apiKey,
  'x-api-secret': ATOMIC_CREDENTIALS.apiSecret,
};

const client = (baseUrl: string) => createAtomicClient({ baseUrl, ...ATOMIC_CREDENTIALS });

/** The account path with the id the provider state created (Atomic generates account ids). */
const accountPath = fromProviderState('/pay-link/accounts/${accountId}', `/pay-link/accounts/${ACCOUNT_ID}`);

const connectedAccountState = [
  'an order-monitoring account with orders exists for user {identifier}',
  { identifier: IDENTIFIER },
] as const;
const disconnectedAccountState = [
  'a disconnected order-monitoring account exists for user {identifier} with fail reason {failReason}',
  { identifier: IDENTIFIER, failReason: 'session-expired' },
] as const;

const userRef = { _id: text(ATOMIC_USER_ID), identifier: text(IDENTIFIER) };

/** What GET /pay-link/accounts/:id answers in the fake vendor while a message is processed. */
function fakeAccount(connectionStatus: string, orders: unknown[] = []) {
  return {
    _id: ACCOUNT_ID,
    connectionStatus,
    lastSyncedAt: connectionStatus === 'initial' ? null : ATOMIC_TIME,
    company: AMAZON,
    orders,
  };
}

const fakeOrder = {
  _id: ORDER_ID,
  sourceId: '114-8166771-8123011',
  date: ORDER_DATE,
  amount: 61.55,
  paymentMethod: { type: 'card', lastFour: LAST_FOUR, brand: 'Visa' },
  products: [{ description: 'Paper Towels, 12 Double Rolls', amount: 57.52 }],
};

interface UserView {
  atomicUserId: string | null;
  paused: boolean;
  accounts: Array<{ accountId: string; connectionStatus: string; lastUpdateType: string | null }>;
  lastTask: {
    taskId: string;
    status: string;
    failReason: string | null;
    company: string | null;
    eventTime: string | null;
  } | null;
  counts: { orders: number };
}

const readUser = (stitcher: StitcherHarness) => stitcher.read<UserView>(`/users/${IDENTIFIER}`);

describe('stitcher → atomic: GET /pay-link/accounts/:id', () => {
  contract.interaction('reads a connected account with its card orders, ready for stitching', () =>
    pact
      .addInteraction()
      .given(...connectedAccountState)
      .uponReceiving('a request for an order-monitoring account with card orders')
      .withRequest('GET', accountPath, (request) => request.headers(CREDENTIAL_HEADERS))
      .willRespondWith(200, (response) =>
        response.jsonBody({
          data: {
            _id: text(ACCOUNT_ID),
            connectionStatus: 'connected',
            lastSyncedAt: isoDateTime(ATOMIC_TIME),
            company: { _id: text(AMAZON._id), name: text(AMAZON.name) },
            orders: eachLike({
              _id: text(ORDER_ID),
              sourceId: text(fakeOrder.sourceId),
              date: isoDateTime(ORDER_DATE),
              amount: number(61.55),
              paymentMethod: { type: 'card', lastFour: lastFour(LAST_FOUR), brand: text('Visa') },
              products: eachLike({
                description: text('Paper Towels, 12 Double Rolls'),
                amount: number(57.52),
              }),
            }),
          },
        }),
      )
      .executeTest(async (server) => {
        const account = await client(server.url).getAccount(ACCOUNT_ID);
        expect(account).toMatchObject({
          id: ACCOUNT_ID,
          connectionStatus: 'connected',
          lastSyncedAt: ATOMIC_TIME,
          companyName: 'Amazon',
          unreadableOrders: [],
        });
        expect(account.orders).toHaveLength(1);
        expect(orderForMatching(account.orders[0]!, IDENTIFIER)).toMatchObject({
          id: ORDER_ID,
          amountCents: 6155,
          dateMs: Date.parse(ORDER_DATE),
          payment: { kind: 'card', lastFour: LAST_FOUR, brand: 'Visa' },
        });
      }),
  );

  contract.interaction('reads an order paid without a card, which the stitcher marks unmatchable', () =>
    pact
      .addInteraction()
      .given(
        'an order-monitoring account exists for user {identifier} with an order paid by {paymentMethod}',
        {
          identifier: IDENTIFIER,
          paymentMethod: 'gift card',
        },
      )
      .uponReceiving('a request for an order-monitoring account with an order paid by gift card')
      .withRequest('GET', accountPath, (request) => request.headers(CREDENTIAL_HEADERS))
      .willRespondWith(200, (response) =>
        response.jsonBody({
          data: {
            _id: text(ACCOUNT_ID),
            connectionStatus: 'connected',
            orders: eachLike({
              _id: text(ORDER_ID),
              date: isoDateTime(ORDER_DATE),
              amount: number(61.55),
              paymentMethod: { type: 'gift card' },
            }),
          },
        }),
      )
      .executeTest(async (server) => {
        const account = await client(server.url).getAccount(ACCOUNT_ID);
        expect(account.orders).toHaveLength(1);
        expect(classifyPaymentMethod(account.orders[0]!.paymentMethod)).toEqual({
          kind: 'non-card',
          method: 'gift card',
        });
      }),
  );

  contract.interaction('reads a disconnected account, which pauses stitching for the user', () =>
    pact
      .addInteraction()
      .given(...disconnectedAccountState)
      .uponReceiving('a request for a disconnected order-monitoring account')
      .withRequest('GET', accountPath, (request) => request.headers(CREDENTIAL_HEADERS))
      .willRespondWith(200, (response) =>
        response.jsonBody({
          data: {
            _id: text(ACCOUNT_ID),
            connectionStatus: 'disconnected',
            lastSyncedAt: isoDateTime(ATOMIC_TIME),
          },
        }),
      )
      .executeTest(async (server) => {
        const account = await client(server.url).getAccount(ACCOUNT_ID);
        expect(account).toMatchObject({
          id: ACCOUNT_ID,
          connectionStatus: 'disconnected',
          lastSyncedAt: ATOMIC_TIME,
        });
      }),
  );

  contract.interaction(
    'reads an account a Transact login just opened: initial, never synced, no orders yet',
    () =>
      pact
        .addInteraction()
        .given(
          'a user logged in to Amazon through Transact and the order fetch is still running for user {identifier}',
          { identifier: IDENTIFIER },
        )
        .uponReceiving('a request for an order-monitoring account whose first order fetch is still running')
        .withRequest('GET', accountPath, (request) => request.headers(CREDENTIAL_HEADERS))
        .willRespondWith(200, (response) =>
          response.jsonBody({
            data: { _id: text(ACCOUNT_ID), connectionStatus: 'initial', lastSyncedAt: null, orders: [] },
          }),
        )
        .executeTest(async (server) => {
          const account = await client(server.url).getAccount(ACCOUNT_ID);
          expect(account).toMatchObject({ id: ACCOUNT_ID, connectionStatus: 'initial', lastSyncedAt: null });
          expect(account.orders).toEqual([]);
        }),
  );

  contract.interaction('gets a 404 for an unknown account, which the stitcher does not retry', () =>
    pact
      .addInteraction()
      .given('no order-monitoring account {accountId} exists', { accountId: MISSING_ACCOUNT_ID })
      .uponReceiving('a request for an order-monitoring account that does not exist')
      .withRequest('GET', `/pay-link/accounts/${MISSING_ACCOUNT_ID}`, (request) =>
        request.headers(CREDENTIAL_HEADERS),
      )
      .willRespondWith(404, (response) =>
        response.jsonBody({ code: integer(40402), message: text(`Account ${MISSING_ACCOUNT_ID} not found`) }),
      )
      .executeTest(async (server) => {
        const error = await client(server.url)
          .getAccount(MISSING_ACCOUNT_ID)
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(VendorApiError);
        expect(error).toMatchObject({ status: 404, retryable: false, code: '40402' });
      }),
  );
});

describe('stitcher ← atomic webhooks: pay-link-accounts-updated', () => {
  const accountsUpdated = (updateType: string) => ({
    eventType: 'pay-link-accounts-updated',
    eventTime: isoDateTime(ATOMIC_TIME),
    user: userRef,
    data: { accounts: eachLike({ _id: text(ACCOUNT_ID), updateType }) },
  });

  contract.interaction('created: the stitcher links the new account to the user', () =>
    pact
      .addAsynchronousInteraction()
      .given('an order-monitoring account was just created for user {identifier}', { identifier: IDENTIFIER })
      .expectsToReceive('a pay-link-accounts-updated event for a created account', (message) =>
        message.withJSONContent(accountsUpdated('created')),
      )
      .executeTest(({ contents }) =>
        withStitcher(async (stitcher) => {
          stitcher.vendors.accounts.set(ACCOUNT_ID, fakeAccount('initial'));
          await stitcher.deliver('atomic', contents.content);
          const user = await readUser(stitcher);
          expect(user.atomicUserId).toBe(ATOMIC_USER_ID);
          expect(user.accounts).toMatchObject([
            { accountId: ACCOUNT_ID, connectionStatus: 'initial', lastUpdateType: 'created' },
          ]);
        }),
      ),
  );

  contract.interaction('updated: the stitcher fetches the account and stores its orders', () =>
    pact
      .addAsynchronousInteraction()
      .given(...connectedAccountState)
      .expectsToReceive('a pay-link-accounts-updated event for an updated account', (message) =>
        message.withJSONContent(accountsUpdated('updated')),
      )
      .executeTest(({ contents }) =>
        withStitcher(async (stitcher) => {
          stitcher.vendors.accounts.set(ACCOUNT_ID, fakeAccount('connected', [fakeOrder]));
          await stitcher.deliver('atomic', contents.content);
          const user = await readUser(stitcher);
          expect(user.accounts).toMatchObject([{ connectionStatus: 'connected', lastUpdateType: 'updated' }]);
          expect(user.counts.orders).toBe(1);
          expect(stitcher.vendors.calls).toContain(`/pay-link/accounts/${ACCOUNT_ID}`);
        }),
      ),
  );

  contract.interaction('disconnected: the stitcher pauses stitching for the user', () =>
    pact
      .addAsynchronousInteraction()
      .given(...disconnectedAccountState)
      .expectsToReceive('a pay-link-accounts-updated event for a disconnected account', (message) =>
        message.withJSONContent(accountsUpdated('disconnected')),
      )
      .executeTest(({ contents }) =>
        withStitcher(async (stitcher) => {
          stitcher.vendors.accounts.set(ACCOUNT_ID, fakeAccount('disconnected', [fakeOrder]));
          await stitcher.deliver('atomic', contents.content);
          const user = await readUser(stitcher);
          expect(user.paused).toBe(true);
          expect(user.accounts).toMatchObject([
            { connectionStatus: 'disconnected', lastUpdateType: 'disconnected' },
          ]);
        }),
      ),
  );
});

describe('stitcher ← atomic webhooks: task-status-updated', () => {
  const taskStatusUpdated = (data: Record<string, unknown>) => ({
    eventType: 'task-status-updated',
    eventTime: isoDateTime(ATOMIC_TIME),
    user: userRef,
    task: text(TASK_ID),
    company: { _id: text(AMAZON._id), name: text(AMAZON.name) },
    data,
  });

  contract.interaction('completed: the stitcher records the task outcome', () =>
    pact
      .addAsynchronousInteraction()
      .given(...connectedAccountState)
      .expectsToReceive('a task-status-updated event for a completed task', (message) =>
        message.withJSONContent(taskStatusUpdated({ status: 'completed' })),
      )
      .executeTest(({ contents }) =>
        withStitcher(async (stitcher) => {
          await stitcher.deliver('atomic', contents.content);
          const user = await readUser(stitcher);
          expect(user.lastTask).toEqual({
            taskId: TASK_ID,
            status: 'completed',
            failReason: null,
            company: 'Amazon',
            eventTime: ATOMIC_TIME,
          });
        }),
      ),
  );

  contract.interaction('failed: the stitcher keeps the failReason to explain a disconnection', () =>
    pact
      .addAsynchronousInteraction()
      .given(...disconnectedAccountState)
      .expectsToReceive('a task-status-updated event for a failed task with its failReason', (message) =>
        message.withJSONContent(taskStatusUpdated({ status: 'failed', failReason: text('session-expired') })),
      )
      .executeTest(({ contents }) =>
        withStitcher(async (stitcher) => {
          await stitcher.deliver('atomic', contents.content);
          const user = await readUser(stitcher);
          expect(user.lastTask).toMatchObject({
            taskId: TASK_ID,
            status: 'failed',
            failReason: 'session-expired',
          });
        }),
      ),
  );
});

describe('the committed pact', () => {
  contract.matchesCommittedPact();
});
