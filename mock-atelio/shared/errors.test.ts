import { describe, expect, it } from 'vitest';
import { ATELIO_ERROR_CODES, AtelioStoreError, type AtelioErrorCode } from '../store/errors';
import { AUTH, JSON_AUTH, emptyBank, validAuthorization } from '../testing';
import { STATUS_BY_CODE } from './errors';
import { respondError } from './http';

/**
 * The store's errors carry no HTTP status; the app maps each code to one. These are the statuses the
 * API answered for each code when the store still threw HTTP-typed errors: the mapping must not move.
 */
const STATUS_ANSWERED_BEFORE: Record<AtelioErrorCode, number> = {
  invalid_request: 400,
  invalid_amount: 400,
  invalid_date: 400,
  insufficient_funds: 400,
  resource_conflict: 400,
  customer_dne: 404,
  account_dne: 404,
  card_dne: 404,
  transaction_dne: 404,
  webhook_dne: 404,
};

const envelopeBytes = (status: number, code: string, message: string) =>
  `{"Message":${JSON.stringify(message)},"Status":${status},"Code":"${code}","Type":"Request Error"}`;

type Bank = ReturnType<typeof emptyBank>;
const post = (bank: Bank, path: string, body: unknown) =>
  bank.app.request(path, { method: 'POST', headers: JSON_AUTH, body: JSON.stringify(body) });

async function authorizedTransaction(bank: Bank): Promise<string> {
  const res = await post(bank, '/api/v0.1/simulate/authorization', validAuthorization('card-1'));
  return ((await res.json()) as { transaction_id: string }).transaction_id;
}

/**
 * One HTTP request per code that reaches it through the real app, with the exact message the API
 * answered before the change. `invalid_date` and `insufficient_funds` have no HTTP path (the
 * simulate schema refuses bad dates first; account transfers are store-only), so the mapping table
 * alone covers them.
 */
const THROUGH_HTTP: Partial<
  Record<AtelioErrorCode, (bank: Bank) => Promise<{ response: Response; message: string }>>
> = {
  invalid_request: async (bank) => ({
    response: await post(bank, '/api/v0.1/webhooks', { url: 'ftp://x', events: ['transactions'] }),
    message: 'Invalid request body: url: url must be an absolute http(s) URL',
  }),
  invalid_amount: async (bank) => {
    const id = await authorizedTransaction(bank);
    return {
      response: await post(bank, '/api/v0.1/simulate/settlement', { transaction_id: id, amount: '99.00' }),
      message: `Cannot settle 99.00 on transaction ${id}: 35.93 was authorised, 0.00 is already settled, so at most 35.93 remains.`,
    };
  },
  resource_conflict: async (bank) => {
    const id = await authorizedTransaction(bank);
    await post(bank, '/api/v0.1/simulate/settlement', { transaction_id: id });
    return {
      response: await post(bank, '/api/v0.1/simulate/settlement', { transaction_id: id }),
      message: `Transaction ${id} is already fully settled.`,
    };
  },
  customer_dne: async (bank) => ({
    response: await bank.app.request('/api/v0.1/transactions?customer_id=nope', { headers: AUTH }),
    message: 'Customer nope does not exist.',
  }),
  account_dne: async (bank) => ({
    response: await bank.app.request('/api/v0.1/accounts/nope', { headers: AUTH }),
    message: 'Account nope does not exist.',
  }),
  card_dne: async (bank) => ({
    response: await post(bank, '/api/v0.1/simulate/authorization', validAuthorization('nope')),
    message: 'Card nope does not exist.',
  }),
  transaction_dne: async (bank) => ({
    response: await bank.app.request('/api/v0/transactions/nope', { headers: AUTH }),
    message: 'Transaction nope does not exist.',
  }),
  webhook_dne: async (bank) => ({
    response: await bank.app.request('/api/v0.1/webhooks/nope', { method: 'DELETE', headers: AUTH }),
    message: 'Webhook nope does not exist.',
  }),
};

describe('domain error codes → HTTP status and envelope', () => {
  it('maps exactly the codes the store can throw', () => {
    expect(Object.keys(STATUS_BY_CODE).sort()).toEqual([...ATELIO_ERROR_CODES].sort());
  });

  it.each(ATELIO_ERROR_CODES)('%s answers the status and envelope the API answered before', async (code) => {
    const status = STATUS_ANSWERED_BEFORE[code];
    expect(STATUS_BY_CODE[code]).toBe(status);

    const mapped = respondError(new AtelioStoreError(code, 'Something is wrong.'));
    expect(mapped.status).toBe(status);
    expect(mapped.headers.get('content-type')).toBe('application/json');
    expect(await mapped.text()).toBe(envelopeBytes(status, code, 'Something is wrong.'));

    const trigger = THROUGH_HTTP[code];
    if (trigger) {
      const { response, message } = await trigger(emptyBank());
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.text()).toBe(envelopeBytes(status, code, message));
    } else {
      expect(['invalid_date', 'insufficient_funds']).toContain(code);
    }
  });
});
