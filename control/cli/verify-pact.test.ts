import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runVerifyPact } from './verify-pact';
import type { VerifyPactFlags } from './verify-pact';

const dir = mkdtempSync(join(tmpdir(), 'verify-pact-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function pactFile(pact: object): string {
  const path = join(dir, `pact-${++files}.json`);
  writeFileSync(path, JSON.stringify(pact));
  return path;
}

async function run(file: string, flags: VerifyPactFlags = {}) {
  let out = '';
  let err = '';
  const code = await runVerifyPact(
    file,
    flags,
    { write: (text: string) => (out += text) },
    { write: (text: string) => (err += text) },
  );
  return { code, out, err };
}

const SANDBOX_HEADERS = { Identity: ['test-identity'], Authorization: ['test-authorization'] };

/** A team's own Atelio pact (V4): one card lookup, valid by default; each test breaks one thing. */
function cardInteraction(
  overrides: { state?: string; params?: object; body?: object; headers?: object } = {},
): object {
  return {
    type: 'Synchronous/HTTP',
    description: 'a request for card card-77',
    providerStates: [
      {
        name: overrides.state ?? 'card {cardId} with last four {lastFour} exists',
        params: overrides.params ?? { cardId: 'card-77', lastFour: '1234' },
      },
    ],
    request: {
      method: 'GET',
      path: '/api/v0.1/cards/card-77',
      headers: overrides.headers ?? SANDBOX_HEADERS,
    },
    response: {
      status: 200,
      headers: { 'Content-Type': ['application/json'] },
      body: {
        content: overrides.body ?? { card_id: 'card-77', last_four: '1234' },
        contentType: 'application/json',
        encoded: false,
      },
    },
  };
}

const transactionsMessage = {
  type: 'Asynchronous/Messages',
  description: 'a transactions event for a new purchase',
  providerStates: [
    {
      name: 'customer {customerId} has a pending card purchase {transactionId}',
      params: { customerId: 'cust-77', transactionId: 'txn-77' },
    },
  ],
  contents: {
    content: { event: 'transactions', transaction_id: 'txn-77', customer_id: 'cust-77', state: 'pending' },
    contentType: 'application/json',
    encoded: false,
  },
};

const atelioPact = (...interactions: object[]) => ({
  consumer: { name: 'bank-app' },
  provider: { name: 'atelio' },
  interactions,
  metadata: { pactSpecification: { version: '4.0' } },
});

describe('stitch-sandbox verify-pact FILE', () => {
  it("exits 0 and marks every interaction passed when a team's pact holds (HTTP and message)", async () => {
    const { code, out } = await run(pactFile(atelioPact(cardInteraction(), transactionsMessage)));
    expect(out).toContain('consumer "bank-app" against the atelio mock');
    expect(out).toContain('[passed]       a request for card card-77 (HTTP)');
    expect(out).toContain('[passed]       a transactions event for a new purchase (message)');
    expect(out).toContain('2 interactions: 2 passed, 0 failed, 0 not verified → VERIFIED');
    expect(code).toBe(0);
  });

  it('verifies a V3 message pact against the Atomic webhooks', async () => {
    const file = pactFile({
      consumer: { name: 'bank-app' },
      provider: { name: 'atomic' },
      messages: [
        {
          description: 'an account-created webhook',
          providerStates: [
            {
              name: 'an order-monitoring account was just created for user {identifier}',
              params: { identifier: 'u-77' },
            },
          ],
          contents: {
            eventType: 'pay-link-accounts-updated',
            user: { identifier: 'u-77' },
            data: { accounts: [{ updateType: 'created' }] },
          },
          metadata: { contentType: 'application/json' },
        },
      ],
      metadata: { pactSpecification: { version: '3.0.0' } },
    });
    const { code, out } = await run(file);
    expect(out).toContain('[passed]       an account-created webhook (message)');
    expect(code).toBe(0);
  });

  it('exits 1 and names the field when the mock answers differently from the pact', async () => {
    const { code, out } = await run(
      pactFile(atelioPact(cardInteraction({ body: { card_id: 'card-77', last4: '1234' } }))),
    );
    expect(out).toContain('[FAILED]       a request for card card-77 (HTTP)');
    expect(out).toMatch(/\$: .*last4/);
    expect(out).toContain('1 interaction: 0 passed, 1 failed, 0 not verified → NOT VERIFIED');
    expect(code).toBe(1);
  });

  it('reports an unknown provider state, lists the states the mock knows, and still verifies the rest', async () => {
    const { code, out } = await run(
      pactFile(atelioPact(cardInteraction({ state: 'a card exists', params: {} }), transactionsMessage)),
    );
    expect(out).toContain('[not verified] a request for card card-77 (HTTP)');
    expect(out).toContain('unknown provider state "a card exists"');
    expect(out).toContain('The atelio mock does not know these provider states: "a card exists".');
    expect(out).toContain('"card {cardId} with last four {lastFour} exists"');
    expect(out).toContain('"customer {customerId} has card transactions"');
    expect(out).toContain('[passed]       a transactions event for a new purchase (message)');
    expect(out).toContain('1 passed, 0 failed, 1 not verified → NOT VERIFIED');
    expect(code).toBe(1);
  });

  it("fails with the state's own message when a state parameter is unusable", async () => {
    const { code, out } = await run(
      pactFile(atelioPact(cardInteraction({ params: { cardId: 'card-77', lastFour: 'abcd' } }))),
    );
    expect(out).toContain('provider state failed: parameter "lastFour" must be four digits; got "abcd"');
    expect(code).toBe(1);
  });

  it('points at --replace-credentials when the pact carries other credentials, and passes with it', async () => {
    const file = pactFile(
      atelioPact(
        cardInteraction({ headers: { Identity: ['bank-identity'], Authorization: ['bank-secret'] } }),
      ),
    );
    const refused = await run(file);
    expect(refused.out).toContain('hint: the mock refused the credentials in the pact');
    expect(refused.code).toBe(1);

    const replaced = await run(file, { replaceCredentials: true });
    expect(replaced.out).toContain('[passed]       a request for card card-77 (HTTP)');
    expect(replaced.code).toBe(0);
  });

  it('refuses a pact whose provider is neither atomic nor atelio, without running anything', async () => {
    const { code, out, err } = await run(
      pactFile({ ...atelioPact(cardInteraction()), provider: { name: 'stripe' } }),
    );
    expect(err).toBe(
      'verify-pact: the pact\'s provider is "stripe"; the sandbox verifies pacts whose provider is atomic or atelio\n',
    );
    expect(out).toBe('');
    expect(code).toBe(1);
  });

  it('says so when the file is missing or not a pact', async () => {
    const missing = await run(join(dir, 'nope.json'));
    expect(missing.err).toBe(`verify-pact: no pact file at ${join(dir, 'nope.json')}\n`);
    expect(missing.code).toBe(1);

    const notPact = await run(pactFile({ hello: 'world' }));
    expect(notPact.err).toMatch(/^verify-pact: .* is not a pact file: consumer: /);
    expect(notPact.code).toBe(1);
  });

  it('rejects a seed that is not a whole number', async () => {
    const { code, err } = await run(pactFile(atelioPact(cardInteraction())), { seed: 'abc' });
    expect(err).toBe('verify-pact: --seed must be a whole number >= 0, got abc\n');
    expect(code).toBe(1);
  });
});
