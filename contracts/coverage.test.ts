/**
 * Nothing the stitcher does with a vendor may be left out of the contracts: every method of its API
 * clients, every request its webhook handlers really make, and every webhook it acts on must be an
 * interaction of the committed pacts.
 */
import { describe, expect, it } from 'vitest';
import { createAtelioClient, createAtomicClient } from '../stitcher';
import type { AtelioClient, AtomicClient, FetchLike } from '../stitcher';
import { HANDLED_ATELIO_EVENTS, HANDLED_ATOMIC_EVENTS } from '../stitcher/processor';
import { aTransaction } from '../stitcher/testing';
import { withStitcher } from './consumer/stitcher-harness';
import {
  ACCOUNT_ID,
  AMAZON,
  ATOMIC_TIME,
  ATOMIC_USER_ID,
  CARD_ID,
  IDENTIFIER,
  LAST_FOUR,
  PENDING_TRANSACTION_ID,
} from './examples';
import { committedPactPath, readPact } from './pact-file';
import type { PactInteraction } from './pact-file';

const pacts = {
  atomic: readPact(committedPactPath('atomic')),
  atelio: readPact(committedPactPath('atelio')),
};

interface Call {
  method: string;
  path: string;
  query: Record<string, string[]>;
}

function callOf(method: string, url: URL): Call {
  const query: Record<string, string[]> = {};
  for (const [key, value] of url.searchParams) (query[key] ??= []).push(value);
  return { method, path: url.pathname, query };
}

const sortedQuery = (query: Record<string, string[]>) =>
  JSON.stringify(Object.entries(query).sort(([a], [b]) => (a < b ? -1 : 1)));

/** Interactions of the pact answering exactly this request (method, path, query). */
function interactionsFor(provider: 'atomic' | 'atelio', call: Call): PactInteraction[] {
  return pacts[provider].interactions.filter(
    (i) =>
      i.request !== undefined &&
      i.request.method === call.method &&
      i.request.path === call.path &&
      sortedQuery(i.request.query) === sortedQuery(call.query),
  );
}

function describeCall(call: Call): string {
  const pairs = Object.entries(call.query).flatMap(([key, values]) =>
    values.map((v): [string, string] => [key, v]),
  );
  return `${call.method} ${call.path}${pairs.length > 0 ? `?${new URLSearchParams(pairs)}` : ''}`;
}

/** Records each request and answers 404, which ends every client method after exactly one request. */
function recorder(calls: Call[]): FetchLike {
  return async (input, init) => {
    calls.push(callOf(init?.method ?? 'GET', new URL(input)));
    return new Response('{}', { status: 404, headers: { 'content-type': 'application/json' } });
  };
}

/**
 * How each client method is called, with the pacts' example values. A method missing here fails the
 * first test below: a new client call needs an entry here and an interaction in the consumer tests.
 */
const SAMPLE_CALLS = {
  atomic: {
    getAccount: (client: AtomicClient) => client.getAccount(ACCOUNT_ID),
  } satisfies Record<keyof AtomicClient, (client: AtomicClient) => Promise<unknown>>,
  atelio: {
    getTransaction: (client: AtelioClient) => client.getTransaction(PENDING_TRANSACTION_ID),
    listTransactions: (client: AtelioClient) =>
      client.listTransactions({ customerId: IDENTIFIER, paymentType: 'card' }),
    getCard: (client: AtelioClient) => client.getCard(CARD_ID),
  } satisfies Record<keyof AtelioClient, (client: AtelioClient) => Promise<unknown>>,
};

function clientsRecording(calls: Call[]) {
  const fetch = recorder(calls);
  return {
    atomic: createAtomicClient({ baseUrl: 'http://atomic.test', apiKey: 'k', apiSecret: 's', fetch }),
    atelio: createAtelioClient({ baseUrl: 'http://atelio.test', identity: 'i', authorization: 'a', fetch }),
  };
}

