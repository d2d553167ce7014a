import { VirtualClock } from '../core/clock';
import type { FaultInjector } from '../core/faults';
import type { RequestJournal } from '../core/journal';
import { AtelioErrorBodySchema, type AtelioErrorBody } from './shared/errors';
import { createAtelioMock, type AtelioMock } from './mock';
import type { AtelioStore } from './store/store';
import type { Card } from './cards/schema';
import type { SimulateAuthorization } from './simulate/schema';

/**
 * Builders for the mock's tests: a store on a virtual clock, the app on top of it, and valid
 * request bodies that each test breaks in one place.
 */

export const NOW = Date.parse('2024-06-15T12:00:00.000Z');

export const AUTH = { Identity: 'test-identity', Authorization: 'test-authorization' } as const;
export const JSON_AUTH = { ...AUTH, 'content-type': 'application/json' } as const;

export interface Harness {
  clock: VirtualClock;
  store: AtelioStore;
  app: AtelioMock['app'];
  /** GET with valid credentials; returns status and parsed body. */
  get(path: string): Promise<{ status: number; body: unknown }>;
  /** A JSON request (POST by default) with valid credentials. */
  send(path: string, body: unknown, method?: string): Promise<{ status: number; body: unknown }>;
}

export function harness(
  options: {
    baseline?: boolean;
    seed?: number;
    journal?: RequestJournal;
    faults?: FaultInjector;
    bodyLimitBytes?: number;
  } = {},
): Harness {
  const clock = new VirtualClock(NOW);
  const { store, app } = createAtelioMock({
    seed: options.seed ?? 7,
    clock,
    ...(options.baseline === false && { baseline: false as const }),
    ...(options.journal && { journal: options.journal }),
    ...(options.faults && { faults: options.faults }),
    ...(options.bodyLimitBytes !== undefined && { bodyLimitBytes: options.bodyLimitBytes }),
  });
  const read = async (response: Response) => {
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  };
  return {
    clock,
    store,
    app,
    get: async (path) => read(await app.request(path, { headers: AUTH })),
    send: async (path, body, method = 'POST') =>
      read(await app.request(path, { method, headers: JSON_AUTH, body: JSON.stringify(body) })),
  };
}

/** An empty bank with one funded customer and card, for tests that count exactly what they create. */
export function emptyBank(openingBalance = '1000.00'): Harness & { card: Card } {
  const h = harness({ baseline: false });
  const { card } = h.store.createCustomerWithCard({
    customerId: 'cust-1',
    accountId: 'acct-1',
    cardId: 'card-1',
    lastFour: '4242',
    openingBalance,
  });
  return { ...h, card };
}

export function validAuthorization(
  cardId: string,
  overrides: Partial<Record<keyof SimulateAuthorization, unknown>> = {},
) {
  return {
    card_id: cardId,
    amount: '35.93',
    transaction_datetime: '2024-06-14 19:42',
    currency: 'USD',
    merchant_name: 'Paypal *Sephora Usa',
    merchant_city: 'San Francisco',
    merchant_state: 'CA',
    merchant_zip_code: '94105',
    mcc: '5977',
    mid: '7922',
    ...overrides,
  };
}

/** Asserts the body is Atelio's error envelope and returns it typed. */
export function envelope(body: unknown): AtelioErrorBody {
  return AtelioErrorBodySchema.strict().parse(body);
}
