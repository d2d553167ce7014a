import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { IncomingMessage } from 'node:http';
import type { Clock, TimerId } from '../../core/clock';
import type { Emitter } from '../../core/emitter';
import type { DeliveryEngineEvents } from '../../core/webhooks';
import type { AtelioStoreEvents } from '../../mock-atelio';
import type { AtomicStoreEvents } from '../../mock-atomic';
import type { ScenarioRunnerEvents } from '../../scenarios';

/**
 * `GET /api/events`: one Server-Sent Events stream of everything the dashboard shows changing —
 * webhook deliveries, scenario progress, store changes per user, the stitcher's results, resets —
 * plus heartbeats. Messages say *what* changed and *for whom*; the page then reads the current
 * state from the JSON routes. So a missed message never leaves the page wrong: after a reconnect
 * (or a `resync`) it simply reads everything again.
 */

export const LIVE_EVENT_NAMES = [
  'hello',
  'heartbeat',
  'delivery',
  'run',
  'users',
  'stitcher',
  'reset',
  'resync',
] as const;
export type LiveEventName = (typeof LIVE_EVENT_NAMES)[number];

export interface LiveMessage {
  event: LiveEventName;
  data: Record<string, unknown>;
}

export interface LiveFeedSources {
  /**
   * Real time for heartbeats and batching: the platform clock itself, never a ScopedClock. Store
   * events fire inside scenario runs, where a ScopedClock would hand out the run's virtual clock.
   */
  clock: Clock;
  /** The delivery engine's events; each delivery names its user (`subject`) as the wiring published it. */
  engine: { events: Emitter<DeliveryEngineEvents> };
  scenarios?: { events: Emitter<ScenarioRunnerEvents> } | undefined;
  atomic?: { events: Emitter<AtomicStoreEvents> } | undefined;
  atelio?: { events: Emitter<AtelioStoreEvents> } | undefined;
  /**
   * The reference stitcher. It has no change events of its own, so a successful delivery to a URL
   * under `url` is taken as "this user's stitching may change" and announced once the stitcher has
   * processed its inbox (`idle`).
   */
  stitcher?: { url: string; idle(): Promise<void> } | undefined;
  /** Default 15 s. */
  heartbeatMs?: number;
  /** Store changes are gathered for this long and announced as one `users` message. Default 100 ms. */
  batchMs?: number;
  /** While the stitcher is still busy, what it has touched so far is announced this often. Default 2 s. */
  stitcherPollMs?: number;
}

export interface LiveFeed {
  /** Starts listening to the sources with the first subscriber and stops with the last. */
  subscribe(listener: (message: LiveMessage) => void): () => void;
  readonly subscriberCount: number;
  readonly heartbeatMs: number;
}

const DEFAULT_HEARTBEAT_MS = 15_000;
const DEFAULT_BATCH_MS = 100;
const DEFAULT_STITCHER_POLL_MS = 2_000;

/** Whom an Atomic store change concerns (the user identifier), if anyone. */
function atomicIdentifier(name: keyof AtomicStoreEvents, payload: unknown): string | undefined {
  const p = payload as { user?: { identifier?: string }; task?: { user?: { identifier?: string } } };
  if (
    name === 'task-created' ||
    name === 'task-status-updated' ||
    name === 'task-authentication-status-updated'
  )
    return p.task?.user?.identifier;
  return p.user?.identifier;
}

/** Whom an Atelio store change concerns (the customer id), if anyone. */
function atelioIdentifier(name: keyof AtelioStoreEvents, payload: unknown): string | undefined {
  const p = payload as {
    customer?: { customer_id?: string };
    account?: { customer_id?: string };
    card?: { customer_id?: string };
    transaction?: { customer_id?: string };
    customerId?: string;
  };
  switch (name) {
    case 'customer-created':
      return p.customer?.customer_id;
    case 'account-created':
      return p.account?.customer_id;
    case 'card-created':
    case 'card-updated':
      return p.card?.customer_id;
    case 'transaction-created':
    case 'transaction-updated':
      return p.transaction?.customer_id;
    case 'transaction-failed':
      return p.customerId;
    default:
      return undefined;
  }
}

