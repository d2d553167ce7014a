/**
 * Consumer contract stitcher → atelio: every request the stitcher's Atelio client makes (a transaction,
 * a customer's card transactions, a card) and the `transactions` webhook its handlers act on.
 */
import { describe, expect } from 'vitest';
import { createAtelioClient, transactionForMatching, VendorApiError } from '../../stitcher';
import type { AtelioClient } from '../../stitcher';
import { aTransaction } from '../../stitcher/testing';
import {
  ATELIO_CREDENTIALS,
  ATELIO_SETTLED_TIME,
  ATELIO_TIME,
  CARD_ID,
  IDENTIFIER,
  LAST_FOUR,
  MISSING_CARD_ID,
  MISSING_CUSTOMER_ID,
  MISSING_TRANSACTION_ID,
  PENDING_TRANSACTION_ID,
  SETTLED_TRANSACTION_ID,
  SETTLEMENT_DATE,
  SPLIT_TRANSACTION_ID,
} from '../examples';
import { consumerContract } from './contract';
import { atelioTimestamp, atLeastLike, decimalString, eachLike, integer, lastFour, text } from './matchers';
import { withStitcher } from './stitcher-harness';

const contract = consumerContract('atelio');
const { pact } = contract;

const CREDENTIAL_HEADERS = {
  Identity: ATELIO_CREDENTIALS.identity,
  Authorization: ATELIO_CREDENTIALS.authorization,
};

const client = (baseUrl: string): AtelioClient => createAtelioClient({ baseUrl, ...ATELIO_CREDENTIALS });

const MERCHANT = 'AMZN Mktp US*2K4L71';
const lastFourByCard = new Map([[CARD_ID, LAST_FOUR]]);

/** The states the stitcher distinguishes; anything else would be a new state to handle. */
const transactionState = (example: string) =>
  ({
    'pact:matcher:type': 'regex',
    regex: '^(pending|completed|declined|cancelled|returned)$',
    value: example,
  }) as const;

/** Atelio's error envelope; the stitcher reads the status, and Message/Code for its log. */
const atelioError = (code: string, message: string) => ({
  Message: text(message),
  Status: integer(404),
  Code: text(code),
  Type: text('Request Error'),
});

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('stitcher → atelio: GET /api/v0.1/transactions/{transaction_id}', () => {
  contract.interaction('reads a pending card purchase', () =>
    pact
      .addInteraction()
      .given('customer {customerId} has a pending card purchase {transactionId}', {
        customerId: IDENTIFIER,
        transactionId: PENDING_TRANSACTION_ID,
        cardId: CARD_ID,
      })
      .uponReceiving('a request for a pending card transaction')
      .withRequest('GET', `/api/v0.1/transactions/${PENDING_TRANSACTION_ID}`, (request) =>
        request.headers(CREDENTIAL_HEADERS),
      )
      .willRespondWith(200, (response) =>
        response.jsonBody({
          transaction_id: text(PENDING_TRANSACTION_ID),
          customer_id: text(IDENTIFIER),
          payment_type: 'card',
          state: 'pending',
          amount: decimalString('-42.10'),
          created_time: atelioTimestamp(ATELIO_TIME),
          updated_time: atelioTimestamp(ATELIO_TIME),
          details: {
            card_id: text(CARD_ID),
            merchant_name: text(MERCHANT),
            statement_descriptor: text('AMZN MKTP US*2K4L71      AMZN.COM/BILL WAUSA'),
            merchant_amount: decimalString('-42.10'),
          },
        }),
      )
      .executeTest(async (server) => {
        const txn = await client(server.url).getTransaction(PENDING_TRANSACTION_ID);
        expect(transactionForMatching(txn, lastFourByCard)).toMatchObject({
          id: PENDING_TRANSACTION_ID,
          userId: IDENTIFIER,
          state: 'pending',
          paymentType: 'card',
          amountCents: -4210,
          authorisedCents: -4210,
          settlementCount: 0,
          lastFour: LAST_FOUR,
          dateMs: Date.parse('2025-03-09T18:42:05.721Z'),
        });
      }),
  );

  contract.interaction('reads a purchase settled in two parts, with each settlement', () =>
    pact
      .addInteraction()
      .given('customer {customerId} has a card purchase {transactionId} settled in two parts', {
        customerId: IDENTIFIER,
        transactionId: SPLIT_TRANSACTION_ID,
        cardId: CARD_ID,
      })
      .uponReceiving('a request for a card transaction settled in two parts')
      .withRequest('GET', `/api/v0.1/transactions/${SPLIT_TRANSACTION_ID}`, (request) =>
        request.headers(CREDENTIAL_HEADERS),
      )
      .willRespondWith(200, (response) =>
        response.jsonBody({
          transaction_id: text(SPLIT_TRANSACTION_ID),
          customer_id: text(IDENTIFIER),
          payment_type: 'card',
          state: 'completed',
          amount: decimalString('-35.93'),
          created_time: atelioTimestamp(ATELIO_TIME),
          details: {
            card_id: text(CARD_ID),
            merchant_name: text(MERCHANT),
            merchant_amount: decimalString('-35.93'),
            settlements: atLeastLike([
              { settlement_date: atelioTimestamp(SETTLEMENT_DATE), amount: decimalString('-30.49') },
              { settlement_date: '2025-03-10T15:15:00+00', amount: '-5.44' },
            ]),
          },
        }),
      )
      .executeTest(async (server) => {
        const txn = await client(server.url).getTransaction(SPLIT_TRANSACTION_ID);
        expect(transactionForMatching(txn, lastFourByCard)).toMatchObject({
          state: 'completed',
          amountCents: -3593,
          authorisedCents: -3593,
          settledCents: -3593,
          settlementCount: 2,
        });
      }),
  );

  contract.interaction('gets a 404 for an unknown transaction, which the stitcher does not retry', () =>
    pact
      .addInteraction()
      .given('no transaction {transactionId} exists', { transactionId: MISSING_TRANSACTION_ID })
      .uponReceiving('a request for a transaction that does not exist')
      .withRequest('GET', `/api/v0.1/transactions/${MISSING_TRANSACTION_ID}`, (request) =>
        request.headers(CREDENTIAL_HEADERS),
      )
      .willRespondWith(404, (response) =>
        response.jsonBody(
          atelioError('transaction_dne', `Transaction ${MISSING_TRANSACTION_ID} does not exist.`),
        ),
      )
      .executeTest(async (server) => {
        const error = await errorOf(client(server.url).getTransaction(MISSING_TRANSACTION_ID));
        expect(error).toBeInstanceOf(VendorApiError);
        expect(error).toMatchObject({ status: 404, retryable: false, code: 'transaction_dne' });
      }),
  );
});

