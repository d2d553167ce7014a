import { describe, expect, it } from 'vitest';
import { emptyBank, envelope, harness } from '../testing';
import { CustomerPageSchema, CustomerSchema } from './schema';

describe('GET /customers', () => {
  it('lists the seeded customers in the page envelope', async () => {
    const res = await harness().get('/api/v0.1/customers');
    expect(res.status).toBe(200);
    const body = CustomerPageSchema.strict().parse(res.body);
    expect(body).toMatchObject({ page: 1, pages: 1, next_page: null });
    expect(body.count).toBe(body.customers.length);
    expect(body.count).toBeGreaterThanOrEqual(3);
  });

  it('pages with the allowed counts and rejects others', async () => {
    const h = harness();
    const first = CustomerPageSchema.parse((await h.get('/api/v0.1/customers?count=1&page=2')).body);
    expect(first).toMatchObject({ page: 2, count: 1, next_page: 3 });
    const bad = await h.get('/api/v0.1/customers?count=7');
    expect(bad.status).toBe(400);
    expect(envelope(bad.body).Code).toBe('invalid_request');
  });

  it('answers 403 without credentials', async () => {
    const res = await harness().app.request('/api/v0.1/customers');
    expect(res.status).toBe(403);
    expect(envelope(await res.json()).Code).toBe('auth_err');
  });
});

describe('GET /customers/{customer_id}', () => {
  it('returns a customer created with a caller-chosen id', async () => {
    const h = emptyBank();
    h.store.createCustomer({ customerId: 'atomic-user-7', firstName: 'Ada', lastName: 'Lovelace' });
    const res = await h.get('/api/v0.1/customers/atomic-user-7');
    expect(res.status).toBe(200);
    const customer = CustomerSchema.strict().parse(res.body);
    expect(customer).toMatchObject({
      customer_id: 'atomic-user-7',
      first_name: 'Ada',
      last_name: 'Lovelace',
    });
    expect(customer.addresses[0]).toMatchObject({ country: 'US', is_primary: true });
  });

  it('serves an identifier with spaces, slashes and non-ASCII text when URL-encoded', async () => {
    const h = emptyBank();
    const id = 'user/42 Zoë@example.com';
    h.store.createCustomer({ customerId: id });
    const res = await h.get(`/api/v0.1/customers/${encodeURIComponent(id)}`);
    expect(res.status).toBe(200);
    expect(CustomerSchema.parse(res.body).customer_id).toBe(id);
    const txs = await h.get(`/api/v0.1/transactions?customer_id=${encodeURIComponent(id)}`);
    expect(txs.status).toBe(200);
  });

  it('refuses a chosen id with control characters', () => {
    expect(() => emptyBank().store.createCustomer({ customerId: 'bad\nid' })).toThrow(/control characters/);
  });

  it('answers 404 customer_dne for an unknown id', async () => {
    const res = await emptyBank().get('/api/v0.1/customers/nobody');
    expect(res.status).toBe(404);
    expect(envelope(res.body)).toMatchObject({
      Code: 'customer_dne',
      Message: 'Customer nobody does not exist.',
    });
  });

  it('answers 400 for an id longer than 256 characters', async () => {
    const res = await emptyBank().get(`/api/v0.1/customers/${'x'.repeat(257)}`);
    expect(res.status).toBe(400);
    expect(envelope(res.body).Code).toBe('invalid_request');
  });
});
