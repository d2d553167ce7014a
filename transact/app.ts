import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { COMPANIES, type AtomicStore, type CompanyRecord, type PayLinkAccountView } from '../mock-atomic';
import { decodeLaunch, encodedConfigOf, type TransactFlow } from './launch-config';
import { PAGE_HEADERS, appShell, errorPage, indexPage } from './pages';
import { transactSdkSource } from './sdk';
import { TransactError, type TransactSessions } from './sessions';

/**
 * The Transact server: served at the root of its own origin because the SDK cannot carry a path
 * prefix (docs/decisions/007). `/initialize/*` is the single-page app whatever the path holds,
 * `/transact.js` is Atomic's SDK, `/api/...` is the app's own back end (same origin, no cookies:
 * the session id travels in the path and lives in the frame's sessionStorage).
 */

export interface TransactAppDeps {
  store: AtomicStore;
  sessions: TransactSessions;
  bodyLimitBytes?: number;
}

const PUBLIC_DIR = fileURLToPath(new URL('./public', import.meta.url));
const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** The app's own files (app.js and the ES modules it imports from js/), read once. */
function loadAssets(): Map<string, { body: string; type: string }> {
  const assets = new Map<string, { body: string; type: string }>();
  for (const name of readdirSync(PUBLIC_DIR, { recursive: true, encoding: 'utf8' })) {
    const type = CONTENT_TYPES[extname(name)];
    const path = name.split(sep).join('/');
    if (type) assets.set(`/assets/${path}`, { body: readFileSync(join(PUBLIC_DIR, name), 'utf8'), type });
  }
  return assets;
}

export interface CompanyChoice {
  _id: string;
  name: string;
  color: string;
  accountType: string | undefined;
}

const choice = (c: CompanyRecord): CompanyChoice => ({
  _id: c._id,
  name: c.name,
  color: c.branding.color,
  accountType: c.accountType,
});

/** What the company search offers: Order Monitoring merchants, or every PayLink company in the hub. */
function companiesFor(flow: TransactFlow): CompanyChoice[] {
  return COMPANIES.filter(
    (c) =>
      c.scopes.includes('pay-link') &&
      c.status === 'operational' &&
      (flow.kind === 'payments-hub' || c.accountType === 'ecommerce'),
  ).map(choice);
}

const StartSessionSchema = z
  .object({
    publicToken: z.string().min(1).max(512),
    handshakeId: z
      .string()
      .regex(/^[0-9a-f]{16}$/)
      .nullable(),
    tokenDelivery: z.enum(['handshake', 'config']),
    encodedConfig: z.string().min(1).max(16_384),
  })
  .strict();

const StepSchema = z
  .object({ step: z.string().min(1).max(100), detail: z.record(z.string(), z.unknown()).optional() })
  .strict();

const LoginSchema = z
  .object({
    companyId: z.string().min(1).max(100),
    username: z.string().max(200),
    password: z.string().max(200),
  })
  .strict();

const MfaSchema = z.object({ answer: z.string().max(200) }).strict();

const EndSchema = z
  .object({ status: z.enum(['finished', 'closed']), reason: z.string().max(100).optional() })
  .strict();

async function body<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new TransactError(400, 'bad-json', 'The body is not JSON.');
  }
  const result = schema.safeParse(raw);
  if (!result.success)
    throw new TransactError(
      422,
      'invalid',
      result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  return result.data;
}

/** The Order Monitoring / PayLink account a task is about, as the pages show it. */
function accountSummary(account: PayLinkAccountView | undefined) {
  if (!account) return null;
  return {
    _id: account._id,
    company: account.company,
    connectionStatus: account.connectionStatus,
    lastSyncedAt: account.lastSyncedAt,
    orderCount: account.orders?.length ?? 0,
  };
}

/** An account as the Payments Hub's tabs use it. */
function hubAccount(account: PayLinkAccountView) {
  return {
    _id: account._id,
    company: account.company,
    kind: account.account.type,
    connectionStatus: account.connectionStatus,
    lastSyncedAt: account.lastSyncedAt,
    billing: account.account.billing
      ? { amount: account.account.billing.amount ?? null, dueDate: account.account.billing.dueDate ?? null }
      : null,
    suggestions: account.account.suggestions.map((s) => ({
      shortDescription: s.shortDescription,
      monthlySavings: s.monthlySavings,
      buttonTitle: s.buttonTitle,
    })),
    orders: (account.orders ?? []).slice(0, 20).map((o) => ({
      _id: o._id,
      date: o.date,
      amount: o.amount,
      products: o.products.map((p) => p.description),
      paymentMethod: o.paymentMethod ?? null,
    })),
  };
}

