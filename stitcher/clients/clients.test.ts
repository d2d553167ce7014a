import { describe, expect, it } from 'vitest';
import { createAtelioClient } from './atelio';
import { createAtomicClient } from './atomic';
import { VendorApiError } from './http';
import type { FetchLike } from './http';

function recorder(answer: (url: URL, headers: Headers) => Response | Promise<Response>) {
  const seen: Array<{ url: URL; headers: Headers }> = [];
  const fetch: FetchLike = async (input, init) => {
    const url = new URL(input);
    const headers = new Headers(init?.headers);
    seen.push({ url, headers });
    return answer(url, headers);
  };
  return { fetch, seen };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

async function failure(promise: Promise<unknown>): Promise<VendorApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof VendorApiError) return error;
    throw error;
  }
  throw new Error('expected a VendorApiError');
}

describe('Atomic client', () => {
  const options = { baseUrl: 'https://sandbox-api.atomicfi.com/', apiKey: 'k', apiSecret: 's' };

  it('GETs /pay-link/accounts/:id with x-api-key and x-api-secret and reads {data: account}', async () => {
    const { fetch, seen } = recorder(() =>
      json(200, {
        data: {
          _id: 'acct-1',
          connectionStatus: 'connected',
          lastSyncedAt: '2024-10-20T18:00:54.761Z',
          company: { _id: 'c', name: 'Amazon', branding: {} },
          orders: [
            {
              _id: 'o1',
              sourceId: '112-1',
              date: '2024-10-20T18:00:54.761Z',
              amount: 13.37,
              lineItems: [],
              paymentMethod: { type: 'card', lastFour: '2345' },
              products: [],
            },
            { _id: 'o2', date: '2024-10-20T18:00:54.761Z' },
          ],
        },
      }),
    );
    const account = await createAtomicClient({ ...options, fetch }).getAccount('acct 1');
    expect(seen[0]!.url.href).toBe('https://sandbox-api.atomicfi.com/pay-link/accounts/acct%201');
    expect(seen[0]!.headers.get('x-api-key')).toBe('k');
    expect(seen[0]!.headers.get('x-api-secret')).toBe('s');
    expect(account).toMatchObject({ id: 'acct-1', connectionStatus: 'connected', companyName: 'Amazon' });
    expect(account.orders.map((o) => o._id)).toEqual(['o1']);
    expect(account.unreadableOrders).toEqual([
      { index: 1, id: 'o2', problem: expect.stringContaining('amount') },
    ]);
  });

  it('reads Atomic error envelopes and classifies them: 401/404 final, 429 and 5xx retryable', async () => {
    const cases: Array<[number, boolean]> = [
      [401, false],
      [404, false],
      [422, false],
      [429, true],
      [500, true],
      [503, true],
    ];
    for (const [status, retryable] of cases) {
      const { fetch } = recorder(() =>
        json(status, { code: status * 100 + 1, message: `nope ${status}` }, { 'retry-after': '7' }),
      );
      const error = await failure(createAtomicClient({ ...options, fetch }).getAccount('a'));
      expect(error).toMatchObject({ vendor: 'atomic', status, retryable, code: String(status * 100 + 1) });
      expect(error.message).toBe(`atomic GET /pay-link/accounts/a answered ${status}: nope ${status}`);
      expect(error.retryAfterMs).toBe(7000);
    }
  });

  it('treats a network failure and a non-JSON 200 as retryable, and a wrong shape as final', async () => {
    const down: FetchLike = async () => {
      throw new TypeError('fetch failed');
    };
    expect(await failure(createAtomicClient({ ...options, fetch: down }).getAccount('a'))).toMatchObject({
      status: null,
      retryable: true,
    });
    const html = recorder(() => new Response('<html>maintenance</html>', { status: 200 }));
    expect(
      await failure(createAtomicClient({ ...options, fetch: html.fetch }).getAccount('a')),
    ).toMatchObject({ retryable: true });
    const shape = recorder(() => json(200, { accounts: [] }));
    const error = await failure(createAtomicClient({ ...options, fetch: shape.fetch }).getAccount('a'));
    expect(error).toMatchObject({ retryable: false });
    expect(error.message).toMatch(/unexpected response shape: data/);
  });

  it('gives up on a request after the timeout, as a retryable failure', async () => {
    const hang: FetchLike = (_input, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal!.reason));
      });
    const error = await failure(
      createAtomicClient({ ...options, fetch: hang, timeoutMs: 20 }).getAccount('a'),
    );
    expect(error).toMatchObject({ retryable: true });
    expect(error.message).toMatch(/timed out after 20 ms/);
  });
});

