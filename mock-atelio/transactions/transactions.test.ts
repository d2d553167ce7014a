import { describe, expect, it } from 'vitest';
import { emptyBank, envelope, harness, AUTH, type Harness } from '../testing';
import { parseTimestamp } from '../shared/time';
import {
  RdcDetailsSchema,
  TransactionPageSchema,
  TransactionSchema,
  type CardDetails,
  type Transaction,
} from './schema';

/**
 * Field lists transcribed from vendor-docs 003 (Atelio Transactions): the keys of its four example
 * payloads. "always" keys appear in every example of that kind; "documented" is their union.
 */
const DOC = {
  top: {
    always: [
      'transaction_id',
      'bond_brand_id',
      'customer_id',
      'account_id',
      'payment_type',
      'transaction_type',
      'state',
      'amount',
      'currency',
      'created_time',
      'updated_time',
      'details',
    ],
    documented: [
      'transaction_id',
      'bond_brand_id',
      'customer_id',
      'account_id',
      'payment_type',
      'transaction_type',
      'previous_transaction_id',
      'state',
      'description',
      'amount',
      'currency',
      'created_time',
      'updated_time',
      'balances',
      'details',
    ],
  },
  card: {
    always: [
      'mcc',
      'mcc_description',
      'currency',
      'exchange_rate',
      'merchant_id',
      'merchant_name',
      'merchant_city',
      'merchant_currency',
      'merchant_amount',
      'cardholder_presence',
      'statement_descriptor',
    ],
    documented: [
      'card_id',
      'mcc',
      'mcc_description',
      'currency',
      'exchange_rate',
      'merchant_id',
      'merchant_name',
      'merchant_city',
      'merchant_state',
      'merchant_country',
      'merchant_postal_code',
      'merchant_currency',
      'merchant_amount',
      'cardholder_presence',
      'statement_descriptor',
      'arn',
      'fraud_rule_triggered',
      'products',
      'settlements',
    ],
  },
  ach: {
    always: ['external_account_id', 'class_code', 'direction', 'network', 'description'],
    documented: [
      'card_id',
      'external_account_id',
      'class_code',
      'direction',
      'network',
      'description',
      'failure_reason',
      'return_code',
      'products',
    ],
  },
  balances: ['prior_balance', 'new_balance'],
  settlement: ['settlement_date', 'amount'],
  states: ['start', 'pending', 'completed', 'declined', 'cancelled', 'returned'],
  paymentTypes: ['card', 'ach', 'rdc', 'account'],
} as const;

const list = async (h: Harness, query = '') => {
  const res = await h.get(`/api/v0.1/transactions${query}`);
  expect(res.status).toBe(200);
  return TransactionPageSchema.parse(res.body);
};

function expectFields(object: object, fields: { always: readonly string[]; documented: readonly string[] }) {
  const keys = Object.keys(object);
  expect(keys.filter((k) => !fields.documented.includes(k))).toEqual([]);
  expect(fields.always.filter((k) => !keys.includes(k))).toEqual([]);
}

/** Five card purchases on known days, oldest first. */
function datedBank() {
  const h = emptyBank();
  const days = [
    '2024-06-01 00:00',
    '2024-06-01 23:59',
    '2024-06-02 12:00',
    '2024-06-03 00:00',
    '2024-06-04 08:30',
  ];
  const ids = days.map(
    (when, i) =>
      h.store.authorizeCardPurchase({
        cardId: 'card-1',
        amount: `${i + 1}.00`,
        merchantName: `SHOP ${i}`,
        transactionDatetime: when,
      }).transaction_id,
  );
  return { ...h, ids };
}

