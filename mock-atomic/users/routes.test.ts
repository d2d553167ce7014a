import { describe, expect, it } from 'vitest';
import { SuccessSchema } from '../shared/schemas';
import { expectDocumentedFields, expectError, expectOk, makeAtomic } from '../testing';

describe('PUT /user', () => {
  it('upserts cards, accounts and identity into an existing user and answers {success: true}', async () => {
    const { request, store } = makeAtomic();
    const body = await expectOk(
      await request('PUT', '/user', {
        body: {
          identifier: 'demo-user',
          data: {
            cards: [{ number: '5555555555554444', expiry: '01/31', brand: 'mastercard', title: 'New card' }],
            accounts: [{ accountNumber: '9876543210', routingNumber: '021000021', type: 'savings' }],
            identity: { city: 'Provo' },
          },
        },
      }),
      SuccessSchema,
    );
    expectDocumentedFields(body, ['success']);
    const user = store.findUser('demo-user')!;
    expect(user.cards.map((c) => c.lastFour)).toContain('4444');
    expect(user.bankAccounts).toContainEqual({
      lastFour: '3210',
      routingNumber: '021000021',
      type: 'savings',
    });
    expect(user.identity?.['city']).toBe('Provo');
    expect(user.identity?.['firstName']).toBeTruthy();
  });

  it('replaces a card with the same last four instead of adding a second one', async () => {
    const { request, store } = makeAtomic();
    const put = (title: string) =>
      request('PUT', '/user', {
        body: { identifier: 'demo-user', data: { cards: [{ number: '4000000000009999', title }] } },
      });
    await put('first');
    await put('second');
    const matching = store.findUser('demo-user')!.cards.filter((c) => c.lastFour === '9999');
    expect(matching).toEqual([{ viaPaymentService: false, lastFour: '9999', title: 'second' }]);
  });

  it('answers an unknown user with 404', async () => {
    const { request } = makeAtomic();
    await expectError(
      await request('PUT', '/user', { body: { identifier: 'nobody', data: { identity: { city: 'X' } } } }),
      404,
      40402,
    );
  });

  it.each([
    ['no identifier', { data: { identity: { city: 'X' } } }, 'identifier'],
    ['an empty data object', { identifier: 'demo-user', data: {} }, 'data'],
    [
      'an invalid card number',
      { identifier: 'demo-user', data: { cards: [{ number: '12' }] } },
      'data.cards.0.number',
    ],
  ])('rejects %s with 422', async (_label, body, path) => {
    const { request } = makeAtomic();
    const error = await expectError(await request('PUT', '/user', { body }), 422, 42201);
    expect(error.errors?.map((e) => e.path)).toContain(path);
  });
});

describe('PUT /user/:identifier/end-monitoring', () => {
  it('answers {success: true} and stops refreshes of the user accounts', async () => {
    const { request, store, baseline } = makeAtomic();
    expectDocumentedFields(
      await expectOk(await request('PUT', '/user/demo-user/end-monitoring'), SuccessSchema),
      ['success'],
    );
    expect(store.findUser('demo-user')?.monitoring).toBe(false);
    expect(() => store.refreshAccount(baseline.amazonAccountId!)).toThrow(/monitoring has ended/);
  });

  it('answers an unknown user with 404', async () => {
    const { request } = makeAtomic();
    await expectError(await request('PUT', '/user/nobody/end-monitoring'), 404, 40402);
  });
});
