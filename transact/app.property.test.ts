import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/clock';
import { AMAZON_COMPANY_ID, createAtomicMock } from '../mock-atomic';
import { createTransactApp } from './app';
import { encodeLaunch } from './launch-config';
import { TransactSessions } from './sessions';

/**
 * Generated bad input against the Transact server: whatever follows /initialize/, and whatever
 * body or id reaches the app's API, the answer is a 2xx or a 4xx that says why, never a 5xx.
 */

function setup() {
  const clock = new VirtualClock('2025-03-10T15:00:00Z');
  const store = createAtomicMock({ seed: 3, clock }).store;
  const sessions = new TransactSessions({ store, clock });
  return { app: createTransactApp({ store, sessions }), store, sessions };
}

const base64ish = fc.stringMatching(/^[A-Za-z0-9+/=%._~!*'()-]{0,300}$/);
const configs = fc.dictionary(
  fc.constantFrom(
    'product',
    'scope',
    'tasks',
    'deeplink',
    'theme',
    'customer',
    'handoff',
    'inSdk',
    'publicToken',
    'x',
  ),
  fc.jsonValue({ maxDepth: 3 }),
);

describe('Transact server under generated input', () => {
  it('never answers /initialize/... with a 5xx, and answers 200 only for a config it can play', async () => {
    const { app } = setup();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          base64ish,
          configs.map((c) => encodeLaunch(c)),
          configs.map((c) => encodeLaunch({ ...c, product: 'present' })),
        ),
        async (encoded) => {
          const response = await app.request(`/initialize/${encoded}`);
          expect([200, 400, 404]).toContain(response.status);
          expect(response.headers.get('content-type')).toMatch(/^text\/html/);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('never answers the app API with a 5xx, whatever the body or the ids', async () => {
    const { app, store } = setup();
    const publicToken = store.createAccessToken({ identifier: 'fuzz' }).publicToken;
    const opened = await app.request('/api/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        publicToken,
        handshakeId: null,
        tokenDelivery: 'config',
        encodedConfig: encodeLaunch({ product: 'present' }),
      }),
    });
    const { sessionId } = (await opened.json()) as { sessionId: string };
    const paths = fc.constantFrom(
      '/api/sessions',
      `/api/sessions/${sessionId}`,
      `/api/sessions/${sessionId}/steps`,
      `/api/sessions/${sessionId}/tasks`,
      `/api/sessions/${sessionId}/tasks/x`,
      `/api/sessions/${sessionId}/tasks/x/mfa`,
      `/api/sessions/${sessionId}/hub`,
      `/api/sessions/${sessionId}/end`,
      '/api/sessions/nope/tasks',
    );
    const bodies = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 200 }),
      fc.constant(JSON.stringify({ companyId: AMAZON_COMPANY_ID, username: 'test-good', password: '' })),
      fc.constant(JSON.stringify({ companyId: 'nope', username: 'x', password: 'y' })),
    );
    await fc.assert(
      fc.asyncProperty(
        paths,
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
        bodies,
        async (path, method, body) => {
          const response = await app.request(path, {
            method,
            headers: { 'content-type': 'application/json' },
            ...(method === 'GET' ? {} : { body }),
          });
          expect(response.status, `${method} ${path} ${body}`).toBeLessThan(500);
          if (response.status >= 400)
            expect(await response.json()).toMatchObject({ code: expect.any(String) });
        },
      ),
      { numRuns: 600 },
    );
  });
});
