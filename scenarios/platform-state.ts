import { z } from 'zod';
import { PlatformClock, type Clock } from '../core/clock';
import type { FaultInjector } from '../core/faults';
import type { RequestJournal } from '../core/journal';
import {
  DEFAULT_LOG_CAPACITY,
  savedDeliveryLogSchema,
  type DeliveryEngine,
  type DeliveryEventRecord,
  type WebhookTarget,
} from '../core/webhooks';
import type { AtelioMock } from '../mock-atelio';
import type { AtomicMock, AtomicStore } from '../mock-atomic';
import type { TransactSessions } from '../transact';
import type { ScenarioRunner } from './runner';
import {
  SeededWorldStateSchema,
  type SeededWorldCharges,
  type SeededWorldState,
} from './seeded-world-charges';

/**
 * The platform's whole state as one document: reset to the seeded baseline, export (`GET
 * /api/state`, `--state-file`) and import (`PUT /api/state`, a restart), with the webhooks still
 * on their way and the delivery log's settled events.
 */

/** What a reset may keep: `webhooks` = endpoints, secrets and subscriptions registered with the mocks. */
export const RESET_KEEPABLE = ['webhooks'] as const;
export type ResetKeep = (typeof RESET_KEEPABLE)[number];
export interface ResetOptions {
  /** What survives the reset; default `['webhooks']`. `[]` wipes everything. */
  keep?: readonly ResetKeep[];
}
const DEFAULT_RESET_KEEP: readonly ResetKeep[] = ['webhooks'];

export interface PlatformState {
  version: 1;
  clockOffsetMs: number;
  atomic: unknown;
  atelio: unknown;
  /**
   * Webhook URLs the platform registered itself (the stitcher's, `--webhook-url`). Another
   * platform importing the state drops those it does not use (a stitcher on another port).
   */
  receivers?: string[];
  /**
   * Webhooks still on their way when the state was taken. Importing the state sends them again to
   * the current targets: a crash or restart loses no webhook (receivers de-duplicate the repeats).
   */
  pendingWebhooks?: PendingWebhook[];
  /**
   * The delivery log's settled events (delivered, failed, dropped), oldest first, at most the log's
   * capacity: after a restart `GET /api/deliveries` still shows what was delivered before it.
   */
  deliveryLog?: DeliveryEventRecord[];
  /**
   * The seeded world's growth (docs/decisions/030): which Amazon orders became which Atelio card
   * charges since start, and the settlements still to come. Absent when the world is not shared.
   */
  world?: SeededWorldState;
}

/** A webhook published but not yet delivered (or given up on) when the state was taken. */
export interface PendingWebhook {
  id: string;
  vendor: 'atomic' | 'atelio';
  eventType: string;
  /** The exact body, sent again byte for byte (same Atomic `ce-id`, so receivers de-duplicate). */
  body: string;
  eventTime: string;
}

/** The furthest the platform clock may be ahead of real time in an imported state: 100 years. */
export const MAX_CLOCK_OFFSET_MS = 100 * 366 * 86_400_000;
/** Pending webhooks kept in a state document (the delivery log's own capacity). */
const MAX_PENDING_WEBHOOKS = 1000;

const PendingWebhookSchema = z
  .object({
    id: z.string().min(1).max(200),
    vendor: z.enum(['atomic', 'atelio']),
    eventType: z.string().min(1).max(200),
    body: z.string().max(1024 * 1024),
    eventTime: z.iso.datetime(),
  })
  .strict();
/** The platform's own fields of a state document; the stores check theirs. */
const PlatformStateFieldsSchema = z.object({
  version: z.literal(1, 'state.version must be 1 (export one with GET /api/state)'),
  clockOffsetMs: z.number().int().min(0).max(MAX_CLOCK_OFFSET_MS).optional(),
  receivers: z.array(z.string().max(2048)).max(100).optional(),
  pendingWebhooks: z.array(PendingWebhookSchema).max(MAX_PENDING_WEBHOOKS).optional(),
  deliveryLog: savedDeliveryLogSchema(DEFAULT_LOG_CAPACITY).optional(),
  world: SeededWorldStateSchema.optional(),
});