describe('stitcher → atelio: GET /api/v0.1/transactions?customer_id= (back-fill)', () => {
  const listQuery = {
    customer_id: IDENTIFIER,
    payment_type: 'card',
    count: '1000',
    page: '1',
    order_by: 'asc',
  };

  contract.interaction("pages through a customer's card transactions", () =>
    pact
      .addInteraction()
      .given('customer {customerId} has card transactions', { customerId: IDENTIFIER, cardId: CARD_ID })
      .uponReceiving("a request for a customer's card transactions, oldest first")
      .withRequest('GET', '/api/v0.1/transactions', (request) =>
        request.query(listQuery).headers(CREDENTIAL_HEADERS),
      )
      .willRespondWith(200, (response) =>
        response.jsonBody({
          page: integer(1),
          pages: integer(1),
          next_page: null,
          transactions: eachLike({
            transaction_id: text(SETTLED_TRANSACTION_ID),
            customer_id: text(IDENTIFIER),
            payment_type: 'card',
            state: transactionState('completed'),
            amount: decimalString('-61.55'),
            created_time: atelioTimestamp(ATELIO_TIME),
            details: {
              card_id: text(CARD_ID),
              merchant_name: text(MERCHANT),
              merchant_amount: decimalString('-61.55'),
            },
          }),
        }),
      )
      .executeTest(async (server) => {
        const result = await client(server.url).listTransactions({
          customerId: IDENTIFIER,
          paymentType: 'card',
        });
        expect(result.unreadable).toBe(0);
        expect(result.transactions.map((t) => transactionForMatching(t, lastFourByCard))).toMatchObject([
          { id: SETTLED_TRANSACTION_ID, state: 'completed', amountCents: -6155, lastFour: LAST_FOUR },
        ]);
      }),
  );

  contract.interaction(
    'gets a 404 for a customer Atelio does not know, which means nothing to back-fill',
    () =>
      pact
        .addInteraction()
        .given('no customer {customerId} exists', { customerId: MISSING_CUSTOMER_ID })
        .uponReceiving('a request for the card transactions of a customer that does not exist')
        .withRequest('GET', '/api/v0.1/transactions', (request) =>
          request.query({ ...listQuery, customer_id: MISSING_CUSTOMER_ID }).headers(CREDENTIAL_HEADERS),
        )
        .willRespondWith(404, (response) =>
          response.jsonBody(atelioError('customer_dne', `Customer ${MISSING_CUSTOMER_ID} does not exist.`)),
        )
        .executeTest(async (server) => {
          const error = await errorOf(
            client(server.url).listTransactions({ customerId: MISSING_CUSTOMER_ID, paymentType: 'card' }),
          );
          expect(error).toMatchObject({ status: 404, retryable: false, code: 'customer_dne' });
        }),
  );
});

