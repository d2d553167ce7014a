import { AsyncLocalStorage } from 'node:async_hooks';
import type { SeededRandom } from './random';
import type { DeliveryEngine, DeliveryRecording, WebhookTarget } from './webhooks/engine';

/**
 * What a scenario run makes ambient while it executes, next to `ScopedClock`'s clock: where its ids
 * come from and who wants to hear about the webhooks it causes. Store listeners (the webhook wiring)
 * run synchronously inside the store call that changed something, so they see the context of the
 * run that made the change; ordinary API traffic and other runs see their own context or none.
 */
export interface RunContext {
  readonly runId: string;
  /** Seeded by the run, so data created during it depends only on the run's inputs. */
  readonly random: SeededRandom;
  /** The next webhook event id (Atomic `ce-id`) for an event this run causes. */
  nextEventId(): string;
  /** A store change of this run became a webhook event (`eventId` null: nobody subscribes to it). */
  onWebhook(webhook: RunWebhook): void;
  /** Every delivery attempt of this run's events, as the delivery engine's recorder sees it. */
  onDeliveryAttempt?(recording: DeliveryRecording): void;
}

export interface RunWebhook {
  eventId: string | null;
  vendor: 'atomic' | 'atelio';
  eventType: string;
  /** How many endpoints / subscriptions it was sent to. */
  targets: number;
}

const storage = new AsyncLocalStorage<RunContext>();

/** The run whose code is executing now, if any. */
export function currentRunContext(): RunContext | undefined {
  return storage.getStore();
}

/** Runs `fn` (and everything it schedules asynchronously) as part of `context`. */
export function runInContext<T>(context: RunContext, fn: () => T): T {
  return storage.run(context, fn);
}

/**
 * Runs `fn` as part of no run, whatever context called it: for work of the platform's own (the
 * scheduled refreshes) that a timer may fire from inside a run's async context.
 */
export function outsideAnyRun<T>(fn: () => T): T {
  return storage.exit(fn);
}

/**
 * A delivery engine `recorder` that hands each attempt to the run that caused it. A first attempt
 * runs in the async context its event was published from; a retry in the context of whatever fired
 * its timer, which for a run is the run itself, since only the run moves its own clock. So the run
 * is known here without the engine knowing about runs. Pass it when creating the platform's engine:
 * `createDeliveryEngine({clock, recorder: recordAttemptInRunContext})`.
 */
export function recordAttemptInRunContext(recording: DeliveryRecording): void {
  storage.getStore()?.onDeliveryAttempt?.(recording);
}

/**
 * Publishes one webhook event for a store change. Inside a scenario run the event id comes from the
 * run's seeded sequence (so Atomic's `ce-id` is byte-stable) and the run hears about the event;
 * elsewhere the engine picks the id. A publishing failure never breaks the store call that caused
 * it (the state change has already happened): it is reported on the engine's `error` event.
 */
export function publishWebhook(
  engine: DeliveryEngine,
  input: {
    vendor: 'atomic' | 'atelio';
    eventType: string;
    /** The user the change concerns (Atomic `identifier`, Atelio `customer_id`): the event's subject. */
    subject?: string;
    body: object;
    targets: readonly WebhookTarget[];
    /** The event's own time; default: read from the body by the engine. */
    time?: number;
  },
): string | null {
  const run = storage.getStore();
  let id = run?.nextEventId();
  // The same run inputs on the same platform give the same ids and the engine refuses a repeat, so
  // a repeated id falls back to a fresh one (byte-stability is a property of a fresh platform).
  if (id !== undefined && engine.log.get(id)) id = undefined;
  let eventId: string | null = null;
  try {
    eventId = engine.publish({ ...input, ...(id === undefined ? {} : { id }) });
  } catch (error) {
    engine.events.emit('error', {
      message: `could not publish the ${input.vendor} ${input.eventType} webhook: ${error instanceof Error ? error.message : String(error)}`,
      error,
    });
  }
  run?.onWebhook({
    eventId,
    vendor: input.vendor,
    eventType: input.eventType,
    targets: eventId === null ? 0 : input.targets.length,
  });
  return eventId;
}