const ATOMIC_USER_EVENTS = [
  'user-created',
  'user-updated',
  'task-created',
  'task-status-updated',
  'task-authentication-status-updated',
  'pay-link-accounts-updated',
  'orders-changed',
  'linked-account-updated',
  'monitoring-ended',
] as const satisfies readonly (keyof AtomicStoreEvents)[];

const ATELIO_USER_EVENTS = [
  'customer-created',
  'account-created',
  'card-created',
  'card-updated',
  'transaction-created',
  'transaction-updated',
  'transaction-failed',
] as const satisfies readonly (keyof AtelioStoreEvents)[];

/**
 * Waits for the stitcher to finish what it was handed, then announces the users concerned. A
 * delivery that arrives while waiting starts another wait afterwards, so the last delivery is
 * always followed by an announcement made after it was processed. A stitcher stuck retrying (a
 * vendor answering 500 on purpose) never goes idle, so what it touched is also announced every
 * `pollMs` meanwhile.
 */
class StitcherWatch {
  private touched = new Set<string>();
  private waiting = false;
  private again = false;
  private poll: TimerId | undefined;
  /** Tells a wait that ended after `stop()` (or was overtaken by a newer wait) to stay quiet. */
  private generation = 0;

  constructor(
    private readonly idle: () => Promise<void>,
    private readonly clock: Clock,
    private readonly pollMs: number,
    private readonly announce: (identifiers: string[], settled: boolean) => void,
  ) {}

  touch(identifier: string | undefined): void {
    if (identifier !== undefined) this.touched.add(identifier);
    if (this.waiting) {
      this.again = true;
      return;
    }
    this.wait();
  }

  stop(): void {
    if (this.poll !== undefined) this.clock.clearTimeout(this.poll);
    this.poll = undefined;
    this.touched.clear();
    this.waiting = false;
    this.again = false;
    this.generation++;
  }

  private wait(): void {
    this.waiting = true;
    this.again = false;
    this.schedulePoll();
    const generation = ++this.generation;
    const finish = () => {
      if (generation !== this.generation) return;
      this.waiting = false;
      if (this.poll !== undefined) this.clock.clearTimeout(this.poll);
      this.poll = undefined;
      const identifiers = [...this.touched];
      this.touched.clear();
      this.announce(identifiers, true);
      if (this.again) this.wait();
    };
    this.idle().then(finish, finish);
  }

  private schedulePoll(): void {
    this.poll = this.clock.setTimeout(() => {
      this.poll = undefined;
      if (!this.waiting) return;
      if (this.touched.size > 0) this.announce([...this.touched], false);
      this.schedulePoll();
    }, this.pollMs);
  }
}

