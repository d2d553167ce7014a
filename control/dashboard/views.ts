import { Hono } from 'hono';
import { basePath } from 'hono/route';
import { z } from 'zod';
import type { AtelioStore, Card, Customer, Transaction } from '../../mock-atelio';
import type { AtomicStore, PayLinkAccountView } from '../../mock-atomic';
import { ControlError } from '../errors';
import { queryOf } from '../validation';

/**
 * Read models for the dashboard: one user as both vendors see them (`/api/users`), and the
 * reference stitcher's read API under the control plane's own origin (`/api/stitcher/...`), so the
 * page needs neither CORS nor the stitcher's port. Everything here only reads.
 */

/** Anything that answers requests in-process, like a Hono app's `request()`. */
export interface InProcessApp {
  request(input: string, init?: RequestInit): Response | Promise<Response>;
}

export interface ViewDeps {
  atomic: AtomicStore;
  atelio: AtelioStore;
  /** The reference stitcher's HTTP API; absent when the platform runs without it. */
  stitcher?: { app: InProcessApp } | undefined;
}

export interface UserListEntry {
  identifier: string;
  /** When either vendor first knew the user (the earlier of the two). */
  createdAt: string | null;
  atomic: { accounts: number; connected: number; disconnected: number; orders: number } | null;
  atelio: { name: string } | null;
  /** What the stitcher says, once it has heard of the user. */
  stitcher: { paused: boolean } | null;
}

export interface UserDetail {
  identifier: string;
  atomic: { userId: string; createdAt: string; accounts: PayLinkAccountView[] } | null;
  atelio: {
    customer: Customer;
    cards: Card[];
    /** Newest first; `total` counts them all, `items` holds at most `limit`. */
    transactions: { total: number; items: Transaction[] };
  } | null;
}

/** Page sizes the Atelio store accepts, offered as `limit`. */
const LIMITS = ['20', '50', '100', '1000'] as const;
const DetailQuerySchema = z.object({ limit: z.enum(LIMITS).optional() });

const StitcherUsersSchema = z.object({
  users: z.array(z.object({ identifier: z.string(), paused: z.boolean() })),
});

const time = (value: string) => {
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
};

async function stitcherPaused(stitcher: ViewDeps['stitcher']): Promise<Map<string, boolean>> {
  const paused = new Map<string, boolean>();
  if (!stitcher) return paused;
  const response = await stitcher.app.request('/users', { headers: { accept: 'application/json' } });
  if (!response.ok) return paused;
  const parsed = StitcherUsersSchema.safeParse(await response.json());
  if (parsed.success) for (const user of parsed.data.users) paused.set(user.identifier, user.paused);
  return paused;
}

function allCustomers(atelio: AtelioStore): Customer[] {
  const customers: Customer[] = [];
  for (let page = 1; ; page++) {
    const result = atelio.listCustomers({ page, count: 10000 });
    customers.push(...result.items);
    if (result.next_page === null) return customers;
  }
}

/** Every user either vendor knows, newest first, with what the page needs to pick one. */
export async function listUsers(deps: ViewDeps): Promise<UserListEntry[]> {
  const paused = await stitcherPaused(deps.stitcher);
  const entries = new Map<string, UserListEntry>();
  const entry = (identifier: string) => {
    let found = entries.get(identifier);
    if (!found) {
      found = { identifier, createdAt: null, atomic: null, atelio: null, stitcher: null };
      entries.set(identifier, found);
    }
    return found;
  };
  const seen = (e: UserListEntry, at: string) => {
    const ms = time(at);
    if (ms === undefined) return;
    if (e.createdAt === null || ms < Date.parse(e.createdAt)) e.createdAt = new Date(ms).toISOString();
  };
  for (const { identifier, createdAt, ...counts } of deps.atomic.userSummaries()) {
    const e = entry(identifier);
    e.atomic = counts;
    seen(e, createdAt);
  }
  for (const customer of allCustomers(deps.atelio)) {
    const e = entry(customer.customer_id);
    e.atelio = { name: [customer.first_name, customer.last_name].filter(Boolean).join(' ') };
    seen(e, customer.date_created);
  }
  for (const [identifier, isPaused] of paused) entry(identifier).stitcher = { paused: isPaused };
  return [...entries.values()].sort((a, b) => {
    const byTime = (b.createdAt ?? '').localeCompare(a.createdAt ?? '');
    return byTime !== 0 ? byTime : a.identifier.localeCompare(b.identifier);
  });
}

/** One user as both vendors hold them; null when neither knows the identifier. */
export function userDetail(deps: ViewDeps, identifier: string, limit = 100): UserDetail | null {
  const user = deps.atomic.findUser(identifier);
  const customer = deps.atelio.getCustomer(identifier);
  if (!user && !customer) return null;
  let atelio: UserDetail['atelio'] = null;
  if (customer) {
    const first = deps.atelio.listTransactions({
      customerId: identifier,
      count: limit,
      page: 1,
      orderBy: 'desc',
    });
    const total =
      first.pages === 1
        ? first.count
        : (first.pages - 1) * limit +
          deps.atelio.listTransactions({
            customerId: identifier,
            count: limit,
            page: first.pages,
            orderBy: 'desc',
          }).count;
    atelio = {
      customer,
      cards: deps.atelio.listCards({ customerId: identifier, count: 1000 }).items,
      transactions: { total, items: first.items },
    };
  }
  return {
    identifier,
    atomic: user
      ? { userId: user._id, createdAt: user.createdAt, accounts: deps.atomic.listPayLinkAccounts(identifier) }
      : null,
    atelio,
  };
}

/**
 * `GET /api/users`, `GET /api/users/{identifier}?limit=` and `GET /api/stitcher/...`, as route
 * groups to mount under `/api` (spread into the control app's `extraApi`).
 */
export function viewRoutes(deps: ViewDeps): { '/users': Hono; '/stitcher': Hono } {
  const users = new Hono()
    .get('/', async (c) => c.json({ users: await listUsers(deps) }))
    .get('/:identifier', (c) => {
      const { limit } = queryOf(c, DetailQuerySchema);
      const identifier = c.req.param('identifier');
      const detail = userDetail(deps, identifier, Number(limit ?? '100'));
      if (!detail)
        throw new ControlError(
          404,
          'user_not_found',
          `Neither Atomic nor Atelio knows a user ${identifier}.`,
        );
      return c.json(detail);
    });

  const stitcher = new Hono().get('/*', async (c) => {
    if (!deps.stitcher)
      throw new ControlError(
        503,
        'stitcher_not_running',
        'The reference stitcher is not running on this platform (it was started without it).',
      );
    // Forward the path exactly as the browser encoded it: identifiers may hold characters that
    // decoding and re-encoding would change.
    const url = new URL(c.req.url);
    const rest = url.pathname.slice(basePath(c).length) || '/';
    const answer = await deps.stitcher.app.request(`${rest}${url.search}`, {
      headers: { accept: 'application/json' },
    });
    const headers = new Headers({ 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    return new Response(answer.body, { status: answer.status, headers });
  });

  return { '/users': users, '/stitcher': stitcher };
}
