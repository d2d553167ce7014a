/**
 * The stitcher's HTTP surface: the two signed webhook receivers and the read API. Errors are always
 * `{"error": {"code", "message"}}` JSON; bad input is a 4xx, never a 500.
 *
 * Receivers follow the vendors' consumer guidance: verify the signature over the raw bytes first
 * (401 and nothing stored when it fails), then persist the event and acknowledge with 200 straight
 * away; the work (vendor calls, stitching) happens afterwards from the persisted inbox.
 */
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import type { InboxWorker } from './inbox-worker';
import type { StitcherLogger } from './log';
import { HANDLED_ATELIO_EVENTS, HANDLED_ATOMIC_EVENTS } from './processor';
import { ATELIO_SIGNATURE_HEADER, ATOMIC_SIGNATURE_HEADER } from './signatures';
import type { VerifyResult } from './signatures';
import type { InboxStatus, StitcherStore } from './store';
import {
  AtelioWebhookSchema,
  AtomicWebhookSchema,
  PayLinkAccountsUpdatedDataSchema,
  TaskStatusUpdatedDataSchema,
} from './vendor-schemas';
import { ordersView, transactionsView, userView } from './views';

export interface HttpApiDeps {
  store: StitcherStore;
  worker: InboxWorker;
  verifyAtomic: (rawBody: Uint8Array, header: string | undefined) => VerifyResult;
  verifyAtelio: (rawBody: Uint8Array, header: string | undefined) => VerifyResult;
  now: () => number;
  log: StitcherLogger;
  bodyLimitBytes: number;
}

export function problem(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  details?: unknown,
) {
  return c.json({ error: details === undefined ? { code, message } : { code, message, details } }, status);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeJson(
  raw: Uint8Array,
): { ok: true; text: string; json: unknown } | { ok: false; message: string } {
  try {
    const text = utf8.decode(raw);
    return { ok: true, text, json: JSON.parse(text) as unknown };
  } catch (error) {
    return {
      ok: false,
      message: error instanceof SyntaxError ? `body is not JSON: ${error.message}` : 'body is not UTF-8',
    };
  }
}

const describeIssues = (error: z.ZodError) =>
  error.issues.slice(0, 5).map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));

const sha256 = (raw: Uint8Array) => createHash('sha256').update(raw).digest('hex');

