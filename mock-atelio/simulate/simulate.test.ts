import { describe, expect, it } from 'vitest';
import { emptyBank, envelope, validAuthorization, JSON_AUTH } from '../testing';
import { TransactionSchema, type CardDetails, type Transaction } from '../transactions/schema';

const AUTHORIZE = '/api/v0.1/simulate/authorization';
const SETTLE = '/api/v0.1/simulate/settlement';

async function authorized(amount = '35.93') {
  const h = emptyBank('1000.00');
  const res = await h.send(AUTHORIZE, validAuthorization('card-1', { amount }));
  expect(res.status).toBe(201);
  return { ...h, tx: TransactionSchema.parse(res.body) };
}

describe('POST /simulate/authorization', () => {
  it('creates a pending card POS Purchase from the documented fields', async () => {
    const { tx, store } = await authorized();
    expect(tx).toMatchObject({
      payment_type: 'card',
      transaction_type: 'POS Purchase',
      description: 'POS Purchase',
      state: 'pending',
      amount: '-35.93',
      customer_id: 'cust-1',
      account_id: 'acct-1',
      created_time: '2024-06-14T19:42:00.000000+00:00',
      balances: { prior_balance: '1000.00', new_balance: '964.07' },
      details: {
        card_id: 'card-1',
        merchant_name: 'Paypal *Sephora Usa',
        merchant_city: 'San Francisco',
        merchant_state: 'CA',
        merchant_postal_code: '94105',
        mcc: '5977',
        mcc_description: 'Cosmetic Stores',
        merchant_id: '7922',
        merchant_amount: '-35.93',
        currency: 'USD',
      },
    });
    expect(store.getTransaction(tx.transaction_id)).toEqual(tx);
  });

  it('never dates updated_time before created_time, even for a transaction_datetime ahead of the clock', async () => {
    const h = emptyBank();
    // The harness clock reads 2024-06-15 12:00; the point of sale is two days later.
    const res = await h.send(
      AUTHORIZE,
      validAuthorization('card-1', { transaction_datetime: '2024-06-17 09:30' }),
    );
    expect(res.status).toBe(201);
    const tx = TransactionSchema.parse(res.body);
    expect(tx.created_time).toBe('2024-06-17T09:30:00.000000+00:00');
    expect(tx.updated_time).toBe(tx.created_time);
    // Settling now (still before the point of sale by the clock) moves updated_time on, never back.
    const settled = await h.send(SETTLE, { transaction_id: tx.transaction_id, amount: '10.00' });
    const after = TransactionSchema.parse(settled.body);
    expect(after.updated_time > tx.updated_time).toBe(true);
  });

  it('accepts a nine-digit US zip code and a non-US region with a free-form postal code', async () => {
    const h = emptyBank();
    expect(
      (await h.send(AUTHORIZE, validAuthorization('card-1', { merchant_zip_code: '98109-1234' }))).status,
    ).toBe(201);
    const abroad = validAuthorization('card-1', { merchant_state: 'Ontario', merchant_zip_code: 'M5V 2T6' });
    expect((await h.send(AUTHORIZE, abroad)).status).toBe(201);
  });

  it('gives a declined transaction (not an error) when the card is not active', async () => {
    const h = emptyBank();
    h.store.setCardStatus('card-1', 'inactive');
    const res = await h.send(AUTHORIZE, validAuthorization('card-1'));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ state: 'declined', balances: { new_balance: '1000.00' } });
  });

  it('answers 404 card_dne for an unknown card', async () => {
    const res = await emptyBank().send(AUTHORIZE, validAuthorization('no-such-card'));
    expect(res.status).toBe(404);
    expect(envelope(res.body).Code).toBe('card_dne');
  });

  it.each([
    ['amount', '35.9'],
    ['amount', 35.93],
    ['amount', '0.00'],
    ['amount', '-1.00'],
    ['amount', '1,000.00'],
    ['transaction_datetime', '2024-06-14T19:42'],
    ['transaction_datetime', '2024-06-14 19:42:00'],
    ['transaction_datetime', '2024-02-30 10:00'],
    ['transaction_datetime', '2024-06-14 24:00'],
    ['currency', 'EUR'],
    ['merchant_name', ''],
    ['merchant_city', 'NY'],
    ['merchant_city', 'A city name far too long'],
    ['merchant_state', 'ZZ'],
    ['merchant_state', 'C4'],
    ['merchant_zip_code', '9410'],
    ['merchant_zip_code', 'ABCDE'],
    ['mcc', '597'],
    ['mcc', '59770'],
    ['mcc', 'abcd'],
    ['mid', '12'],
    ['mid', 'MID1234'],
    ['card_id', 42],
  ])('rejects %s = %j with 400 invalid_request naming the field', async (field, value) => {
    const res = await emptyBank().send(AUTHORIZE, validAuthorization('card-1', { [field]: value }));
    expect(res.status).toBe(400);
    const body = envelope(res.body);
    expect(body.Code).toBe('invalid_request');
    expect(body.Message).toContain(field);
  });

  it.each([
    'card_id',
    'amount',
    'transaction_datetime',
    'currency',
    'merchant_name',
    'merchant_city',
    'merchant_state',
    'merchant_zip_code',
    'mcc',
    'mid',
  ])('rejects a body without %s', async (field) => {
    const body: Record<string, unknown> = validAuthorization('card-1');
    delete body[field];
    const res = await emptyBank().send(AUTHORIZE, body);
    expect(res.status).toBe(400);
    expect(envelope(res.body).Message).toContain(field);
  });

  it('rejects malformed JSON and a non-JSON content type in the envelope', async () => {
    const h = emptyBank();
    const malformed = await h.app.request(AUTHORIZE, {
      method: 'POST',
      headers: JSON_AUTH,
      body: '{"card_id": ',
    });
    expect(malformed.status).toBe(400);
    expect(envelope(await malformed.json()).Code).toBe('invalid_request');
    const text = await h.app.request(AUTHORIZE, {
      method: 'POST',
      headers: { ...JSON_AUTH, 'content-type': 'text/plain' },
      body: JSON.stringify(validAuthorization('card-1')),
    });
    expect(text.status).toBe(400);
    expect(envelope(await text.json()).Message).toContain('application/json');
  });

  it('answers 403 without credentials, before looking at the body', async () => {
    const res = await emptyBank().app.request(AUTHORIZE, { method: 'POST', body: '{' });
    expect(res.status).toBe(403);
  });
});