/** The parts of the platform a state operation touches. */
export interface StateParts {
  /** The base clock: a `PlatformClock`'s lead over real time is part of the state. */
  clock: Clock;
  engine: DeliveryEngine;
  atomic: AtomicMock;
  atelio: AtelioMock;
  scenarios: ScenarioRunner;
  transactSessions: TransactSessions;
  journal: RequestJournal;
  faults: FaultInjector;
  /** The shared world's later charges, when the platform has one. */
  seededWorld?: SeededWorldCharges | undefined;
}

/** What the host around the platform (the servers of `startSandbox`) adds to its state. */
export interface StateHost {
  /** The webhook URLs the host registered itself (the stitcher's, `--webhook-url`). */
  receiverUrls(): string[];
  /** Registers them with both mocks; runs again after every reset and import. */
  registerReceivers(): void;
  /** Why a webhook URL may not be a target (undefined: it may); an imported state is held to it. */
  webhookTargetRefusal(url: string): string | undefined;
  /** What else a reset clears (the stitcher's data, recordings). */
  onReset(): void | Promise<void>;
  /** After a reset, once the receivers are registered again (the seeded world's announcement). */
  afterReset?(): Promise<void>;
}

export const NO_HOST: StateHost = {
  receiverUrls: () => [],
  registerReceivers: () => {},
  webhookTargetRefusal: () => undefined,
  onReset: () => {},
};

export interface PlatformStateOperations {
  /**
   * Back to the seeded baseline: stores, delivery log, journal, faults, chaos rules, Transact
   * sessions and what the host clears. Webhook registrations are kept unless `keep` leaves out
   * `'webhooks'` (`{keep: []}` wipes everything).
   */
  reset(options?: ResetOptions): Promise<void>;
  /** The state; `pending` replaces the webhooks still on their way (those caught as a stop began). */
  exportState(pending?: PendingWebhook[]): PlatformState;
  /** Both stores or neither: a document either refuses leaves the platform as it was. */
  importState(state: unknown): Promise<void>;
  /** Webhooks published and not yet settled, oldest first, to be sent again after a restart. */
  pendingWebhooks(): PendingWebhook[];
}

/** A virtual clock has no lead over real time: its time is the test's to drive. */
const leadOf = (clock: Clock) =>
  clock instanceof PlatformClock ? clock : { offsetMs: 0, advance: (_ms: number) => {} };