const IdentifierSchema = z.string().min(1).max(256);
const InboxQuerySchema = z.object({
  status: z.enum(['pending', 'retrying', 'done', 'failed', 'ignored']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export function createHttpApi(deps: HttpApiDeps): Hono {
  const { store, worker, now, log } = deps;
  const app = new Hono();

  app.onError((error, c) => {
    log('error', 'unhandled error in request', {
      method: c.req.method,
      path: c.req.path,
      error: String(error),
    });
    return problem(c, 500, 'internal_error', 'internal error; see the stitcher log');
  });
  app.notFound((c) => problem(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`));

  app.get('/__sandbox/health', (c) => c.json({ status: 'ok' }));

  const limit = bodyLimit({
    maxSize: deps.bodyLimitBytes,
    onError: (c) =>
      problem(c, 413, 'payload_too_large', `webhook body is larger than ${deps.bodyLimitBytes} bytes`),
  });

  /** Stores an accepted event (or recognises a repeat) and answers at once. */
  function accept(
    c: Context,
    event: {
      dedupKey: string;
      source: 'atomic' | 'atelio';
      eventType: string;
      body: string;
      handled: boolean;
    },
  ) {
    const id = store.accept({
      dedupKey: event.dedupKey,
      source: event.source,
      eventType: event.eventType,
      body: event.body,
      receivedAt: now(),
      status: event.handled ? 'pending' : 'ignored',
    });
    if (id === null) return c.json({ status: 'duplicate' }, 200);
    if (event.handled) worker.kick();
    return c.json({ status: event.handled ? 'accepted' : 'ignored', id }, 200);
  }

  app.post('/webhooks/atomic', limit, async (c) => {
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const verdict = deps.verifyAtomic(raw, c.req.header(ATOMIC_SIGNATURE_HEADER));
    if (!verdict.ok) return problem(c, 401, 'invalid_signature', verdict.reason);
    const decoded = decodeJson(raw);
    if (!decoded.ok) return problem(c, 400, 'invalid_payload', decoded.message);
    const envelope = AtomicWebhookSchema.safeParse(decoded.json);
    if (!envelope.success)
      return problem(
        c,
        400,
        'invalid_payload',
        'not an Atomic webhook envelope',
        describeIssues(envelope.error),
      );
    const { eventType, data } = envelope.data;
    const dataSchema =
      eventType === 'pay-link-accounts-updated'
        ? PayLinkAccountsUpdatedDataSchema
        : eventType === 'task-status-updated'
          ? TaskStatusUpdatedDataSchema
          : null;
    if (dataSchema) {
      const checked = dataSchema.safeParse(data);
      if (!checked.success)
        return problem(
          c,
          400,
          'invalid_payload',
          `data does not fit ${eventType}`,
          describeIssues(checked.error),
        );
    }
    // ce-id is the same on every retry of one event; without it the body's hash identifies a repeat.
    const ceId = c.req.header('ce-id');
    return accept(c, {
      dedupKey: ceId ? `atomic:ce-id:${ceId}` : `atomic:sha256:${sha256(raw)}`,
      source: 'atomic',
      eventType,
      body: decoded.text,
      handled: HANDLED_ATOMIC_EVENTS.has(eventType),
    });
  });

  app.post('/webhooks/atelio', limit, async (c) => {
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const verdict = deps.verifyAtelio(raw, c.req.header(ATELIO_SIGNATURE_HEADER));
    if (!verdict.ok) return problem(c, 401, 'invalid_signature', verdict.reason);
    const decoded = decodeJson(raw);
    if (!decoded.ok) return problem(c, 400, 'invalid_payload', decoded.message);
    const hook = AtelioWebhookSchema.safeParse(decoded.json);
    if (!hook.success)
      return problem(c, 400, 'invalid_payload', 'not an Atelio webhook body', describeIssues(hook.error));
    const { event, occurred_at: occurredAt, transaction_id: transactionId } = hook.data;
    const handled = HANDLED_ATELIO_EVENTS.has(event);
    if (handled && !transactionId)
      return problem(c, 400, 'invalid_payload', `${event} event without transaction_id`);
    // Atelio has no event id; (event, occurred_at, transaction_id) identifies one (VENDOR-FACTS).
    return accept(c, {
      dedupKey: `atelio:${event}:${occurredAt}:${transactionId ?? sha256(raw)}`,
      source: 'atelio',
      eventType: event,
      body: decoded.text,
      handled,
    });
  });

  for (const path of ['/webhooks/atomic', '/webhooks/atelio']) {
    app.all(path, (c) => {
      c.header('Allow', 'POST');
      return problem(
        c,
        405,
        'method_not_allowed',
        `${c.req.method} ${path} is not supported; webhooks are POSTed`,
      );
    });
  }

  app.get('/users', (c) => {
    const users = store.users().map((identifier) => {
      const view = userView(store, identifier)!;
      return { identifier, paused: view.paused, counts: view.counts };
    });
    return c.json({ users });
  });

  const withUser = (handler: (c: Context, identifier: string) => Response) => (c: Context) => {
    const parsed = IdentifierSchema.safeParse(c.req.param('identifier'));
    if (!parsed.success)
      return problem(c, 400, 'invalid_identifier', 'identifier must be 1 to 256 characters');
    if (!store.user(parsed.data))
      return problem(c, 404, 'user_not_found', `no user with identifier ${parsed.data}`);
    return handler(c, parsed.data);
  };

  app.get(
    '/users/:identifier',
    withUser((c, id) => c.json(userView(store, id))),
  );
  app.get(
    '/users/:identifier/orders',
    withUser((c, id) => c.json(ordersView(store, id))),
  );
  app.get(
    '/users/:identifier/transactions',
    withUser((c, id) => c.json(transactionsView(store, id))),
  );

  app.get('/inbox', (c) => {
    const query = InboxQuerySchema.safeParse(c.req.query());
    if (!query.success)
      return problem(c, 400, 'invalid_query', 'bad inbox query', describeIssues(query.error));
    const events = store.listInbox((query.data.status ?? null) as InboxStatus | null, query.data.limit);
    return c.json({
      counts: store.inboxCounts(),
      events: events.map((e) => ({
        id: e.id,
        source: e.source,
        eventType: e.eventType,
        status: e.status,
        attempts: e.attempts,
        lastError: e.lastError,
        receivedAt: new Date(e.receivedAt).toISOString(),
        nextAttemptAt: e.nextAttemptAt === null ? null : new Date(e.nextAttemptAt).toISOString(),
        processedAt: e.processedAt === null ? null : new Date(e.processedAt).toISOString(),
      })),
    });
  });

  app.post('/inbox/:id/retry', (c) => {
    const id = z.coerce.number().int().positive().safeParse(c.req.param('id'));
    if (!id.success) return problem(c, 400, 'invalid_id', 'inbox id must be a positive integer');
    const event = store.inboxEvent(id.data);
    if (!event) return problem(c, 404, 'event_not_found', `no inbox event ${id.data}`);
    if (!store.requeueFailed(id.data))
      return problem(
        c,
        409,
        'not_failed',
        `inbox event ${id.data} is ${event.status}; only failed events can be re-queued`,
      );
    worker.kick();
    return c.json({ status: 'requeued', id: id.data });
  });

  return app;
}
