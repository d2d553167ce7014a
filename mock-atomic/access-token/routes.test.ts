import { describe, expect, it } from 'vitest';
import { expectDocumentedFields, expectError, expectOk, makeAtomic } from '../testing';
import { AccessTokenResponseSchema, RevokeResponseSchema, isValidRoutingNumber } from './schema';

const switchBody = () => ({
  identifier: 'switch-user',
  cards: [
    {
      number: '4111111111111111',
      expiry: '09/30',
      cvv: '123',
      title: 'Everyday card',
      brand: 'visa',
      subtitle: 'Debit',
    },
  ],
  accounts: [
    { accountNumber: '1122330000', routingNumber: '123123123', type: 'checking', title: 'Checking' },
  ],
  identity: {
    firstName: 'Jane',
    lastName: 'Appleseed',
    postalCode: '84111',
    address: '123 Example St.',
    city: 'Salt Lake City',
    state: 'UT',
    phone: '5558881111',
    email: 'jane@example.com',
  },
});

describe('POST /access-token', () => {
  it('creates the user and returns data.publicToken, which works as x-public-token', async () => {
    const { request, store } = makeAtomic();
    const body = await expectOk(
      await request('POST', '/access-token', { body: { identifier: 'new-user' } }),
      AccessTokenResponseSchema,
    );
    expectDocumentedFields(body.data, ['publicToken'], 'data');
    expect(store.findUser('new-user')).toBeDefined();
    const accounts = await request('GET', '/pay-link/accounts', {
      auth: { publicToken: body.data.publicToken },
    });
    expect(accounts.status).toBe(200);
  });

  it('ties tokens created for the same identifier to the same user', async () => {
    const { request, store } = makeAtomic();
    await request('POST', '/access-token', { body: { identifier: 'same' } });
    const before = store.findUser('same')?._id;
    await request('POST', '/access-token', { body: { identifier: 'same' } });
    expect(store.findUser('same')?._id).toBe(before);
    expect(store.exportState().users.filter((u) => u.identifier === 'same')).toHaveLength(1);
  });

  it('expires a token after the default 86400 seconds on the clock', async () => {
    const { request, clock } = makeAtomic();
    const { data } = await expectOk(
      await request('POST', '/access-token', { body: { identifier: 'u' } }),
      AccessTokenResponseSchema,
    );
    await clock.advance(86_399_000);
    expect(
      (await request('GET', '/pay-link/accounts', { auth: { publicToken: data.publicToken } })).status,
    ).toBe(200);
    await clock.advance(1_000);
    await expectError(
      await request('GET', '/pay-link/accounts', { auth: { publicToken: data.publicToken } }),
      401,
      40104,
    );
  });

  it('honours tokenLifetime at the 1800-second minimum', async () => {
    const { request, clock } = makeAtomic();
    const { data } = await expectOk(
      await request('POST', '/access-token', { body: { identifier: 'u', tokenLifetime: 1800 } }),
      AccessTokenResponseSchema,
    );
    await clock.advance(1_800_000);
    await expectError(
      await request('GET', '/pay-link/accounts', { auth: { publicToken: data.publicToken } }),
      401,
      40104,
    );
  });

  it('accepts PayLink Switch cards, accounts and identity, keeping only the last four of the card', async () => {
    const { request, store } = makeAtomic();
    await expectOk(await request('POST', '/access-token', { body: switchBody() }), AccessTokenResponseSchema);
    const user = store.findUser('switch-user')!;
    expect(user.cards).toEqual([
      {
        viaPaymentService: false,
        lastFour: '1111',
        brand: 'visa',
        title: 'Everyday card',
        subtitle: 'Debit',
        expiry: '09/30',
      },
    ]);
    expect(user.bankAccounts).toEqual([
      { lastFour: '0000', routingNumber: '123123123', type: 'checking', title: 'Checking' },
    ]);
    expect(user.identity?.['state']).toBe('UT');
    expect(JSON.stringify(store.exportState())).not.toContain('4111111111111111');
  });

  it('accepts a BaaS passthrough card with lastFour and paymentService.galileo', async () => {
    const { request, store } = makeAtomic();
    const card = {
      lastFour: '4321',
      title: 'Galileo card',
      brand: 'mastercard',
      paymentService: {
        galileo: {
          apiLogin: 'login',
          apiTransKey: 'key',
          providerId: '123',
          transactionId: 'b3b0c6e2-8d1f-4a8e-9f57-2d0c0f0c0c0c',
          accountNo: '1234567890',
          apiUrl: 'https://api.galileo-ft.com',
        },
      },
    };
    await expectOk(
      await request('POST', '/access-token', { body: { identifier: 'baas', cards: [card] } }),
      AccessTokenResponseSchema,
    );
    expect(store.findUser('baas')?.cards[0]).toMatchObject({ lastFour: '4321', viaPaymentService: true });
  });

  it.each([
    ['a missing identifier', {}, 'identifier'],
    ['an empty identifier', { identifier: '' }, 'identifier'],
    ['tokenLifetime below 1800', { identifier: 'u', tokenLifetime: 1799 }, 'tokenLifetime'],
    ['tokenLifetime above 2592000', { identifier: 'u', tokenLifetime: 2_592_001 }, 'tokenLifetime'],
    ['a fractional tokenLifetime', { identifier: 'u', tokenLifetime: 1800.5 }, 'tokenLifetime'],
    ['a 14-digit card number', { identifier: 'u', cards: [{ number: '41111111111111' }] }, 'cards.0.number'],
    [
      'an expiry not in MM/YY',
      { identifier: 'u', cards: [{ number: '4111111111111111', expiry: '2030-09' }] },
      'cards.0.expiry',
    ],
    [
      'an unknown card brand',
      { identifier: 'u', cards: [{ number: '4111111111111111', brand: 'diners' }] },
      'cards.0.brand',
    ],
    [
      'a card with neither number nor paymentService',
      { identifier: 'u', cards: [{ title: 'x' }] },
      'cards.0.number',
    ],
    [
      'a routing number with a bad checksum',
      {
        identifier: 'u',
        accounts: [{ accountNumber: '1234', routingNumber: '123456789', type: 'checking' }],
      },
      'accounts.0.routingNumber',
    ],
    [
      'an unknown account type',
      {
        identifier: 'u',
        accounts: [{ accountNumber: '1234', routingNumber: '123123123', type: 'brokerage' }],
      },
      'accounts.0.type',
    ],
    ['a full state name', { identifier: 'u', identity: { state: 'Utah' } }, 'identity.state'],
    [
      'a formatted phone number',
      { identifier: 'u', identity: { phone: '(555) 888-1111' } },
      'identity.phone',
    ],
    ['an invalid email', { identifier: 'u', identity: { email: 'not-an-email' } }, 'identity.email'],
  ])('rejects %s with 422 naming the field', async (_label, body, path) => {
    const { request } = makeAtomic();
    const error = await expectError(await request('POST', '/access-token', { body }), 422, 42201);
    expect(error.errors?.map((e) => e.path)).toContain(path);
  });
});