export function createTransactApp(deps: TransactAppDeps): Hono {
  const { store, sessions } = deps;
  const assets = loadAssets();
  const app = new Hono();

  app.onError((error, c) => {
    if (error instanceof TransactError)
      return c.json({ code: error.code, message: error.message }, error.status);
    if ((error as { kind?: string }).kind === 'not-found')
      return c.json({ code: 'not-found', message: error.message }, 404);
    if ((error as { kind?: string }).kind === 'conflict')
      return c.json({ code: 'conflict', message: error.message }, 409);
    if ((error as { kind?: string }).kind === 'invalid')
      return c.json({ code: 'invalid', message: error.message }, 422);
    console.error('transact: unexpected error', error);
    return c.json({ code: 'internal', message: 'The Transact stand-in failed; see the server log.' }, 500);
  });
  app.notFound((c) =>
    c.req.path.startsWith('/api/')
      ? c.json({ code: 'not-found', message: `No route ${c.req.method} ${c.req.path}.` }, 404)
      : c.body(
          errorPage('Not found', `Nothing is served at ${c.req.path}.`, [
            'Transact pages open at /initialize/<base64 config>; the SDK is /transact.js.',
          ]),
          404,
          PAGE_HEADERS,
        ),
  );
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: Math.min(deps.bodyLimitBytes ?? 64 * 1024, 64 * 1024),
      onError: (c) => c.json({ code: 'body-too-large', message: 'The request body is too large.' }, 413),
    }),
  );

  app.get('/', (c) => c.body(indexPage(new URL(c.req.url).origin), 200, PAGE_HEADERS));

  app.get('/transact.js', (c) =>
    c.body(transactSdkSource(), 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
      // Host pages on any origin load it with a plain <script>.
      'access-control-allow-origin': '*',
    }),
  );

  app.get('/assets/*', (c) => {
    const asset = assets.get(c.req.path);
    if (!asset) return c.notFound();
    return c.body(asset.body, 200, {
      'content-type': asset.type,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    });
  });

  // ---- the app's back end

  app.post('/api/sessions', async (c) => {
    const input = await body(c, StartSessionSchema);
    const launch = decodeLaunch(input.encodedConfig);
    if (!launch.ok) throw new TransactError(422, 'bad-config', launch.reason);
    const session = sessions.open({
      publicToken: input.publicToken,
      handshakeId: input.handshakeId,
      tokenDelivery: input.tokenDelivery,
      config: launch.config,
      flow: launch.flow,
    });
    return c.json({ sessionId: session.id, identifier: session.identifier }, 201);
  });

  app.get('/api/sessions/:id', (c) => {
    const session = sessions.use(c.req.param('id'));
    const view = sessions.view(session);
    return c.json({
      sessionId: view.id,
      identifier: view.identifier,
      status: view.status,
      tasks: view.tasks,
    });
  });

  app.post('/api/sessions/:id/steps', async (c) => {
    const session = sessions.use(c.req.param('id'));
    const input = await body(c, StepSchema);
    sessions.record(session, input.step, input.detail);
    return c.json({ recorded: true });
  });

  app.post('/api/sessions/:id/tasks', async (c) => {
    const session = sessions.use(c.req.param('id'));
    const input = await body(c, LoginSchema);
    const task = sessions.startTask(session, { companyId: input.companyId, username: input.username });
    return c.json({ task }, 201);
  });

  app.get('/api/sessions/:id/tasks/:taskId', (c) => {
    const session = sessions.use(c.req.param('id'));
    const task = sessions.task(session, c.req.param('taskId'));
    const account = store
      .listPayLinkAccounts(session.identifier)
      .find((a) => a.company._id === task.company._id && a.type === 'linked');
    return c.json({
      task,
      mfa: task.status === 'processing' ? (store.pendingMfa(task._id) ?? null) : null,
      account: accountSummary(account),
    });
  });

  app.post('/api/sessions/:id/tasks/:taskId/mfa', async (c) => {
    const session = sessions.use(c.req.param('id'));
    const input = await body(c, MfaSchema);
    return c.json({ task: sessions.answerMfa(session, c.req.param('taskId'), input.answer) });
  });

  app.get('/api/sessions/:id/hub', (c) => {
    const session = sessions.use(c.req.param('id'));
    const accounts = store.findUser(session.identifier)
      ? store.listPayLinkAccounts(session.identifier).filter((a) => a.type === 'linked')
      : [];
    return c.json({ accounts: accounts.map(hubAccount) });
  });

  app.post('/api/sessions/:id/end', async (c) => {
    const session = sessions.use(c.req.param('id'));
    const input = await body(c, EndSchema);
    sessions.end(session, input.status, input.reason);
    return c.json({ status: input.status });
  });

  // ---- the pages: `/initialize/<base64>` (also `//initialize/...`, what a trailing slash on
  // environmentOverride produces, so the page can say what is wrong).

  app.get('*', (c) => {
    const encoded = encodedConfigOf(new URL(c.req.url).pathname);
    if (encoded === undefined) return c.notFound();
    const launch = decodeLaunch(encoded);
    if (!launch.ok)
      return c.body(
        errorPage('This is not a Transact launch', launch.reason, [
          "Atomic's SDK opens <environmentOverride>/initialize/<btoa(JSON.stringify(config))>.",
          "Launch Transact with Atomic.transact({config: {product: 'present', ...}, environmentOverride}).",
        ]),
        400,
        PAGE_HEADERS,
      );
    return c.body(
      appShell({
        encodedConfig: encoded,
        config: launch.config,
        flow: launch.flow,
        companies: companiesFor(launch.flow),
      }),
      200,
      PAGE_HEADERS,
    );
  });

  return app;
}
