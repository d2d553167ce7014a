/**
 * What each accepted event means. Handlers do their vendor calls first (async, may fail and be
 * retried) and return a `commit` that the inbox worker runs in one SQLite transaction together with
 * marking the event done, so an event is either fully applied or still in the inbox.
 *
 * Following vendor-docs 000 ("Continuous Access"): on `pay-link-accounts-updated`, fetch each
 * account, store connectionStatus, lastSyncedAt and orders, and re-stitch the user. On Atelio
 * `transactions`, fetch the current transaction (webhooks can arrive late or out of order; the API
 * answer is the latest state) and its card's last four, store it, and re-stitch the customer.
 */
import { VendorApiError } from './clients/http';
import type { AtomicClient, OrderMonitoringAccount } from './clients/atomic';
import type { AtelioClient } from './clients/atelio';
import { parseTimestamp, utcDay } from './dates';
import type { StitcherLogger } from './log';
import type { InboxEvent, StitcherStore } from './store';
import {
  AtelioWebhookSchema,
  AtomicWebhookSchema,
  PayLinkAccountsUpdatedDataSchema,
  TaskStatusUpdatedDataSchema,
} from './vendor-schemas';
import type { AtelioTransaction } from './vendor-schemas';

/** The event itself is unusable; retrying cannot help. */
export class PermanentEventError extends Error {
  override readonly name = 'PermanentEventError';
}

export type HandlerResult = { status: 'done' | 'ignored'; commit: () => void };

export const BACKFILL_EVENT = 'atelio-backfill';

/** Atomic and Atelio event types this service acts on; anything else is recorded and ignored. */
export const HANDLED_ATOMIC_EVENTS = new Set(['pay-link-accounts-updated', 'task-status-updated']);
export const HANDLED_ATELIO_EVENTS = new Set(['transactions']);

export interface ProcessorDeps {
  store: StitcherStore;
  atomic: AtomicClient;
  atelio: AtelioClient;
  now: () => number;
  log: StitcherLogger;
  /** Pull a customer's existing card transactions the first time their Atomic account appears. */
  backfill: boolean;
}

function parseBody(event: InboxEvent): unknown {
  try {
    return JSON.parse(event.body);
  } catch {
    throw new PermanentEventError('stored body is not JSON');
  }
}

const isNotFound = (error: unknown) => error instanceof VendorApiError && error.status === 404;

