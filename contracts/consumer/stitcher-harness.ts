/**
 * Feeds a webhook body to the real stitcher service, the way a vendor delivers it: signed, POSTed to
 * its receiver, persisted in its inbox and processed by its event handlers, which then call the
 * vendor APIs (answered here by the stitcher's own scriptable stand-in, `FakeVendors`). Message pacts
 * use it so an example message is only accepted when the stitcher can actually act on it.
 */
import { createStitcherService } from '../../stitcher';
import type { StitcherService } from '../../stitcher';
import { ATELIO_SIGNATURE_HEADER, ATOMIC_SIGNATURE_HEADER } from '../../stitcher/signatures';
import { bondSignature, CREDS, FakeVendors, ManualTimers, signAtomicBody } from '../../stitcher/testing';

/** The stitcher's wall clock; Atelio signatures are stamped with it so they are never too old. */
const NOW = Date.parse('2025-03-10T15:00:00.000Z');

export interface StitcherHarness {
  /** The vendor APIs as the stitcher will see them while processing; fill before delivering. */
  vendors: FakeVendors;
  /** Signs and POSTs the body to the stitcher's receiver, then waits until it has been processed. */
  deliver(vendor: 'atomic' | 'atelio', body: unknown): Promise<void>;
  /** A GET on the stitcher's read API, parsed. */
  read<T = unknown>(path: string): Promise<T>;
}

/** Runs `use` with a fresh in-memory stitcher and closes it afterwards. */
export async function withStitcher<T>(use: (harness: StitcherHarness) => Promise<T>): Promise<T> {
  const vendors = new FakeVendors();
  const service = createStitcherService({
    atomic: { ...CREDS.atomic },
    atelio: { ...CREDS.atelio, webhookSecrets: [CREDS.atelio.webhookSecret] },
    dbPath: ':memory:',
    now: () => NOW,
    // Retries never fire: a webhook the stitcher cannot process fails the test instead of waiting.
    timers: new ManualTimers(),
    fetch: vendors.fetch,
    log: () => {},
  });
  try {
    return await use({
      vendors,
      deliver: (vendor, body) => deliver(service, vendor, body),
      async read<R>(path: string) {
        const response = await service.app.request(path);
        if (response.status !== 200)
          throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
        return (await response.json()) as R;
      },
    });
  } finally {
    await service.close();
  }
}

async function deliver(service: StitcherService, vendor: 'atomic' | 'atelio', body: unknown): Promise<void> {
  const raw = JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (vendor === 'atomic') headers[ATOMIC_SIGNATURE_HEADER] = signAtomicBody(raw);
  else headers[ATELIO_SIGNATURE_HEADER] = bondSignature(raw, Math.floor(NOW / 1000));
  const response = await service.app.request(`/webhooks/${vendor}`, { method: 'POST', headers, body: raw });
  const answer = (await response.json()) as { status?: string };
  if (response.status !== 200 || answer.status !== 'accepted')
    throw new Error(
      `the stitcher did not accept the ${vendor} webhook: ${response.status} ${JSON.stringify(answer)}`,
    );
  await processed(service);
}

/** Resolves once the inbox is worked off; rejects as soon as an event fails or waits for a retry. */
async function processed(service: StitcherService): Promise<void> {
  let done = false;
  const trouble = (async () => {
    while (!done) {
      const [stuck] = [...service.store.listInbox('failed', 1), ...service.store.listInbox('retrying', 1)];
      if (stuck)
        throw new Error(
          `the stitcher could not process ${stuck.eventType} (${stuck.status}): ${stuck.lastError}`,
        );
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  try {
    await Promise.race([service.idle(), trouble]);
  } finally {
    done = true;
  }
}