describe('GET /transactions', () => {
  it('answers one page in the {page, pages, count, next_page, transactions} envelope, newest first', async () => {
    const h = harness();
    const body = await list(h);
    expect(Object.keys(body)).toEqual(['page', 'pages', 'count', 'next_page', 'transactions']);
    expect(body).toMatchObject({ page: 1, count: 20, next_page: 2 });
    const times = body.transactions.map((t) => parseTimestamp(t.created_time));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('answers 403 in the Atelio envelope without credentials', async () => {
    const res = await harness().app.request('/api/v0.1/transactions');
    expect(res.status).toBe(403);
    expect(envelope(await res.json())).toMatchObject({
      Status: 403,
      Code: 'auth_err',
      Type: 'Request Error',
    });
  });

  it.each([
    ['count=3', 'count'],
    ['count=0', 'count'],
    ['count=20.0', 'count'],
    ['count=1&count=2', 'count'],
    ['page=0', 'page'],
    ['page=-1', 'page'],
    ['page=abc', 'page'],
    ['payment_type=check', 'payment_type'],
    ['order_by=newest', 'order_by'],
    ['transaction_state=Pending', 'transaction_state'],
    ['start_date=2024-6-1', 'start_date'],
    ['end_date=2024-02-30', 'end_date'],
    ['start_date=2024-06-03&end_date=2024-06-01', 'start_date'],
  ])('rejects %s with 400 invalid_request naming %s', async (query, field) => {
    const res = await harness({ baseline: false }).get(`/api/v0.1/transactions?${query}`);
    expect(res.status).toBe(400);
    const body = envelope(res.body);
    expect(body).toMatchObject({ Status: 400, Code: 'invalid_request', Type: 'Request Error' });
    expect(body.Message).toContain(field);
  });

  it.each([1, 2, 5, 10, 20, 50, 100, 1000, 5000, 10000])('accepts count=%i', async (count) => {
    const body = await list(harness(), `?count=${count}`);
    expect(body.count).toBe(Math.min(count, body.transactions.length));
    expect(body.transactions.length).toBeLessThanOrEqual(count);
  });

  it('answers 404 customer_dne / account_dne for unknown filter ids', async () => {
    const h = harness({ baseline: false });
    expect(envelope((await h.get('/api/v0.1/transactions?customer_id=nope')).body).Code).toBe('customer_dne');
    expect(envelope((await h.get('/api/v0.1/transactions?account_id=nope')).body).Code).toBe('account_dne');
  });

  describe('pagination', () => {
    it('gives the last page with next_page null and the remaining items', async () => {
      const h = datedBank();
      const last = await list(h, '?count=2&page=3');
      expect(last).toMatchObject({ page: 3, pages: 3, count: 1, next_page: null });
      expect(last.transactions).toHaveLength(1);
    });

    it('gives an empty page past the end, with next_page null', async () => {
      const body = await list(datedBank(), '?count=2&page=4');
      expect(body).toEqual({ page: 4, pages: 3, count: 0, next_page: null, transactions: [] });
    });

    it('gives one empty page when nothing matches', async () => {
      const body = await list(harness({ baseline: false }));
      expect(body).toEqual({ page: 1, pages: 1, count: 0, next_page: null, transactions: [] });
    });

    it('returns every transaction exactly once when a client follows next_page', async () => {
      const h = harness();
      const total = (await list(h, '?count=10000')).transactions.map((t) => t.transaction_id);
      const seen: string[] = [];
      let page: number | null = 1;
      while (page !== null) {
        const body: Awaited<ReturnType<typeof list>> = await list(h, `?count=50&page=${page}`);
        seen.push(...body.transactions.map((t) => t.transaction_id));
        page = body.next_page;
      }
      expect(seen).toEqual(total);
    });
  });

  describe('filters', () => {
    it('includes both bounds of the date range (whole UTC days)', async () => {
      const h = datedBank();
      const range = await list(h, '?start_date=2024-06-01&end_date=2024-06-02&order_by=asc');
      expect(range.transactions.map((t) => t.transaction_id)).toEqual(h.ids.slice(0, 3));
      const oneDay = await list(h, '?start_date=2024-06-03&end_date=2024-06-03');
      expect(oneDay.transactions.map((t) => t.transaction_id)).toEqual([h.ids[3]]);
      const from = await list(h, '?start_date=2024-06-03&order_by=asc');
      expect(from.transactions.map((t) => t.transaction_id)).toEqual(h.ids.slice(3));
      const until = await list(h, '?end_date=2024-06-01&order_by=asc');
      expect(until.transactions.map((t) => t.transaction_id)).toEqual(h.ids.slice(0, 2));
    });

    it('orders ascending or descending by created_time', async () => {
      const h = datedBank();
      expect((await list(h, '?order_by=asc')).transactions.map((t) => t.transaction_id)).toEqual(h.ids);
      expect((await list(h, '?order_by=desc')).transactions.map((t) => t.transaction_id)).toEqual(
        [...h.ids].reverse(),
      );
    });

    it('filters by customer, account, payment type and state', async () => {
      const h = harness();
      const [first] = h.store.listCustomers().items;
      const byCustomer = await list(h, `?customer_id=${first!.customer_id}&count=10000`);
      expect(byCustomer.transactions.length).toBeGreaterThan(0);
      expect(byCustomer.transactions.every((t) => t.customer_id === first!.customer_id)).toBe(true);
      const accountId = byCustomer.transactions[0]!.account_id;
      const byAccount = await list(h, `?account_id=${accountId}&count=10000`);
      expect(byAccount.transactions.every((t) => t.account_id === accountId)).toBe(true);
      for (const type of ['card', 'ach', 'rdc', 'account']) {
        const body = await list(h, `?payment_type=${type}&count=10000`);
        expect(body.count).toBeGreaterThan(0);
        expect(body.transactions.every((t) => t.payment_type === type)).toBe(true);
      }
      const pending = await list(h, '?transaction_state=pending&count=10000');
      expect(pending.count).toBeGreaterThan(0);
      expect(pending.transactions.every((t) => t.state === 'pending')).toBe(true);
    });

    it('filters check deposits (payment_type=rdc) and transactions in start (transaction_state=start)', async () => {
      const h = emptyBank();
      const scanned = h.store.depositCheck({ accountId: 'acct-1', amount: '120.00', checkNumber: '1042' });
      const cleared = h.store.depositCheck({ accountId: 'acct-1', amount: '80.00', state: 'completed' });
      const achStart = h.store.createAchTransfer({
        accountId: 'acct-1',
        direction: 'debit',
        amount: '10.00',
        state: 'start',
      });
      h.store.authorizeCardPurchase({ cardId: 'card-1', amount: '5.00', merchantName: 'SHOP' });
      const ids = (body: { transactions: Transaction[] }) => body.transactions.map((t) => t.transaction_id);
      expect(ids(await list(h, '?payment_type=rdc&order_by=asc'))).toEqual([
        scanned.transaction_id,
        cleared.transaction_id,
      ]);
      expect(ids(await list(h, '?transaction_state=start&order_by=asc'))).toEqual([
        scanned.transaction_id,
        achStart.transaction_id,
      ]);
      expect(ids(await list(h, '?payment_type=rdc&transaction_state=start'))).toEqual([
        scanned.transaction_id,
      ]);
      expect(scanned).toMatchObject({
        payment_type: 'rdc',
        transaction_type: 'deposit',
        state: 'start',
        amount: '120.00',
        // A check in start holds nothing yet: neither balance moves.
        balances: { prior_balance: '1000.00', new_balance: '1000.00' },
        details: { check_number: '1042', deposit_channel: 'mobile', direction: 'credit' },
      });
    });

    it('walks a check deposit start → pending → completed, moving the balances at each step', async () => {
      const h = emptyBank();
      const { transaction_id: id } = h.store.depositCheck({ accountId: 'acct-1', amount: '120.00' });
      expect(() => h.store.completeTransaction(id)).toThrow(/start → pending first/);
      h.clock.advance(60_000);
      expect(h.store.processTransaction(id)).toMatchObject({
        state: 'pending',
        balances: { prior_balance: '1000.00', new_balance: '1120.00' },
      });
      h.clock.advance(86_400_000);
      expect(h.store.completeTransaction(id)).toMatchObject({
        state: 'completed',
        balances: { prior_balance: '1120.00', new_balance: '1120.00' },
      });
      expect(() => h.store.processTransaction(id)).toThrow(/cannot be processed/);
    });

    it('never returns a failed transaction, even when asked for failed ones', async () => {
      const h = harness();
      expect(h.store.exportState().transactions.some((t) => t.state === 'failed')).toBe(true);
      expect((await list(h, '?transaction_state=failed')).transactions).toEqual([]);
      const all = await list(h, '?count=10000');
      expect(all.transactions.every((t) => t.state !== ('failed' as string))).toBe(true);
      const failedId = h.store.exportState().transactions.find((t) => t.state === 'failed')!.wire
        .transaction_id;
      expect((await h.get(`/api/v0.1/transactions/${failedId}`)).status).toBe(404);
    });
  });

  describe('response fields against vendor-docs 003', () => {
    it('sends only documented fields, with every field the vendor always sends', async () => {
      const all = (await list(harness(), '?count=10000')).transactions;
      for (const t of all) {
        expectFields(t, DOC.top);
        expect(Object.keys(t.balances).sort()).toEqual([...DOC.balances].sort());
        expect(DOC.states).toContain(t.state);
        expect(DOC.paymentTypes).toContain(t.payment_type);
        expect(t.amount).toMatch(/^-?\d+\.\d{2}$/);
        expect(Number.isNaN(parseTimestamp(t.created_time))).toBe(false);
        expect(Number.isNaN(parseTimestamp(t.updated_time))).toBe(false);
        if (t.payment_type === 'card') expectFields(t.details, DOC.card);
        if (t.payment_type === 'ach') expectFields(t.details, DOC.ach);
        if (t.payment_type === 'rdc') expect(() => RdcDetailsSchema.strict().parse(t.details)).not.toThrow();
      }
    });

    it('shapes settlements as {settlement_date, amount} like the multi-settlement example', async () => {
      const all = (await list(harness(), '?payment_type=card&transaction_state=completed&count=10000'))
        .transactions;
      const settled = all.map((t) => t.details as CardDetails).filter((d) => d.settlements);
      expect(settled.length).toBeGreaterThan(10);
      for (const details of settled) {
        for (const s of details.settlements!) {
          expect(Object.keys(s)).toEqual(DOC.settlement);
          expect(s.settlement_date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00$/);
        }
      }
    });

    it('parses every transaction with the Transaction schema (the webhook body source)', async () => {
      const all = (await list(harness(), '?count=10000')).transactions;
      for (const t of all) expect(() => TransactionSchema.parse(t)).not.toThrow();
    });
  });
});

describe('GET /transactions/{transaction_id}', () => {
  it('returns the bare transaction object', async () => {
    const h = emptyBank();
    const tx = h.store.authorizeCardPurchase({
      cardId: 'card-1',
      amount: '9.99',
      merchantName: 'AMZN Mktp US*2K4L71',
    });
    const res = await h.get(`/api/v0.1/transactions/${tx.transaction_id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(tx);
    expect((res.body as Transaction).details).toMatchObject({ merchant_name: 'AMZN Mktp US*2K4L71' });
  });

  it('answers the same on the legacy /api/v0 path', async () => {
    const h = datedBank();
    const current = await h.get(`/api/v0.1/transactions/${h.ids[0]}`);
    const legacy = await h.get(`/api/v0/transactions/${h.ids[0]}`);
    expect(legacy).toEqual(current);
    expect((await h.get('/api/v0/transactions?count=2')).body).toEqual(
      (await h.get('/api/v0.1/transactions?count=2')).body,
    );
  });

  it('answers 404 transaction_dne for an unknown id', async () => {
    const res = await harness({ baseline: false }).get(
      '/api/v0.1/transactions/0b5c9a8e-0000-4000-8000-000000000000',
    );
    expect(res.status).toBe(404);
    expect(envelope(res.body)).toEqual({
      Message: 'Transaction 0b5c9a8e-0000-4000-8000-000000000000 does not exist.',
      Status: 404,
      Code: 'transaction_dne',
      Type: 'Request Error',
    });
  });

  it('answers 403 with a wrong Authorization header', async () => {
    const h = datedBank();
    const res = await h.app.request(`/api/v0.1/transactions/${h.ids[0]}`, {
      headers: { ...AUTH, Authorization: 'nope' },
    });
    expect(res.status).toBe(403);
    expect(envelope(await res.json()).Code).toBe('auth_err');
  });
});