describe("every call of the stitcher's API clients is an interaction of a pact", () => {
  it('every client method (enumerated from the clients themselves) has a sample call here', () => {
    const clients = clientsRecording([]);
    expect(Object.keys(clients.atomic).sort()).toEqual(Object.keys(SAMPLE_CALLS.atomic).sort());
    expect(Object.keys(clients.atelio).sort()).toEqual(Object.keys(SAMPLE_CALLS.atelio).sort());
  });

  const methods = [
    ...Object.entries(SAMPLE_CALLS.atomic).map(([name, call]) => ({
      provider: 'atomic' as const,
      name,
      call,
    })),
    ...Object.entries(SAMPLE_CALLS.atelio).map(([name, call]) => ({
      provider: 'atelio' as const,
      name,
      call,
    })),
  ];
  for (const { provider, name, call } of methods) {
    it(`${provider} client ${name}() has a success interaction in stitcher-${provider}.json`, async () => {
      const calls: Call[] = [];
      const clients = clientsRecording(calls);
      await (call as (client: unknown) => Promise<unknown>)(clients[provider]).catch(() => undefined);
      expect(calls).toHaveLength(1);
      const matching = interactionsFor(provider, calls[0]!);
      expect(
        matching.some((i) => i.status !== undefined && i.status >= 200 && i.status < 300),
        `no 2xx interaction for ${describeCall(calls[0]!)}`,
      ).toBe(true);
    });
  }

  it('every request the webhook handlers make while processing each handled webhook is in a pact', async () => {
    const made = await withStitcher(async (stitcher) => {
      const { vendors } = stitcher;
      vendors.accounts.set(ACCOUNT_ID, {
        _id: ACCOUNT_ID,
        connectionStatus: 'connected',
        lastSyncedAt: ATOMIC_TIME,
        company: AMAZON,
        orders: [],
      });
      const txn = { ...aTransaction({ details: { card_id: CARD_ID } }), customer_id: IDENTIFIER };
      vendors.transactions.set(PENDING_TRANSACTION_ID, { ...txn, transaction_id: PENDING_TRANSACTION_ID });
      vendors.cards.set(CARD_ID, { card_id: CARD_ID, last_four: LAST_FOUR });
      const user = { _id: ATOMIC_USER_ID, identifier: IDENTIFIER };
      await stitcher.deliver('atomic', {
        eventType: 'pay-link-accounts-updated',
        eventTime: ATOMIC_TIME,
        user,
        data: { accounts: [{ _id: ACCOUNT_ID, updateType: 'updated' }] },
      });
      await stitcher.deliver('atomic', {
        eventType: 'task-status-updated',
        eventTime: ATOMIC_TIME,
        user,
        task: '65f0a1b2c3d4e5f6a7b8c9d3',
        company: AMAZON,
        data: { status: 'completed' },
      });
      await stitcher.deliver('atelio', {
        event: 'transactions',
        occurred_at: '2025-03-10T09:15:00.000000+00:00',
        transaction_id: PENDING_TRANSACTION_ID,
        customer_id: IDENTIFIER,
      });
      return vendors.calls;
    });
    // The flow above reaches every kind of request: account fetch, back-fill, transaction, card.
    const calls = made.map((pathAndQuery) => callOf('GET', new URL(pathAndQuery, 'http://vendor.test')));
    const ids = [ACCOUNT_ID, PENDING_TRANSACTION_ID, CARD_ID];
    const shapes = calls.map((c) => ids.reduce((path, id) => path.replace(id, ':id'), c.path));
    expect(new Set(shapes)).toEqual(
      new Set([
        '/pay-link/accounts/:id',
        '/api/v0.1/transactions',
        '/api/v0.1/transactions/:id',
        '/api/v0.1/cards/:id',
      ]),
    );
    const uncovered = calls.filter(
      (call) => interactionsFor(call.path.startsWith('/pay-link/') ? 'atomic' : 'atelio', call).length === 0,
    );
    expect(uncovered.map(describeCall)).toEqual([]);
  });
});

/** Message interactions of a pact and their example bodies. */
const messagesOf = (provider: 'atomic' | 'atelio') =>
  pacts[provider].interactions
    .filter((i) => i.kind === 'message')
    .map((i) => ({ ...i, body: i.content as Record<string, unknown> }));

describe('every webhook the stitcher acts on is a message of a pact', () => {
  it('each handled Atomic event type has a message in stitcher-atomic.json', () => {
    const types = new Set(messagesOf('atomic').map((m) => m.body['eventType']));
    for (const eventType of HANDLED_ATOMIC_EVENTS) expect(types, eventType).toContain(eventType);
  });

  it('each handled Atelio event type has a message in stitcher-atelio.json', () => {
    const types = new Set(messagesOf('atelio').map((m) => m.body['event']));
    for (const event of HANDLED_ATELIO_EVENTS) expect(types, event).toContain(event);
  });

  it('pay-link-accounts-updated is covered for created, updated and disconnected accounts', () => {
    const updateTypes = messagesOf('atomic')
      .filter((m) => m.body['eventType'] === 'pay-link-accounts-updated')
      .map((m) => (m.body['data'] as { accounts: Array<{ updateType: string }> }).accounts[0]!.updateType);
    expect(updateTypes.sort()).toEqual(['created', 'disconnected', 'updated']);
  });

  it('task-status-updated is covered for a completed task and for a failed one with its failReason', () => {
    const data = messagesOf('atomic')
      .filter((m) => m.body['eventType'] === 'task-status-updated')
      .map((m) => m.body['data'] as { status: string; failReason?: string });
    expect(data.map((d) => d.status).sort()).toEqual(['completed', 'failed']);
    expect(data.find((d) => d.status === 'failed')?.failReason).toEqual(expect.any(String));
  });

  it('transactions is covered for a pending purchase and purchases completed in one and in several settlements', () => {
    const states = messagesOf('atelio')
      .filter((m) => m.body['event'] === 'transactions')
      .flatMap((m) => m.states.map((s) => s.name));
    expect(states.sort()).toEqual([
      'customer {customerId} has a card purchase {transactionId} settled in one part',
      'customer {customerId} has a card purchase {transactionId} settled in two parts',
      'customer {customerId} has a pending card purchase {transactionId}',
    ]);
  });
});