export function createStateOperations(parts: StateParts, host: StateHost = NO_HOST): PlatformStateOperations {
  const { engine, atomic, atelio } = parts;
  const lead = leadOf(parts.clock);

  const reset = async (options: ResetOptions = {}) => {
    // Webhook registrations are configuration a test suite makes once; by default they survive.
    const keepWebhookRegistrations = (options.keep ?? DEFAULT_RESET_KEEP).includes('webhooks');
    await parts.scenarios.cancelAll();
    await engine.reset();
    engine.chaos.clear();
    atomic.reset({ keepWebhookRegistrations });
    atelio.reset({ keepWebhookRegistrations });
    parts.seededWorld?.reset();
    parts.transactSessions.clear();
    parts.journal.clear();
    parts.faults.clear();
    await host.onReset();
    host.registerReceivers();
    await host.afterReset?.();
  };

  /** Drops registrations another platform made for its own receivers (e.g. a stitcher on another port). */
  const dropForeignReceivers = (urls: unknown) => {
    if (!Array.isArray(urls)) return;
    const ours = new Set(host.receiverUrls());
    const stale = new Set(urls.filter((url): url is string => typeof url === 'string' && !ours.has(url)));
    for (const endpoint of atomic.store.listWebhookEndpoints())
      if (stale.has(endpoint.url)) atomic.store.deleteWebhookEndpoint(endpoint._id);
    for (const subscription of atelio.store.listWebhookSubscriptions())
      if (stale.has(subscription.url)) atelio.store.deleteWebhookSubscription(subscription.id);
  };

  /** An imported state is held to the same webhook-target rules as a registration. */
  const refuseDisallowedTargets = (droppedReceivers: readonly string[]) => {
    // The other platform's own receivers in the document are dropped right after, not kept.
    const dropped = new Set(droppedReceivers);
    const urls = [
      ...atomic.store.listWebhookEndpoints().map((e) => e.url),
      ...atelio.store.listWebhookSubscriptions().map((s) => s.url),
    ].filter((url) => !dropped.has(url) || host.receiverUrls().includes(url));
    for (const url of urls) {
      const refusal = host.webhookTargetRefusal(url);
      if (refusal !== undefined) throw new Error(`webhook target ${url} ${refusal}`);
    }
  };

  const pendingWebhooks = (): PendingWebhook[] =>
    engine.log
      .list({ status: 'pending', limit: MAX_PENDING_WEBHOOKS })
      .reverse()
      .map((event) => ({
        id: event.id,
        vendor: event.vendor as 'atomic' | 'atelio',
        eventType: event.eventType,
        body: event.body,
        eventTime: event.eventTime,
      }));

  const exportState = (pending: PendingWebhook[] = pendingWebhooks()): PlatformState => {
    // An event is either sent again after a restart or shown as settled, never both.
    const resent = new Set(pending.map((webhook) => webhook.id));
    const settled = engine.exportSettled().filter((event) => !resent.has(event.id));
    return {
      version: 1,
      clockOffsetMs: lead.offsetMs,
      atomic: atomic.exportState(),
      atelio: atelio.exportState(),
      receivers: host.receiverUrls(),
      ...(pending.length ? { pendingWebhooks: pending } : {}),
      ...(settled.length ? { deliveryLog: settled } : {}),
      ...(parts.seededWorld ? { world: parts.seededWorld.exportState() } : {}),
    };
  };

  type AtomicEventType = Parameters<AtomicStore['webhookTargets']>[0];
  /** Signing secrets for restored log entries, from the registrations in force now. */
  const secretOf = (vendor: string, eventType: string, targetId: string) =>
    vendor === 'atomic'
      ? atomic.store
          .webhookTargets(eventType as AtomicEventType)
          .find((target) => target.endpointId === targetId)?.secret
      : atelio.store.listWebhookSubscriptions().find((subscription) => subscription.id === targetId)?.secret;

  /** The targets registered now for a webhook of an imported state. */
  const targetsOf = (webhook: PendingWebhook): WebhookTarget[] =>
    webhook.vendor === 'atomic'
      ? atomic.store
          .webhookTargets(webhook.eventType as AtomicEventType)
          .map((t) => ({ id: t.endpointId, url: t.url, secret: t.secret }))
      : atelio.store
          .subscriptionsFor(webhook.eventType)
          .map((t) => ({ id: t.id, url: t.url, secret: t.secret }));

  /** Sends the pending webhooks of an imported state to the targets registered now. */
  const resendPending = (pending: readonly PendingWebhook[]) => {
    for (const webhook of pending) {
      const targets = targetsOf(webhook);
      if (targets.length === 0 || engine.log.get(webhook.id)) continue;
      engine.publish({
        vendor: webhook.vendor,
        eventType: webhook.eventType,
        body: webhook.body,
        targets,
        id: webhook.id,
        time: webhook.eventTime,
      });
    }
  };

  const importState = async (input: unknown) => {
    const fields = PlatformStateFieldsSchema.safeParse(input);
    if (!fields.success) {
      const issue = fields.error.issues[0]!;
      throw new Error(`state.${issue.path.join('.') || 'version'}: ${issue.message}`);
    }
    const state = input as PlatformState;
    // Both stores or neither: a document one of them refuses leaves the platform as it was.
    const previous = { atomic: atomic.exportState(), atelio: atelio.exportState() };
    try {
      atomic.importState(state.atomic);
      atelio.importState(state.atelio);
      refuseDisallowedTargets(fields.data.receivers ?? []);
    } catch (error) {
      atomic.importState(previous.atomic);
      atelio.importState(previous.atelio);
      throw error;
    }
    // The world's charges refer to the stores just imported: an import without them starts none.
    parts.seededWorld?.importState(fields.data.world);
    await engine.reset();
    dropForeignReceivers(state.receivers);
    host.registerReceivers();
    const offset = fields.data.clockOffsetMs;
    if (offset !== undefined && offset > lead.offsetMs) lead.advance(offset - lead.offsetMs);
    engine.restoreSettled(fields.data.deliveryLog ?? [], secretOf);
    resendPending(fields.data.pendingWebhooks ?? []);
  };

  return { reset, exportState, importState, pendingWebhooks };
}
