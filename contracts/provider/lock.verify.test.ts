/**
 * Proof that the contracts lock the shapes: the same committed pacts, verified against mocks whose
 * real answers (or webhooks) have had one field renamed or retyped, must fail — and the identical
 * set-up without the change must pass, so the failure comes from the change alone.
 */
import { describe, expect, it } from 'vitest';
import { committedPactPath } from '../pact-file';
import type { PactInteraction } from '../pact-file';
import { verifyPact } from './verify';
import type { VerificationReport } from './verify';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object';

/** Renames `from` to `to` in the object at `body.data` (Atomic's account answer). */
const renameAccountField = (from: string, to: string) => (path: string, body: unknown) => {
  if (path.startsWith('/pay-link/accounts/') && isObject(body) && isObject(body['data'])) {
    const { [from]: value, ...rest } = body['data'];
    return { ...body, data: { ...rest, [to]: value } };
  }
  return body;
};

const outcomeStatuses = (report: VerificationReport) =>
  Object.fromEntries(report.outcomes.map((o) => [o.description, o.status]));

const problemsOf = (report: VerificationReport, description: string) =>
  report.outcomes.find((o) => o.description === description)?.problems ?? [];

const accountRequests = (i: PactInteraction) => i.kind === 'http';
const cardOrders = 'a request for an order-monitoring account with card orders';
const disconnected = 'a request for a disconnected order-monitoring account';
const giftCard = 'a request for an order-monitoring account with an order paid by gift card';
const missingAccount = 'a request for an order-monitoring account that does not exist';
const openedByTransact = 'a request for an order-monitoring account whose first order fetch is still running';

describe('the Atomic contract fails when a real mock answer changes one field', () => {
  it('passes with the response hook in place but changing nothing (control)', async () => {
    const report = await verifyPact({
      pactFile: committedPactPath('atomic'),
      only: accountRequests,
      testHooks: { transformResponse: (_path, body) => body },
    });
    expect(report.passed).toBe(true);
  });

  it('renaming connectionStatus in GET /pay-link/accounts/:id fails every account interaction', async () => {
    const report = await verifyPact({
      pactFile: committedPactPath('atomic'),
      only: accountRequests,
      testHooks: { transformResponse: renameAccountField('connectionStatus', 'connection_status') },
    });
    expect(report.passed).toBe(false);
    expect(outcomeStatuses(report)).toEqual({
      [cardOrders]: 'failed',
      [disconnected]: 'failed',
      [giftCard]: 'failed',
      [openedByTransact]: 'failed',
      // The error answer has no such field: it still holds.
      [missingAccount]: 'passed',
    });
    expect(problemsOf(report, cardOrders)).toEqual([
      '$.data: Actual map is missing the following keys: connectionStatus',
    ]);
  });

  it('an order amount sent as a string instead of a number fails the orders interactions', async () => {
    const report = await verifyPact({
      pactFile: committedPactPath('atomic'),
      only: (i) => i.description === cardOrders,
      testHooks: {
        transformResponse: (path, body) => {
          if (!path.startsWith('/pay-link/accounts/') || !isObject(body) || !isObject(body['data']))
            return body;
          const orders = body['data']['orders'] as Json[];
          return {
            ...body,
            data: { ...body['data'], orders: orders.map((o) => ({ ...o, amount: String(o['amount']) })) },
          };
        },
      },
    });
    expect(report.passed).toBe(false);
    expect(problemsOf(report, cardOrders).join('\n')).toMatch(
      /\$\.data\.orders\[0\]\.amount: Expected '[\d.]+' \(String\) to be a number/,
    );
  });
});

describe('the Atelio contract fails when a real mock answer or webhook changes one field', () => {
  const pendingTransaction = 'a request for a pending card transaction';

  it('created_time sent as epoch milliseconds instead of an ISO timestamp in GET /transactions/{id} fails', async () => {
    const report = await verifyPact({
      pactFile: committedPactPath('atelio'),
      only: (i) => i.description === pendingTransaction,
      testHooks: {
        transformResponse: (path, body) =>
          path.startsWith('/api/v0.1/transactions/') && isObject(body)
            ? {
                ...body,
                created_time: Date.parse(String(body['created_time']).replace(/(\.\d{3})\d+/, '$1')),
              }
            : body,
      },
    });
    expect(report.passed).toBe(false);
    expect(problemsOf(report, pendingTransaction).join('\n')).toMatch(
      /\$\.created_time: Expected '\d{13}' to match/,
    );
  });

  it('a transactions webhook whose transaction_id is renamed fails the message interactions', async () => {
    const messages = (i: PactInteraction) => i.kind === 'message';
    const renamed = await verifyPact({
      pactFile: committedPactPath('atelio'),
      only: messages,
      transformMessage: (_description, body) => {
        const { transaction_id: id, ...rest } = body as Json;
        return { ...rest, id };
      },
    });
    expect(renamed.passed).toBe(false);
    expect(renamed.outcomes.map((o) => o.status)).toEqual(['failed', 'failed', 'failed']);
    expect(renamed.outcomes[0]!.problems).toEqual([
      '$: Actual map is missing the following keys: transaction_id',
    ]);

    const untouched = await verifyPact({
      pactFile: committedPactPath('atelio'),
      only: messages,
      transformMessage: (_description, body) => body,
    });
    expect(untouched.passed).toBe(true);
  });
});
