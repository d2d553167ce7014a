/**
 * Test helpers for the service: a scriptable stand-in for the two vendor APIs behind `fetch`
 * (documented shapes only, so failures can be switched on and off precisely), manual timers for
 * retry back-off, and independent webhook signing with node:crypto.
 */
import { createHmac } from 'node:crypto';
import type { FetchLike } from './clients/http';
import type { Timers } from './inbox-worker';
import type { AtomicOrder, AtelioTransaction } from './vendor-schemas';

export const CREDS = {
  atomic: {
    baseUrl: 'http://atomic.test',
    apiKey: 'key-1',
    apiSecret: 'secret-1',
    webhookSecret: 'atomic-hook-secret',
  },
  atelio: {
    baseUrl: 'http://atelio.test',
    identity: 'id-1',
    authorization: 'auth-1',
    webhookSecret: 'whsec_test',
  },
};

export class ManualTimers implements Timers {
  private next = 1;
  readonly pending = new Map<number, { callback: () => void; ms: number }>();
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { callback, ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  delays(): number[] {
    return [...this.pending.values()].map((t) => t.ms);
  }
  fireAll(): void {
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const t of due) t.callback();
  }
}

type Json = Record<string, unknown>;

/** The vendor APIs as the stitcher calls them, answering from maps the test fills in. */
export class FakeVendors {
  readonly accounts = new Map<string, Json>();
  readonly transactions = new Map<string, Json>();
  readonly cards = new Map<string, Json>();
  readonly calls: string[] = [];
  /** Network-level failure for every call (connection refused). */
  down = false;
  /** Answer the next n calls with this status (e.g. 429 with Retry-After, 503). */
  failNext: { count: number; status: number; retryAfter?: string } | null = null;

  readonly fetch: FetchLike = async (input, init) => {
    const url = new URL(input);
    this.calls.push(`${url.pathname}${url.search}`);
    if (this.down) throw new TypeError('fetch failed: connect ECONNREFUSED');
    if (this.failNext && this.failNext.count > 0) {
      this.failNext.count--;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (this.failNext.retryAfter) headers['retry-after'] = this.failNext.retryAfter;
      return new Response(JSON.stringify({ code: this.failNext.status * 100, message: 'injected' }), {
        status: this.failNext.status,
        headers,
      });
    }
    const headers = new Headers(init?.headers);
    if (url.host === 'atomic.test') {
      if (
        headers.get('x-api-key') !== CREDS.atomic.apiKey ||
        headers.get('x-api-secret') !== CREDS.atomic.apiSecret
      )
        return json(401, { code: 40101, message: 'Invalid API key or secret' });
      const m = /^\/pay-link\/accounts\/([^/]+)$/.exec(url.pathname);
      const account = m ? this.accounts.get(decodeURIComponent(m[1]!)) : undefined;
      return account
        ? json(200, { data: account })
        : json(404, { code: 40401, message: 'Account not found' });
    }
    if (
      headers.get('identity') !== CREDS.atelio.identity ||
      headers.get('authorization') !== CREDS.atelio.authorization
    )
      return json(403, { Message: 'Not authorized', Status: 403, Code: 'auth_err', Type: 'Request Error' });
    const txn = /^\/api\/v0\.1\/transactions\/([^/]+)$/.exec(url.pathname);
    if (txn) {
      const found = this.transactions.get(decodeURIComponent(txn[1]!));
      return found
        ? json(200, found)
        : json(404, {
            Message: 'No transaction',
            Status: 404,
            Code: 'transaction_dne',
            Type: 'Request Error',
          });
    }
    if (url.pathname === '/api/v0.1/transactions') {
      const customer = url.searchParams.get('customer_id');
      const all = [...this.transactions.values()].filter((t) => t.customer_id === customer);
      return json(200, { page: 1, pages: 1, count: all.length, next_page: null, transactions: all });
    }
    const card = /^\/api\/v0\.1\/cards\/([^/]+)$/.exec(url.pathname);
    if (card) {
      const found = this.cards.get(decodeURIComponent(card[1]!));
      return found
        ? json(200, found)
        : json(404, { Message: 'No card', Status: 404, Code: 'card_dne', Type: 'Request Error' });
    }
    return json(404, { Message: 'Not found', Status: 404, Code: 'not_found', Type: 'Request Error' });
  };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

export function signAtomicBody(body: string, secret = CREDS.atomic.webhookSecret): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

export function bondSignature(
  body: string,
  unixSeconds: number,
  secret = CREDS.atelio.webhookSecret,
): string {
  return `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`;
}

/** Polls (no sleeping) until the condition holds, yielding to the event loop between checks. */
export async function until(condition: () => boolean, what = 'condition', maxTurns = 10_000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Valid-by-default vendor objects for tests: each test overrides only the field it is about.
 * Shapes follow vendor-docs 000 (Atomic order) and 003 (Atelio transaction).
 */

export const USER = 'user-1';
export const CARD = { card_id: 'card-1', last_four: '2345' };

export type BatchOrder = AtomicOrder & { identifier: string };
export type BatchTransaction = AtelioTransaction & { customer_id: string };
type Details = NonNullable<AtelioTransaction['details']>;

export function anOrder(overrides: Partial<BatchOrder> = {}): BatchOrder {
  return {
    _id: 'order-1',
    identifier: USER,
    sourceId: '112-2968911-3747422',
    date: '2024-10-20T18:00:54.761Z',
    amount: 13.37,
    paymentMethod: { type: 'card', lastFour: '2345', brand: 'Mastercard' },
    products: [
      { description: 'AAA Alkaline Batteries', amount: 12.49, returnBy: '2024-12-19T23:59:59.000Z' },
    ],
    ...overrides,
  };
}

export function aTransaction(
  overrides: Omit<Partial<BatchTransaction>, 'details'> & { details?: Partial<Details> } = {},
): BatchTransaction {
  const { details, ...rest } = overrides;
  return {
    transaction_id: 'txn-1',
    customer_id: USER,
    payment_type: 'card',
    transaction_type: 'POS Purchase',
    state: 'completed',
    amount: '-13.37',
    currency: 'USD',
    created_time: '2024-10-21T09:12:00+00:00',
    updated_time: '2024-10-21T09:12:00+00:00',
    description: 'POS Purchase',
    ...rest,
    details: {
      card_id: CARD.card_id,
      merchant_name: 'AMZN Mktp US*2K4L71',
      statement_descriptor: 'AMZN Mktp US*2K4L71 Amzn.com/billWA',
      merchant_amount: '-13.37',
      ...details,
    },
  };
}

/** `2024-10-20` + n days at a given UTC time, as Atelio writes it. */
export function dayAfterOrder(days: number, time = '09:12:00'): string {
  const base = Date.UTC(2024, 9, 20) + days * 86_400_000;
  return `${new Date(base).toISOString().slice(0, 10)}T${time}+00:00`;
}
