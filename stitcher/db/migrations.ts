/**
 * Schema migrations, applied in order inside a transaction each and recorded in
 * `schema_migrations`. Never edit a shipped migration; add the next one.
 */
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'inbox, users, accounts, orders, transactions, cards, tasks, stitches',
    sql: `
      -- Every accepted webhook, persisted before it is acknowledged; also the de-duplication record.
      CREATE TABLE inbox (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        dedup_key       TEXT    NOT NULL UNIQUE,
        source          TEXT    NOT NULL,             -- atomic | atelio | stitcher (internal jobs)
        event_type      TEXT    NOT NULL,
        body            TEXT    NOT NULL,
        received_at     INTEGER NOT NULL,
        status          TEXT    NOT NULL CHECK (status IN ('pending', 'retrying', 'done', 'failed', 'ignored')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        last_error      TEXT,
        next_attempt_at INTEGER,
        processed_at    INTEGER
      );
      CREATE INDEX inbox_by_status ON inbox (status, id);

      -- Atomic user identifier = Atelio customer_id.
      CREATE TABLE users (
        identifier     TEXT    PRIMARY KEY,
        atomic_user_id TEXT,
        needs_stitch   INTEGER NOT NULL DEFAULT 0,
        stitched_at    INTEGER,
        created_at     INTEGER NOT NULL
      );

      -- The Atomic account <-> user mapping, with what the last GET /pay-link/accounts/:id said.
      CREATE TABLE accounts (
        account_id        TEXT    PRIMARY KEY,
        identifier        TEXT    NOT NULL REFERENCES users (identifier),
        connection_status TEXT    NOT NULL,
        last_synced_at    TEXT,
        company_id        TEXT,
        company_name      TEXT,
        last_update_type  TEXT,
        fetched_at        INTEGER NOT NULL
      );
      CREATE INDEX accounts_by_user ON accounts (identifier);

      CREATE TABLE orders (
        order_id   TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
        identifier TEXT NOT NULL,
        order_date TEXT NOT NULL,
        data       TEXT NOT NULL                      -- the order as Atomic sent it (narrowed)
      );
      CREATE INDEX orders_by_user ON orders (identifier);
      CREATE INDEX orders_by_account ON orders (account_id);

      CREATE TABLE cards (
        card_id    TEXT    PRIMARY KEY,
        last_four  TEXT,
        fetched_at INTEGER NOT NULL
      );

      CREATE TABLE transactions (
        transaction_id TEXT    PRIMARY KEY,
        customer_id    TEXT    NOT NULL,
        card_id        TEXT,
        created_time   TEXT    NOT NULL,
        state          TEXT    NOT NULL,
        data           TEXT    NOT NULL,              -- the transaction as Atelio sent it (narrowed)
        fetched_at     INTEGER NOT NULL
      );
      CREATE INDEX transactions_by_customer ON transactions (customer_id);

      -- Task webhooks: the failReason explains why an account was disconnected.
      CREATE TABLE tasks (
        task_id       TEXT    PRIMARY KEY,
        identifier    TEXT    NOT NULL,
        status        TEXT    NOT NULL,
        fail_reason   TEXT,
        company_name  TEXT,
        event_time_ms INTEGER,
        updated_at    INTEGER NOT NULL
      );
      CREATE INDEX tasks_by_user ON tasks (identifier, event_time_ms);

      -- The matcher's last outcome per order (derived; recomputed on every re-stitch).
      CREATE TABLE stitches (
        order_id       TEXT    PRIMARY KEY,
        identifier     TEXT    NOT NULL,
        status         TEXT    NOT NULL CHECK (status IN ('matched', 'unmatchable', 'awaiting-transaction')),
        transaction_id TEXT    UNIQUE,
        confidence     REAL,
        provisional    INTEGER NOT NULL DEFAULT 0,
        reasons        TEXT    NOT NULL,              -- JSON array of strings
        stitched_at    INTEGER NOT NULL
      );
      CREATE INDEX stitches_by_user ON stitches (identifier);
    `,
  },
  {
    version: 2,
    name: 'split-shipment charges and linked refunds on each stitch',
    sql: `
      ALTER TABLE stitches ADD COLUMN charges TEXT;   -- JSON [{transactionId, amountCents, products}] for a split shipment
      ALTER TABLE stitches ADD COLUMN refunds TEXT;   -- JSON [RefundOutcome] linked to the order
    `,
  },
  {
    version: 3,
    name: 'UTC days on orders and transactions, the days a user needs re-stitched',
    sql: `
      -- UTC day numbers (days since 1970-01-01), so a change re-stitches only the days it can reach.
      ALTER TABLE orders ADD COLUMN order_day INTEGER;
      ALTER TABLE transactions ADD COLUMN created_day INTEGER;
      UPDATE orders SET order_day = CAST(floor(julianday(order_date) - 2440587.5) AS INTEGER);
      UPDATE transactions SET created_day = CAST(floor(julianday(created_time) - 2440587.5) AS INTEGER);
      CREATE INDEX orders_by_user_day ON orders (identifier, order_day);
      CREATE INDEX transactions_by_customer_day ON transactions (customer_id, created_day);
      -- What the next re-stitch covers: every order (dirty_all) or the order days dirty_from..dirty_to.
      ALTER TABLE users ADD COLUMN dirty_all INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE users ADD COLUMN dirty_from INTEGER;
      ALTER TABLE users ADD COLUMN dirty_to INTEGER;
      UPDATE users SET dirty_all = 1 WHERE needs_stitch = 1;
    `,
  },
];

export function migrate(
  db: Database.Database,
  nowMs: number,
  migrations: readonly Migration[] = MIGRATIONS,
): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at TEXT    NOT NULL
  )`);
  const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  const newest = Math.max(0, ...migrations.map((m) => m.version));
  const unknown = [...applied].filter((v) => v > newest);
  if (unknown.length > 0) {
    // Opening a database written by a newer release would silently misread it.
    throw new Error(
      `stitcher database has schema version ${Math.max(...unknown)}, newer than this code (${newest})`,
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const ran: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date(nowMs).toISOString());
    })();
    ran.push(migration.version);
  }
  return ran;
}
