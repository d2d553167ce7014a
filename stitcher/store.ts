/**
 * Every read and write of the stitcher's SQLite database, as named operations over prepared
 * statements. better-sqlite3 is synchronous, so each operation is atomic with respect to the event
 * loop; multi-step changes go through `transaction()`.
 */
import type Database from 'better-sqlite3';
import type { OrderMonitoringAccount } from './clients/atomic';
import type { ChargeOutcome, OrderOutcome, RefundOutcome } from './matcher';
import type { AtelioTransaction, AtomicOrder } from './vendor-schemas';

import { dayOf, toInbox } from './store-rows';
import type {
  AccountRow,
  InboxEvent,
  InboxSource,
  InboxStatus,
  RawInbox,
  StitchRow,
  StitchScope,
  StoredOrder,
  StoredTransaction,
  TaskRow,
  UserRow,
} from './store-rows';

export type * from './store-rows';

export class StitcherStore {
  private readonly s;

  constructor(readonly db: Database.Database) {
    this.s = {
      accept: db.prepare(
        `INSERT INTO inbox (dedup_key, source, event_type, body, received_at, status)
         VALUES (@dedupKey, @source, @eventType, @body, @receivedAt, @status)
         ON CONFLICT (dedup_key) DO NOTHING`,
      ),
      due: db.prepare(`SELECT * FROM inbox WHERE status = 'pending' ORDER BY id LIMIT ?`),
      inboxById: db.prepare(`SELECT * FROM inbox WHERE id = ?`),
      finish: db.prepare(
        `UPDATE inbox SET status = @status, attempts = attempts + 1, last_error = @error,
           next_attempt_at = NULL, processed_at = @at WHERE id = @id`,
      ),
      retryLater: db.prepare(
        `UPDATE inbox SET status = 'retrying', attempts = attempts + 1, last_error = @error,
           next_attempt_at = @nextAt WHERE id = @id`,
      ),
      release: db.prepare(`UPDATE inbox SET status = 'pending' WHERE id = ? AND status = 'retrying'`),
      releaseAll: db.prepare(`UPDATE inbox SET status = 'pending' WHERE status = 'retrying'`),
      requeue: db.prepare(
        `UPDATE inbox SET status = 'pending', next_attempt_at = NULL WHERE id = ? AND status = 'failed'`,
      ),
      unsettledCount: db
        .prepare(`SELECT count(*) FROM inbox WHERE status IN ('pending', 'retrying')`)
        .pluck(),
      inboxCounts: db.prepare(`SELECT status, count(*) AS n FROM inbox GROUP BY status`),
      listInbox: db.prepare(
        `SELECT * FROM inbox WHERE (@status IS NULL OR status = @status) ORDER BY id DESC LIMIT @limit`,
      ),

      ensureUser: db.prepare(
        `INSERT INTO users (identifier, atomic_user_id, created_at) VALUES (?, ?, ?)
         ON CONFLICT (identifier) DO UPDATE SET atomic_user_id = coalesce(excluded.atomic_user_id, atomic_user_id)`,
      ),
      markNeedsStitch: db.prepare(`UPDATE users SET needs_stitch = 1, dirty_all = 1 WHERE identifier = ?`),
      markDaysNeedStitch: db.prepare(
        `UPDATE users SET needs_stitch = 1, dirty_from = min(coalesce(dirty_from, @from), @from),
           dirty_to = max(coalesce(dirty_to, @to), @to) WHERE identifier = @identifier`,
      ),
      usersNeedingStitch: db.prepare(
        `SELECT identifier, dirty_all, dirty_from, dirty_to FROM users WHERE needs_stitch = 1 ORDER BY identifier`,
      ),
      stitched: db.prepare(
        `UPDATE users SET needs_stitch = 0, dirty_all = 0, dirty_from = NULL, dirty_to = NULL, stitched_at = ?
         WHERE identifier = ?`,
      ),
      clearNeedsStitch: db.prepare(
        `UPDATE users SET needs_stitch = 0, dirty_all = 0, dirty_from = NULL, dirty_to = NULL WHERE identifier = ?`,
      ),
      pruneInbox: db.prepare(
        `DELETE FROM inbox WHERE status IN ('done', 'ignored') AND source != 'stitcher' AND processed_at < ?`,
      ),
      user: db.prepare(`SELECT * FROM users WHERE identifier = ?`),
      users: db.prepare(`SELECT * FROM users ORDER BY identifier`),

      upsertAccount: db.prepare(
        `INSERT INTO accounts (account_id, identifier, connection_status, last_synced_at, company_id, company_name,
           last_update_type, fetched_at)
         VALUES (@accountId, @identifier, @connectionStatus, @lastSyncedAt, @companyId, @companyName, @updateType, @at)
         ON CONFLICT (account_id) DO UPDATE SET identifier = excluded.identifier,
           connection_status = excluded.connection_status, last_synced_at = excluded.last_synced_at,
           company_id = coalesce(excluded.company_id, company_id), company_name = coalesce(excluded.company_name, company_name),
           last_update_type = excluded.last_update_type, fetched_at = excluded.fetched_at`,
      ),
      accountsFor: db.prepare(`SELECT * FROM accounts WHERE identifier = ? ORDER BY account_id`),
      deleteOrdersOfAccount: db.prepare(`DELETE FROM orders WHERE account_id = ?`),
      insertOrder: db.prepare(
        `INSERT INTO orders (order_id, account_id, identifier, order_date, order_day, data) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (order_id) DO UPDATE SET account_id = excluded.account_id, identifier = excluded.identifier,
           order_date = excluded.order_date, order_day = excluded.order_day, data = excluded.data`,
      ),
      ordersFor: db.prepare(
        `SELECT order_id, account_id, data FROM orders WHERE identifier = ? ORDER BY order_date, order_id`,
      ),
      ordersInDays: db.prepare(
        `SELECT order_id, account_id, data FROM orders
         WHERE identifier = @identifier AND (order_day IS NULL OR order_day BETWEEN @from AND @to)
         ORDER BY order_date, order_id`,
      ),
      orderCount: db.prepare(`SELECT count(*) FROM orders WHERE identifier = ?`).pluck(),

      card: db.prepare(`SELECT last_four FROM cards WHERE card_id = ?`),
      upsertCard: db.prepare(
        `INSERT INTO cards (card_id, last_four, fetched_at) VALUES (?, ?, ?)
         ON CONFLICT (card_id) DO UPDATE SET last_four = excluded.last_four, fetched_at = excluded.fetched_at`,
      ),
      upsertTransaction: db.prepare(
        `INSERT INTO transactions (transaction_id, customer_id, card_id, created_time, created_day, state, data, fetched_at)
         VALUES (@id, @customerId, @cardId, @createdTime, @createdDay, @state, @data, @at)
         ON CONFLICT (transaction_id) DO UPDATE SET customer_id = excluded.customer_id, card_id = excluded.card_id,
           created_time = excluded.created_time, created_day = excluded.created_day, state = excluded.state,
           data = excluded.data, fetched_at = excluded.fetched_at`,
      ),
      transactionsInDays: db.prepare(
        `SELECT t.transaction_id, t.customer_id, t.card_id, t.data, c.last_four
         FROM transactions t LEFT JOIN cards c ON c.card_id = t.card_id
         WHERE t.customer_id = @identifier AND (t.created_day IS NULL OR t.created_day BETWEEN @from AND @to)
         ORDER BY t.created_time, t.transaction_id`,
      ),
      transactionsFor: db.prepare(
        `SELECT t.transaction_id, t.customer_id, t.card_id, t.data, c.last_four
         FROM transactions t LEFT JOIN cards c ON c.card_id = t.card_id
         WHERE t.customer_id = ? ORDER BY t.created_time, t.transaction_id`,
      ),
      transactionCount: db.prepare(`SELECT count(*) FROM transactions WHERE customer_id = ?`).pluck(),

      upsertTask: db.prepare(
        `INSERT INTO tasks (task_id, identifier, status, fail_reason, company_name, event_time_ms, updated_at)
         VALUES (@taskId, @identifier, @status, @failReason, @companyName, @eventTimeMs, @at)
         ON CONFLICT (task_id) DO UPDATE SET status = excluded.status, fail_reason = excluded.fail_reason,
           company_name = coalesce(excluded.company_name, company_name), event_time_ms = excluded.event_time_ms,
           updated_at = excluded.updated_at
         WHERE tasks.event_time_ms IS NULL OR excluded.event_time_ms IS NULL OR excluded.event_time_ms >= tasks.event_time_ms`,
      ),
      latestTask: db.prepare(
        `SELECT * FROM tasks WHERE identifier = @identifier
           AND (@company IS NULL OR company_name IS NULL OR company_name = @company)
         ORDER BY coalesce(event_time_ms, 0) DESC, updated_at DESC LIMIT 1`,
      ),

      deleteStitches: db.prepare(`DELETE FROM stitches WHERE identifier = ?`),
      deleteStitch: db.prepare(`DELETE FROM stitches WHERE order_id = ?`),
      insertStitch: db.prepare(
        `INSERT INTO stitches (order_id, identifier, status, transaction_id, confidence, provisional, reasons, stitched_at,
           charges, refunds)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      stitchesFor: db.prepare(`SELECT * FROM stitches WHERE identifier = ?`),
    };
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  // ---------- inbox ----------

  /** Persists an accepted event. Returns its id, or null when the dedup key was seen before. */
  accept(event: {
    dedupKey: string;
    source: InboxSource;
    eventType: string;
    body: string;
    receivedAt: number;
    status: 'pending' | 'ignored';
  }): number | null {
    const result = this.s.accept.run(event);
    return result.changes === 0 ? null : Number(result.lastInsertRowid);
  }

  /** Deletes every event, account, order, transaction and stitch (the schema stays). */
  clearAll(): void {
    const tables = ['stitches', 'transactions', 'cards', 'orders', 'tasks', 'accounts', 'users', 'inbox'];
    this.db.transaction(() => {
      for (const table of tables) this.db.exec(`DELETE FROM ${table}`);
    })();
  }

  dueEvents(limit: number): InboxEvent[] {
    return (this.s.due.all(limit) as RawInbox[]).map(toInbox);
  }

  inboxEvent(id: number): InboxEvent | undefined {
    const row = this.s.inboxById.get(id) as RawInbox | undefined;
    return row && toInbox(row);
  }

  finishEvent(
    id: number,
    status: 'done' | 'failed' | 'ignored',
    at: number,
    error: string | null = null,
  ): void {
    this.s.finish.run({ id, status, at, error });
  }

  retryEventLater(id: number, error: string, nextAt: number): void {
    this.s.retryLater.run({ id, error, nextAt });
  }

  /** A retry timer fired: the event is due again. */
  releaseEvent(id: number): void {
    this.s.release.run(id);
  }

  /** On start-up: retry timers did not survive the restart, so every waiting event is due now. */
  releaseAllRetrying(): number {
    return this.s.releaseAll.run().changes;
  }

  /** Puts a permanently failed event back in the queue (after fixing configuration, say). */
  requeueFailed(id: number): boolean {
    return this.s.requeue.run(id).changes > 0;
  }

  unsettledCount(): number {
    return this.s.unsettledCount.get() as number;
  }

  inboxCounts(): Record<InboxStatus, number> {
    const counts: Record<InboxStatus, number> = { pending: 0, retrying: 0, done: 0, failed: 0, ignored: 0 };
    for (const row of this.s.inboxCounts.all() as Array<{ status: InboxStatus; n: number }>)
      counts[row.status] = row.n;
    return counts;
  }

  listInbox(status: InboxStatus | null, limit: number): InboxEvent[] {
    return (this.s.listInbox.all({ status, limit }) as RawInbox[]).map(toInbox);
  }

  // ---------- users ----------

  ensureUser(identifier: string, atomicUserId: string | null, at: number): void {
    this.s.ensureUser.run(identifier, atomicUserId, at);
  }

  /** Every order of the user needs re-stitching (their orders were replaced, a backfill arrived). */
  markNeedsStitch(identifier: string): void {
    this.s.markNeedsStitch.run(identifier);
  }

  /** Only the orders dated `fromDay..toDay` (UTC day numbers) can be affected by what changed. */
  markDaysNeedStitch(identifier: string, fromDay: number, toDay: number): void {
    this.s.markDaysNeedStitch.run({ identifier, from: fromDay, to: toDay });
  }

  usersNeedingStitch(): StitchScope[] {
    return (
      this.s.usersNeedingStitch.all() as Array<{
        identifier: string;
        dirty_all: number;
        dirty_from: number | null;
        dirty_to: number | null;
      }>
    ).map((r) =>
      r.dirty_all === 1 || r.dirty_from === null || r.dirty_to === null
        ? { identifier: r.identifier, all: true }
        : { identifier: r.identifier, all: false, fromDay: r.dirty_from, toDay: r.dirty_to },
    );
  }

  /** Deletes processed events older than `beforeMs` (the stitcher's own jobs stay: they mark a backfill as done). */
  pruneInbox(beforeMs: number): number {
    return this.s.pruneInbox.run(beforeMs).changes;
  }

  markStitched(identifier: string, at: number): void {
    this.s.stitched.run(at, identifier);
  }

  /** Stitching is paused for this user: the pending re-stitch is dropped; reconnection asks for a new one. */
  clearNeedsStitch(identifier: string): void {
    this.s.clearNeedsStitch.run(identifier);
  }

  user(identifier: string): UserRow | undefined {
    const r = this.s.user.get(identifier) as
      | {
          identifier: string;
          atomic_user_id: string | null;
          needs_stitch: number;
          stitched_at: number | null;
          created_at: number;
        }
      | undefined;
    return (
      r && {
        identifier: r.identifier,
        atomicUserId: r.atomic_user_id,
        needsStitch: r.needs_stitch === 1,
        stitchedAt: r.stitched_at,
        createdAt: r.created_at,
      }
    );
  }

  users(): string[] {
    return (this.s.users.all() as Array<{ identifier: string }>).map((r) => r.identifier);
  }

  // ---------- accounts and orders ----------

  /** Stores what `GET /pay-link/accounts/:id` returned; the account's order list replaces the previous one. */
  saveAccount(
    identifier: string,
    account: OrderMonitoringAccount,
    updateType: string | null,
    at: number,
  ): void {
    this.s.upsertAccount.run({
      accountId: account.id,
      identifier,
      connectionStatus: account.connectionStatus,
      lastSyncedAt: account.lastSyncedAt,
      companyId: account.companyId,
      companyName: account.companyName,
      updateType,
      at,
    });
    this.s.deleteOrdersOfAccount.run(account.id);
    for (const order of account.orders) {
      this.s.insertOrder.run(
        order._id,
        account.id,
        identifier,
        order.date,
        dayOf(order.date),
        JSON.stringify(order),
      );
    }
  }

  accountsFor(identifier: string): AccountRow[] {
    return (
      this.s.accountsFor.all(identifier) as Array<{
        account_id: string;
        identifier: string;
        connection_status: string;
        last_synced_at: string | null;
        company_id: string | null;
        company_name: string | null;
        last_update_type: string | null;
        fetched_at: number;
      }>
    ).map((r) => ({
      accountId: r.account_id,
      identifier: r.identifier,
      connectionStatus: r.connection_status,
      lastSyncedAt: r.last_synced_at,
      companyId: r.company_id,
      companyName: r.company_name,
      lastUpdateType: r.last_update_type,
      fetchedAt: r.fetched_at,
    }));
  }

  ordersFor(identifier: string, days?: { fromDay: number; toDay: number }): StoredOrder[] {
    const rows = days
      ? this.s.ordersInDays.all({ identifier, from: days.fromDay, to: days.toDay })
      : this.s.ordersFor.all(identifier);
    return (rows as Array<{ order_id: string; account_id: string; data: string }>).map((r) => ({
      orderId: r.order_id,
      accountId: r.account_id,
      order: JSON.parse(r.data) as AtomicOrder,
    }));
  }

  orderCount(identifier: string): number {
    return this.s.orderCount.get(identifier) as number;
  }

  // ---------- cards and transactions ----------

  /** undefined: never looked up; null: looked up, last four unknown. */
  cardLastFour(cardId: string): string | null | undefined {
    const row = this.s.card.get(cardId) as { last_four: string | null } | undefined;
    return row === undefined ? undefined : row.last_four;
  }

  saveCard(cardId: string, lastFour: string | null, at: number): void {
    this.s.upsertCard.run(cardId, lastFour, at);
  }

  saveTransaction(txn: AtelioTransaction, customerId: string, at: number): void {
    this.s.upsertTransaction.run({
      id: txn.transaction_id,
      customerId,
      cardId: txn.details?.card_id ?? null,
      createdTime: txn.created_time,
      createdDay: dayOf(txn.created_time),
      state: txn.state,
      data: JSON.stringify(txn),
      at,
    });
  }

  transactionsFor(customerId: string, days?: { fromDay: number; toDay: number }): StoredTransaction[] {
    const rows = days
      ? this.s.transactionsInDays.all({ identifier: customerId, from: days.fromDay, to: days.toDay })
      : this.s.transactionsFor.all(customerId);
    return (
      rows as Array<{
        transaction_id: string;
        customer_id: string;
        card_id: string | null;
        data: string;
        last_four: string | null;
      }>
    ).map((r) => ({
      transactionId: r.transaction_id,
      customerId: r.customer_id,
      cardId: r.card_id,
      lastFour: r.last_four,
      transaction: JSON.parse(r.data) as AtelioTransaction,
    }));
  }

  transactionCount(customerId: string): number {
    return this.s.transactionCount.get(customerId) as number;
  }

  // ---------- tasks ----------

  /** Keeps the newest state of each task (an older event processed late does not overwrite it). */
  saveTask(task: TaskRow, at: number): void {
    this.s.upsertTask.run({ ...task, at });
  }

  /** The newest task of the user; with `companyName`, the newest one for that merchant (or of unknown merchant). */
  latestTask(identifier: string, companyName: string | null = null): TaskRow | undefined {
    const r = this.s.latestTask.get({ identifier, company: companyName }) as
      | {
          task_id: string;
          identifier: string;
          status: string;
          fail_reason: string | null;
          company_name: string | null;
          event_time_ms: number | null;
        }
      | undefined;
    return (
      r && {
        taskId: r.task_id,
        identifier: r.identifier,
        status: r.status,
        failReason: r.fail_reason,
        companyName: r.company_name,
        eventTimeMs: r.event_time_ms,
      }
    );
  }

  // ---------- stitches ----------

  /**
   * Writes the matcher's outcomes. Without `onlyOrders` every stitch of the user is replaced; with
   * it, only those orders' stitches are (the rest of the user was not re-stitched).
   */
  replaceStitches(
    identifier: string,
    outcomes: readonly OrderOutcome[],
    at: number,
    refunds: readonly RefundOutcome[] = [],
    onlyOrders?: readonly string[],
  ): void {
    if (onlyOrders) for (const orderId of onlyOrders) this.s.deleteStitch.run(orderId);
    else this.s.deleteStitches.run(identifier);
    const refundsOf = new Map<string, RefundOutcome[]>();
    for (const r of refunds) {
      const list = refundsOf.get(r.orderId);
      if (list) list.push(r);
      else refundsOf.set(r.orderId, [r]);
    }
    for (const o of outcomes) {
      const linked = refundsOf.get(o.orderId);
      const refundsJson = linked ? JSON.stringify(linked) : null;
      if (o.status === 'matched') {
        this.s.insertStitch.run(
          o.orderId,
          identifier,
          o.status,
          o.transactionId,
          o.confidence,
          o.provisional ? 1 : 0,
          JSON.stringify(o.reasons),
          at,
          o.charges ? JSON.stringify(o.charges) : null,
          refundsJson,
        );
      } else {
        this.s.insertStitch.run(
          o.orderId,
          identifier,
          o.status,
          null,
          null,
          0,
          JSON.stringify([o.reason]),
          at,
          null,
          refundsJson,
        );
      }
    }
  }

  stitchesFor(identifier: string): Map<string, StitchRow> {
    const rows = this.s.stitchesFor.all(identifier) as Array<{
      order_id: string;
      status: StitchRow['status'];
      transaction_id: string | null;
      confidence: number | null;
      provisional: number;
      reasons: string;
      stitched_at: number;
      charges: string | null;
      refunds: string | null;
    }>;
    return new Map(
      rows.map((r) => [
        r.order_id,
        {
          orderId: r.order_id,
          status: r.status,
          transactionId: r.transaction_id,
          confidence: r.confidence,
          provisional: r.provisional === 1,
          reasons: JSON.parse(r.reasons) as string[],
          stitchedAt: r.stitched_at,
          charges: r.charges === null ? null : (JSON.parse(r.charges) as ChargeOutcome[]),
          refunds: r.refunds === null ? [] : (JSON.parse(r.refunds) as RefundOutcome[]),
        },
      ]),
    );
  }
}