describe('PUT /access-token/:publicToken/revoke', () => {
  it('revokes the token: {result: {success: true}}, then 401 (40104) for client calls', async () => {
    const { request, publicToken } = makeAtomic();
    const token = publicToken();
    const body = await expectOk(await request('PUT', `/access-token/${token}/revoke`), RevokeResponseSchema);
    expectDocumentedFields(body.result, ['success'], 'result');
    const error = await expectError(
      await request('GET', '/pay-link/accounts', { auth: { publicToken: token } }),
      401,
      40104,
    );
    expect(error.message).toMatch(/revoked/);
  });

  it('answers 200 again when the token is already revoked', async () => {
    const { request, publicToken } = makeAtomic();
    const token = publicToken();
    await request('PUT', `/access-token/${token}/revoke`);
    await expectOk(await request('PUT', `/access-token/${token}/revoke`), RevokeResponseSchema);
  });

  it('answers an unknown token with 404 (40402)', async () => {
    const { request } = makeAtomic();
    await expectError(await request('PUT', '/access-token/unknown-token/revoke'), 404, 40402);
  });
});

describe('isValidRoutingNumber', () => {
  it('accepts real ABA numbers and rejects near misses', () => {
    expect(['021000021', '110000000', '123123123'].every(isValidRoutingNumber)).toBe(true);
    expect(['021000022', '12312312', '12312312a'].some(isValidRoutingNumber)).toBe(false);
  });
});