export function createLiveFeed(sources: LiveFeedSources): LiveFeed {
  const { clock } = sources;
  const heartbeatMs = sources.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const batchMs = sources.batchMs ?? DEFAULT_BATCH_MS;
  const listeners = new Set<(message: LiveMessage) => void>();
  let detach: (() => void) | undefined;

  const broadcast = (event: LiveEventName, data: Record<string, unknown>) => {
    const message: LiveMessage = { event, data };
    for (const listener of [...listeners]) {
      try {
        listener(message);
      } catch {
        // One broken subscriber must not stop the others (or the store call that emitted).
      }
    }
  };

  const attach = (): (() => void) => {
    const offs: (() => void)[] = [];
    const timers = new Set<TimerId>();
    const later = (ms: number, fn: () => void) => {
      const id = clock.setTimeout(() => {
        timers.delete(id);
        fn();
      }, ms);
      timers.add(id);
    };

    const watch = sources.stitcher
      ? new StitcherWatch(
          () => sources.stitcher!.idle(),
          clock,
          sources.stitcherPollMs ?? DEFAULT_STITCHER_POLL_MS,
          (identifiers, settled) => broadcast('stitcher', { identifiers, settled }),
        )
      : undefined;
    // Store changes come in bursts (an instant scenario run makes hundreds in a few milliseconds):
    // gather them and say once which users changed.
    const changed = { atomic: new Set<string>(), atelio: new Set<string>() };
    let flushPending = false;
    let resetReason: string | undefined;
    const flush = () => {
      flushPending = false;
      if (resetReason !== undefined) {
        broadcast('reset', { reason: resetReason, now: new Date(clock.now()).toISOString() });
        resetReason = undefined;
        changed.atomic.clear();
        changed.atelio.clear();
        return;
      }
      if (changed.atomic.size === 0 && changed.atelio.size === 0) return;
      const atomic = [...changed.atomic];
      const atelio = [...changed.atelio];
      changed.atomic.clear();
      changed.atelio.clear();
      broadcast('users', { identifiers: [...new Set([...atomic, ...atelio])], atomic, atelio });
    };
    const scheduleFlush = () => {
      if (flushPending) return;
      flushPending = true;
      later(batchMs, flush);
    };
    const userChanged = (vendor: 'atomic' | 'atelio', identifier: string | undefined) => {
      if (identifier === undefined) return;
      changed[vendor].add(identifier);
      scheduleFlush();
    };
    const replaced = (reason: string) => {
      resetReason = reason;
      watch?.stop();
      scheduleFlush();
    };

    const stitcherPrefix = sources.stitcher ? `${sources.stitcher.url.replace(/\/+$/, '')}/` : undefined;

    const { engine } = sources;
    offs.push(
      engine.events.on('published', (e) =>
        broadcast('delivery', {
          phase: 'published',
          eventId: e.eventId,
          vendor: e.vendor,
          eventType: e.eventType,
          targets: e.targets,
        }),
      ),
      engine.events.on('attempt', (e) => {
        const { attempt } = e;
        broadcast('delivery', {
          phase: 'attempt',
          eventId: e.eventId,
          vendor: e.vendor,
          eventType: e.eventType,
          targetId: e.targetId,
          attempt: {
            attempt: attempt.attempt,
            kind: attempt.kind,
            time: attempt.time,
            ok: attempt.ok,
            latencyMs: attempt.latencyMs,
            ...(attempt.statusCode === undefined ? {} : { statusCode: attempt.statusCode }),
            ...(attempt.error === undefined ? {} : { error: attempt.error }),
            ...(attempt.chaos === undefined ? {} : { chaos: attempt.chaos }),
          },
          targetStatus: e.targetStatus,
          eventStatus: e.eventStatus,
        });
        // The subject is the user the wiring published the event for: no body is read back here.
        if (watch && stitcherPrefix && attempt.ok && attempt.url.startsWith(stitcherPrefix))
          watch.touch(e.subject);
      }),
      engine.events.on('target', (t) => broadcast('delivery', { phase: 'target', ...t })),
      engine.events.on('settled', (e) =>
        broadcast('delivery', {
          phase: 'settled',
          eventId: e.eventId,
          vendor: e.vendor,
          eventType: e.eventType,
          status: e.status,
        }),
      ),
    );

    const runs = sources.scenarios?.events;
    if (runs) {
      offs.push(
        runs.on('run-started', (e) =>
          broadcast('run', {
            phase: 'run-started',
            runId: e.runId,
            name: e.name,
            identifier: e.options.identifier,
            seed: e.options.seed,
            speed: e.options.speed,
            startTime: e.options.startTime,
          }),
        ),
        runs.on('step-started', (e) =>
          broadcast('run', { phase: 'step-started', runId: e.runId, step: e.step, type: e.type, at: e.at }),
        ),
        runs.on('step-completed', (e) =>
          broadcast('run', { phase: 'step-completed', runId: e.runId, step: e.step, type: e.type, at: e.at }),
        ),
        runs.on('webhook', (e) =>
          broadcast('run', {
            phase: 'webhook',
            runId: e.runId,
            step: e.step,
            eventId: e.eventId,
            vendor: e.vendor,
            eventType: e.eventType,
            targets: e.targets,
          }),
        ),
        runs.on('run-completed', (e) =>
          broadcast('run', {
            phase: 'run-completed',
            runId: e.runId,
            name: e.run.name,
            identifier: e.run.options.identifier,
            status: e.run.status,
          }),
        ),
        runs.on('run-failed', (e) =>
          broadcast('run', {
            phase: 'run-failed',
            runId: e.runId,
            name: e.run.name,
            identifier: e.run.options.identifier,
            status: e.run.status,
            error: e.error,
          }),
        ),
      );
    }

    const atomic = sources.atomic?.events;
    if (atomic) {
      for (const name of ATOMIC_USER_EVENTS)
        offs.push(atomic.on(name, (payload) => userChanged('atomic', atomicIdentifier(name, payload))));
      offs.push(atomic.on('state-replaced', (e) => replaced(e.reason)));
    }
    const atelio = sources.atelio?.events;
    if (atelio) {
      for (const name of ATELIO_USER_EVENTS)
        offs.push(atelio.on(name, (payload) => userChanged('atelio', atelioIdentifier(name, payload))));
      offs.push(atelio.on('reset', (e) => replaced(e.reason)));
    }

    const heartbeat = () =>
      later(heartbeatMs, () => {
        broadcast('heartbeat', { now: new Date(clock.now()).toISOString() });
        heartbeat();
      });
    heartbeat();

    return () => {
      for (const off of offs) off();
      for (const id of timers) clock.clearTimeout(id);
      timers.clear();
      watch?.stop();
    };
  };

  return {
    heartbeatMs,
    get subscriberCount() {
      return listeners.size;
    },
    subscribe(listener) {
      listeners.add(listener);
      detach ??= attach();
      return () => {
        if (!listeners.delete(listener)) return;
        if (listeners.size === 0 && detach) {
          detach();
          detach = undefined;
        }
      };
    },
  };
}