export function createEventProcessor(deps: ProcessorDeps): (event: InboxEvent) => Promise<HandlerResult> {
  const { store, atomic, atelio, now, log } = deps;

  /** Last four for the cards not seen before; an unknown card (404) is remembered as "last four unknown". */
  async function lookUpCards(cardIds: Iterable<string>): Promise<Map<string, string | null>> {
    const found = new Map<string, string | null>();
    for (const cardId of new Set(cardIds)) {
      if (store.cardLastFour(cardId) !== undefined) continue;
      try {
        const card = await atelio.getCard(cardId);
        found.set(cardId, card.last_four && /^\d{4}$/.test(card.last_four) ? card.last_four : null);
      } catch (error) {
        if (!isNotFound(error)) throw error;
        log('warn', 'card not found; its transactions match without last four', { cardId });
        found.set(cardId, null);
      }
    }
    return found;
  }

  async function payLinkAccountsUpdated(event: InboxEvent): Promise<HandlerResult> {
    const envelope = AtomicWebhookSchema.parse(parseBody(event));
    const data = PayLinkAccountsUpdatedDataSchema.parse(envelope.data);
    const identifier = envelope.user.identifier;
    const fetched: Array<{ account: OrderMonitoringAccount; updateType: string | null }> = [];
    const seen = new Set<string>();
    for (const { _id, updateType } of data.accounts) {
      if (seen.has(_id)) continue;
      seen.add(_id);
      let account: OrderMonitoringAccount;
      try {
        account = await atomic.getAccount(_id);
      } catch (error) {
        if (isNotFound(error)) throw new PermanentEventError(`Atomic account ${_id} does not exist (404)`);
        throw error;
      }
      for (const bad of account.unreadableOrders) {
        log('warn', 'skipped an order without the fields stitching needs', { accountId: _id, ...bad });
      }
      fetched.push({ account, updateType: updateType ?? null });
    }
    return {
      status: 'done',
      commit: () => {
        const at = now();
        store.ensureUser(identifier, envelope.user._id ?? null, at);
        for (const { account, updateType } of fetched) store.saveAccount(identifier, account, updateType, at);
        store.markNeedsStitch(identifier);
        if (deps.backfill) {
          store.accept({
            dedupKey: `stitcher:${BACKFILL_EVENT}:${identifier}`,
            source: 'stitcher',
            eventType: BACKFILL_EVENT,
            body: JSON.stringify({ identifier }),
            receivedAt: at,
            status: 'pending',
          });
        }
      },
    };
  }

  async function taskStatusUpdated(event: InboxEvent): Promise<HandlerResult> {
    const envelope = AtomicWebhookSchema.parse(parseBody(event));
    const data = TaskStatusUpdatedDataSchema.parse(envelope.data);
    const identifier = envelope.user.identifier;
    return {
      status: 'done',
      commit: () => {
        const at = now();
        store.ensureUser(identifier, envelope.user._id ?? null, at);
        store.saveTask(
          {
            taskId: envelope.task ?? `event-${event.id}`,
            identifier,
            status: data.status,
            failReason: data.failReason ?? null,
            companyName: envelope.company?.name ?? null,
            eventTimeMs: parseTimestamp(envelope.eventTime),
          },
          at,
        );
      },
    };
  }

  async function transactionEvent(event: InboxEvent): Promise<HandlerResult> {
    const hook = AtelioWebhookSchema.parse(parseBody(event));
    if (!hook.transaction_id) throw new PermanentEventError('transactions event without transaction_id');
    let txn: AtelioTransaction;
    try {
      txn = await atelio.getTransaction(hook.transaction_id);
    } catch (error) {
      if (isNotFound(error))
        throw new PermanentEventError(`Atelio transaction ${hook.transaction_id} does not exist (404)`);
      throw error;
    }
    const customerId = txn.customer_id ?? hook.customer_id;
    if (!customerId) throw new PermanentEventError(`transaction ${txn.transaction_id} has no customer_id`);
    const cards = await lookUpCards(txn.details?.card_id ? [txn.details.card_id] : []);
    return {
      status: 'done',
      commit: () => {
        const at = now();
        for (const [cardId, lastFour] of cards) store.saveCard(cardId, lastFour, at);
        store.saveTransaction(txn, customerId, at);
        store.ensureUser(customerId, null, at);
        // Only the orders this transaction's day can reach are re-stitched (see stitching.ts).
        const createdMs = parseTimestamp(txn.created_time);
        if (createdMs === null) store.markNeedsStitch(customerId);
        else store.markDaysNeedStitch(customerId, utcDay(createdMs), utcDay(createdMs));
      },
    };
  }

  async function backfill(event: InboxEvent): Promise<HandlerResult> {
    const { identifier } = parseBody(event) as { identifier?: unknown };
    if (typeof identifier !== 'string') throw new PermanentEventError('backfill job without identifier');
    let transactions: AtelioTransaction[];
    try {
      const result = await atelio.listTransactions({ customerId: identifier, paymentType: 'card' });
      transactions = result.transactions;
      if (result.unreadable > 0)
        log('warn', 'skipped unreadable transactions in backfill', { identifier, count: result.unreadable });
    } catch (error) {
      // Not an Atelio customer (yet): nothing to pull; webhooks bring whatever comes later.
      if (!isNotFound(error)) throw error;
      transactions = [];
    }
    const cards = await lookUpCards(
      transactions.flatMap((t) => (t.details?.card_id ? [t.details.card_id] : [])),
    );
    return {
      status: 'done',
      commit: () => {
        const at = now();
        for (const [cardId, lastFour] of cards) store.saveCard(cardId, lastFour, at);
        for (const txn of transactions) store.saveTransaction(txn, txn.customer_id ?? identifier, at);
        store.ensureUser(identifier, null, at);
        store.markNeedsStitch(identifier);
      },
    };
  }

  return async (event) => {
    switch (`${event.source}/${event.eventType}`) {
      case 'atomic/pay-link-accounts-updated':
        return payLinkAccountsUpdated(event);
      case 'atomic/task-status-updated':
        return taskStatusUpdated(event);
      case 'atelio/transactions':
        return transactionEvent(event);
      case `stitcher/${BACKFILL_EVENT}`:
        return backfill(event);
      default:
        return { status: 'ignored', commit: () => {} };
    }
  };
}
