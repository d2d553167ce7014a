import type { WebhookTargetCheck } from '../../core/vendor-store';
import type { Clock } from '../../core/clock';
import type { Emitter } from '../../core/emitter';
import type { SeededRandom } from '../../core/random';
import type { Card } from '../cards/schema';
import type { Customer } from '../customers/schema';
import { conflict, invalidRequest } from './errors';
import { toMs, type TimeInput } from '../shared/time';
import type { WebhookSubscription } from '../webhooks/schema';
import type { AtelioStoreEvents } from './events';
import type { AccountRecord, TransactionRecord } from './state';

/** Ids may be any caller-chosen text (e.g. an Atomic user identifier, up to 256 characters) without control characters. */
const isAcceptableId = (id: unknown): id is string =>
  typeof id === 'string' &&
  id.length >= 1 &&
  id.length <= 256 &&
  [...id].every((ch) => ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) !== 0x7f);

export function checkId(kind: string, id: string): string {
  if (!isAcceptableId(id)) {
    throw invalidRequest(
      `${kind} id must be 1 to 256 characters without control characters; got ${JSON.stringify(id)}`,
    );
  }
  return id;
}

/**
 * What every section of the Atelio store (customers, transactions, subscriptions) works with: the
 * live tables, the clock, the id generator and the event channel. The facade (`AtelioStore`) owns
 * one and replaces its tables on reset and import.
 */
export class AtelioContext {
  brandId = '';
  programId = '';
  seq = 0;
  muted = false;
  customers = new Map<string, Customer>();
  accounts = new Map<string, AccountRecord>();
  cards = new Map<string, Card>();
  transactions = new Map<string, TransactionRecord>();
  /** All transactions ordered by (created time, creation order). */
  ordered: TransactionRecord[] = [];
  subscriptions = new Map<string, WebhookSubscription>();
  /** Set by the platform through `AtelioStore.webhookTargetCheck`: why a URL may not receive webhooks. */
  webhookTargetCheck: WebhookTargetCheck | undefined = undefined;

  constructor(
    readonly clock: Clock,
    readonly events: Emitter<AtelioStoreEvents>,
    public random: SeededRandom,
  ) {}

  emit<K extends keyof AtelioStoreEvents>(event: K, payload: AtelioStoreEvents[K]): void {
    if (!this.muted) this.events.emit(event, payload);
  }

  timeOf(at: TimeInput | undefined): number {
    return at === undefined ? this.clock.now() : toMs(at);
  }

  newId(chosen: string | undefined, kind: string, taken: Map<string, unknown>): string {
    if (chosen !== undefined) {
      checkId(kind, chosen);
      if (taken.has(chosen)) throw conflict(`${kind} ${chosen} already exists.`);
      return chosen;
    }
    let id = this.random.uuid();
    while (taken.has(id)) id = this.random.uuid();
    return id;
  }
}