/**
 * Messages a slow client may fall behind by. Past it the client is dropped (its connection closed):
 * nothing is buffered for it without end, and a browser reconnects by itself and re-reads the state.
 */
export const MAX_QUEUED_MESSAGES = 500;
/** Live streams open at once, unless the platform says otherwise (`maxLiveSubscribers`). */
export const DEFAULT_MAX_SUBSCRIBERS = 64;
/** How long a browser waits before reconnecting after the stream drops. */
export const RECONNECT_MS = 2_000;

/** `GET /` (mounted at `/api/events`): the stream itself. */
export function eventRoutes(feed: LiveFeed, options: { clock: Clock; maxSubscribers?: number }) {
  const maxSubscribers = options.maxSubscribers ?? DEFAULT_MAX_SUBSCRIBERS;
  let streams = 0;
  return new Hono().get('/', (c) => {
    if (streams >= maxSubscribers) {
      c.header('Retry-After', String(RECONNECT_MS / 1000));
      return c.json(
        {
          error: {
            code: 'too_many_streams',
            message: `${streams} live streams are open, the most this platform serves; try again shortly.`,
          },
        },
        503,
      );
    }
    streams++;
    // The node socket under this response (when served by node): a client that stops reading
    // is cut off at the socket, since its writes would otherwise wait for it for ever.
    const socket = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket;
    // Proxies (and some browsers) hold back chunked text until they see more of it; this asks them not to.
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      const queue: LiveMessage[] = [];
      let wake: (() => void) | undefined;
      let open = true;
      const push = (message: LiveMessage) => {
        if (!open) return;
        if (queue.length >= MAX_QUEUED_MESSAGES) {
          // The client is not keeping up: drop it. It reconnects and re-reads the state.
          open = false;
          queue.length = 0;
          unsubscribe();
          stream.abort();
          socket?.destroy();
        } else {
          queue.push(message);
        }
        wake?.();
      };
      const unsubscribe = feed.subscribe(push);
      const closed = new Promise<void>((resolve) =>
        stream.onAbort(() => {
          open = false;
          unsubscribe();
          wake?.();
          resolve();
        }),
      );
      try {
        await stream.writeSSE({
          event: 'hello',
          data: JSON.stringify({
            now: new Date(options.clock.now()).toISOString(),
            heartbeatMs: feed.heartbeatMs,
          }),
          retry: RECONNECT_MS,
        });
        while (open) {
          const message = queue.shift();
          if (message) {
            await stream.writeSSE({ event: message.event, data: JSON.stringify(message.data) });
            continue;
          }
          await Promise.race([new Promise<void>((resolve) => (wake = resolve)), closed]);
          wake = undefined;
        }
      } finally {
        unsubscribe();
        streams--;
      }
    });
  });
}