describe('stitcher → atelio: GET /api/v0.1/cards/{card_id}', () => {
  contract.interaction('reads the last four of the card a transaction was made with', () =>
    pact
      .addInteraction()
      .given('card {cardId} with last four {lastFour} exists', { cardId: CARD_ID, lastFour: LAST_FOUR })
      .uponReceiving('a request for a card')
      .withRequest('GET', `/api/v0.1/cards/${CARD_ID}`, (request) => request.headers(CREDENTIAL_HEADERS))
      .willRespondWith(200, (response) =>
        response.jsonBody({ card_id: text(CARD_ID), last_four: lastFour(LAST_FOUR) }),
      )
      .executeTest(async (server) => {
        expect(await client(server.url).getCard(CARD_ID)).toEqual({ card_id: CARD_ID, last_four: LAST_FOUR });
      }),
  );

  contract.interaction(
    'gets a 404 for an unknown card, which the stitcher remembers as "last four unknown"',
    () =>
      pact
        .addInteraction()
        .given('no card {cardId} exists', { cardId: MISSING_CARD_ID })
        .uponReceiving('a request for a card that does not exist')
        .withRequest('GET', `/api/v0.1/cards/${MISSING_CARD_ID}`, (request) =>
          request.headers(CREDENTIAL_HEADERS),
        )
        .willRespondWith(404, (response) =>
          response.jsonBody(atelioError('card_dne', `Card ${MISSING_CARD_ID} does not exist.`)),
        )
        .executeTest(async (server) => {
          const error = await errorOf(client(server.url).getCard(MISSING_CARD_ID));
          expect(error).toMatchObject({ status: 404, retryable: false, code: 'card_dne' });
        }),
  );
});

describe('stitcher ← atelio webhooks: transactions', () => {
  /** Only what the stitcher reads from the body: it fetches the transaction itself (the API has the latest state). */
  const transactionsEvent = (transactionId: string) => ({
    event: 'transactions',
    occurred_at: atelioTimestamp(ATELIO_SETTLED_TIME),
    transaction_id: text(transactionId),
    customer_id: text(IDENTIFIER),
  });

  const cases = [
    {
      variant: 'pending',
      description: 'a transactions event for a pending card purchase',
      state: 'customer {customerId} has a pending card purchase {transactionId}',
      transactionId: PENDING_TRANSACTION_ID,
      api: aTransaction({ state: 'pending', amount: '-42.10', details: { merchant_amount: '-42.10' } }),
      expected: { state: 'pending', amount: '-42.10', settlements: [] },
    },
    {
      variant: 'completed in one settlement',
      description: 'a transactions event for a card purchase completed in one settlement',
      state: 'customer {customerId} has a card purchase {transactionId} settled in one part',
      transactionId: SETTLED_TRANSACTION_ID,
      api: aTransaction({
        amount: '-42.10',
        details: {
          merchant_amount: '-42.10',
          settlements: [{ settlement_date: SETTLEMENT_DATE, amount: '-42.10' }],
        },
      }),
      expected: { state: 'completed', amount: '-42.10', settlements: [{ amount: '-42.10' }] },
    },
    {
      variant: 'completed in several settlements',
      description: 'a transactions event for a card purchase completed in several settlements',
      state: 'customer {customerId} has a card purchase {transactionId} settled in two parts',
      transactionId: SPLIT_TRANSACTION_ID,
      api: aTransaction({
        amount: '-35.93',
        details: {
          merchant_amount: '-35.93',
          settlements: [
            { settlement_date: SETTLEMENT_DATE, amount: '-30.49' },
            { settlement_date: '2025-03-10T15:15:00+00', amount: '-5.44' },
          ],
        },
      }),
      expected: {
        state: 'completed',
        amount: '-35.93',
        settlements: [{ amount: '-30.49' }, { amount: '-5.44' }],
      },
    },
  ];

  for (const { variant, description, state, transactionId, api, expected } of cases) {
    contract.interaction(
      `${variant}: the stitcher fetches the transaction and its card, and stores them`,
      () =>
        pact
          .addAsynchronousInteraction()
          .given(state, { customerId: IDENTIFIER, transactionId, cardId: CARD_ID })
          .expectsToReceive(description, (message) =>
            message.withJSONContent(transactionsEvent(transactionId)),
          )
          .executeTest(({ contents }) =>
            withStitcher(async (stitcher) => {
              stitcher.vendors.transactions.set(transactionId, {
                ...api,
                transaction_id: transactionId,
                customer_id: IDENTIFIER,
                details: { ...api.details, card_id: CARD_ID },
              });
              stitcher.vendors.cards.set(CARD_ID, { card_id: CARD_ID, last_four: LAST_FOUR });
              await stitcher.deliver('atelio', contents.content);
              const view = await stitcher.read<{ transactions: unknown[] }>(
                `/users/${IDENTIFIER}/transactions`,
              );
              expect(view.transactions).toMatchObject([{ transactionId, lastFour: LAST_FOUR, ...expected }]);
              expect(stitcher.vendors.calls).toEqual([
                `/api/v0.1/transactions/${transactionId}`,
                `/api/v0.1/cards/${CARD_ID}`,
              ]);
            }),
          ),
    );
  }
});

describe('the committed pact', () => {
  contract.matchesCommittedPact();
});