describe('Atelio client', () => {
  const options = { baseUrl: 'http://127.0.0.1:4020', identity: 'id', authorization: 'auth' };
  const txn = (id: string) => ({
    transaction_id: id,
    customer_id: 'cust',
    payment_type: 'card',
    state: 'completed',
    amount: '-1.00',
    created_time: '2024-10-20T00:00:00+00:00',
    details: { card_id: 'card-1' },
  });

  it('sends raw Identity and Authorization headers under /api/v0.1 and reads a bare transaction', async () => {
    const { fetch, seen } = recorder(() => json(200, { ...txn('t1'), bond_brand_id: 'x' }));
    const result = await createAtelioClient({ ...options, fetch }).getTransaction('t1');
    expect(seen[0]!.url.pathname).toBe('/api/v0.1/transactions/t1');
    expect(seen[0]!.headers.get('identity')).toBe('id');
    expect(seen[0]!.headers.get('authorization')).toBe('auth');
    expect(result.transaction_id).toBe('t1');
  });

  it('accepts a base URL that already ends in /api/v0.1', async () => {
    const { fetch, seen } = recorder(() => json(200, { card_id: 'c1', last_four: '4242' }));
    await createAtelioClient({ ...options, baseUrl: 'https://sandbox.atelio.com/api/v0.1/', fetch }).getCard(
      'c1',
    );
    expect(seen[0]!.url.href).toBe('https://sandbox.atelio.com/api/v0.1/cards/c1');
  });

  it('also reads a transaction wrapped in {transactions: [...]}', async () => {
    const { fetch } = recorder(() => json(200, { transactions: [txn('t1')] }));
    expect((await createAtelioClient({ ...options, fetch }).getTransaction('t1')).transaction_id).toBe('t1');
  });

  it('follows next_page until it is null, with an allowed count, and counts unreadable items', async () => {
    const pages: Record<string, unknown> = {
      '1': { page: 1, pages: 3, count: 2, next_page: 2, transactions: [txn('a'), txn('b')] },
      '2': {
        page: 2,
        pages: 3,
        count: 2,
        next_page: 3,
        transactions: [txn('c'), { transaction_id: 'broken' }],
      },
      '3': { page: 3, pages: 3, count: 1, next_page: null, transactions: [txn('d')] },
    };
    const { fetch, seen } = recorder((url) => json(200, pages[url.searchParams.get('page')!]));
    const result = await createAtelioClient({ ...options, fetch }).listTransactions({
      customerId: 'cust',
      paymentType: 'card',
    });
    expect(result.transactions.map((t) => t.transaction_id)).toEqual(['a', 'b', 'c', 'd']);
    expect(result.unreadable).toBe(1);
    expect(seen.map((s) => s.url.searchParams.get('page'))).toEqual(['1', '2', '3']);
    expect(Object.fromEntries(seen[0]!.url.searchParams)).toEqual({
      customer_id: 'cust',
      payment_type: 'card',
      count: '1000',
      page: '1',
      order_by: 'asc',
    });
  });

  it('stops on an empty page even if the server keeps offering a next page', async () => {
    const { fetch, seen } = recorder(() =>
      json(200, { page: 1, pages: 9, count: 0, next_page: 2, transactions: [] }),
    );
    await createAtelioClient({ ...options, fetch }).listTransactions({ customerId: 'c' });
    expect(seen).toHaveLength(1);
  });

  it('reads Atelio error envelopes ({Message, Status, Code, Type})', async () => {
    const { fetch } = recorder(() =>
      json(404, { Message: 'Card not found', Status: 404, Code: 'card_dne', Type: 'Request Error' }),
    );
    const error = await failure(createAtelioClient({ ...options, fetch }).getCard('zz'));
    expect(error).toMatchObject({ vendor: 'atelio', status: 404, code: 'card_dne', retryable: false });
    expect(error.message).toBe('atelio GET /cards/zz answered 404: Card not found');
  });
});