describe('POST /simulate/settlement', () => {
  it('walks the vendor-docs 003 multi-settlement: pending 35.93 → completed 30.49 → completed 35.93', async () => {
    const { tx, send, clock } = await authorized('35.93');
    clock.reset(clock.now() + 3_600_000);
    const first = await send(SETTLE, { transaction_id: tx.transaction_id, amount: '30.49' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      transaction_id: tx.transaction_id,
      state: 'completed',
      amount: '-30.49',
      details: { merchant_amount: '-35.93', settlements: [{ amount: '-30.49' }] },
    });
    clock.reset(clock.now() + 86_400_000);
    const second = await send(SETTLE, { transaction_id: tx.transaction_id, amount: '5.44' });
    expect(second.status).toBe(200);
    const done = TransactionSchema.parse(second.body);
    expect(done).toMatchObject({ transaction_id: tx.transaction_id, state: 'completed', amount: '-35.93' });
    expect((done.details as CardDetails).settlements?.map((s) => s.amount)).toEqual(['-30.49', '-5.44']);
    expect((done.details as CardDetails).merchant_amount).toBe('-35.93');
    expect(done.created_time).toBe(tx.created_time);
  });

  it('settles the whole amount when none is given', async () => {
    const { tx, send } = await authorized('12.34');
    const res = await send(SETTLE, { transaction_id: tx.transaction_id });
    expect(res.body).toMatchObject({
      state: 'completed',
      amount: '-12.34',
      details: { settlements: [{ amount: '-12.34' }] },
    });
  });

  it('rejects over-settlement with 400 invalid_amount and leaves the transaction as it was', async () => {
    const { tx, send, get } = await authorized('35.93');
    await send(SETTLE, { transaction_id: tx.transaction_id, amount: '30.49' });
    const res = await send(SETTLE, { transaction_id: tx.transaction_id, amount: '5.45' });
    expect(res.status).toBe(400);
    expect(envelope(res.body)).toMatchObject({ Status: 400, Code: 'invalid_amount', Type: 'Request Error' });
    expect(((await get(`/api/v0.1/transactions/${tx.transaction_id}`)).body as Transaction).amount).toBe(
      '-30.49',
    );
  });

  it('rejects settling more than authorised in one go', async () => {
    const { tx, send } = await authorized('10.00');
    const res = await send(SETTLE, { transaction_id: tx.transaction_id, amount: '10.01' });
    expect(res.status).toBe(400);
    expect(envelope(res.body).Code).toBe('invalid_amount');
  });

  it.each(['declined', 'cancelled'] as const)('rejects settling a %s transaction with 400', async (state) => {
    const { tx, send, store } = await authorized('10.00');
    if (state === 'declined') store.declineTransaction(tx.transaction_id);
    else store.cancelTransaction(tx.transaction_id);
    const res = await send(SETTLE, { transaction_id: tx.transaction_id, amount: '1.00' });
    expect(res.status).toBe(400);
    expect(envelope(res.body)).toMatchObject({ Code: 'resource_conflict' });
    expect(envelope(res.body).Message).toContain(state);
  });

  it('rejects settling a transaction that was declined at authorisation', async () => {
    const h = emptyBank('1.00');
    const declined = await h.send(AUTHORIZE, validAuthorization('card-1', { amount: '5.00' }));
    expect(declined.body).toMatchObject({ state: 'declined' });
    const res = await h.send(SETTLE, { transaction_id: (declined.body as Transaction).transaction_id });
    expect(res.status).toBe(400);
  });

  it('answers 404 transaction_dne for an unknown transaction and 400 for a bad amount', async () => {
    const { tx, send } = await authorized();
    expect(envelope((await send(SETTLE, { transaction_id: 'nope' })).body).Code).toBe('transaction_dne');
    const bad = await send(SETTLE, { transaction_id: tx.transaction_id, amount: '5' });
    expect(bad.status).toBe(400);
    expect(envelope(bad.body).Message).toContain('amount');
    expect((await send(SETTLE, {})).status).toBe(400);
  });

  it('is also served as /simulate/settle, and under the legacy /api/v0', async () => {
    const { tx, send } = await authorized('20.00');
    expect(
      (await send('/api/v0.1/simulate/settle', { transaction_id: tx.transaction_id, amount: '5.00' })).status,
    ).toBe(200);
    const res = await send('/api/v0/simulate/settlement', { transaction_id: tx.transaction_id });
    expect(res.body).toMatchObject({
      amount: '-20.00',
      details: { settlements: [{ amount: '-5.00' }, { amount: '-15.00' }] },
    });
  });
});
