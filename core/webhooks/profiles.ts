import {
  ATELIO_SIGNATURE_HEADER,
  ATOMIC_SIGNATURE_HEADER,
  atelioSignatureHeader,
  signAtomic,
} from './signing';

/**
 * How each vendor delivers webhooks, as data: retry schedule, what counts as success, the request
 * headers of one attempt. The delivery engine is vendor-agnostic and reads only these tables.
 */
export type WebhookVendor = 'atomic' | 'atelio';

export const WEBHOOK_VENDORS: readonly WebhookVendor[] = ['atomic', 'atelio'];

/** Everything a vendor may put in the headers of one attempt. */
export interface AttemptContext {
  /** The serialised body, exactly the bytes that are sent. */
  body: string;
  /** The target's signing secret (Atomic secret token, Atelio `whsec_...`). */
  secret: string;
  /** The event's id: Atomic's `ce-id`; the same on every retry and redelivery. */
  eventId: string;
  eventType: string;
  /** When the event happened (ms since epoch, on the engine's clock). */
  eventTimeMs: number;
  /** When this attempt is made (ms since epoch, on the engine's clock: a run's virtual time). */
  attemptTimeMs: number;
  /**
   * When this attempt is really sent (ms since epoch, the engine's signing clock: the wall clock).
   * Signature timestamps use it: freshness is a property of the transport, which a receiver checks
   * against its own wall clock, not of the story a run tells.
   */
  sendTimeMs: number;
}

export interface WebhookProfile {
  vendor: WebhookVendor;
  /** The vendor's own word for a delivery target, used in recordings when a target names none. */
  targetKind: string;
  /**
   * Waits before each automatic retry, counted from the end of the failed attempt. Its length is
   * the number of retries; total attempts = 1 + retryDelaysMs.length.
   */
  retryDelaysMs: readonly number[];
  /** Per-attempt timeout (real time; see README). */
  timeoutMs: number;
  isSuccess(status: number): boolean;
  /** The header whose value the delivery log keeps for each attempt. */
  signatureHeader: string;
  /** The body key holding the event time, used for the event time when the publisher gives none. */
  eventTimeField: string;
  headers(context: AttemptContext): Record<string, string>;
  /** Whose event this is (for chaos rules matching a user), read from the parsed body. */
  userOf(body: unknown): string | undefined;
}

const field = (value: unknown, ...path: string[]): string | undefined => {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === 'string' ? current : undefined;
};

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Atomic: CloudEvents binary mode + `X-HMAC-Signature-Sha-256` over the raw body (no timestamp signed).
 * 1 attempt + 3 retries 30 s apart, fixed (not exponential); any 2xx succeeds. The 10 s timeout is
 * the project's choice; Atomic does not publish one.
 */
export const ATOMIC_PROFILE: WebhookProfile = {
  vendor: 'atomic',
  targetKind: 'endpoint',
  retryDelaysMs: [30 * SECOND, 30 * SECOND, 30 * SECOND],
  timeoutMs: 10 * SECOND,
  isSuccess: (status) => status >= 200 && status <= 299,
  signatureHeader: ATOMIC_SIGNATURE_HEADER,
  eventTimeField: 'eventTime',
  headers: ({ body, secret, eventId, eventType, eventTimeMs }) => ({
    'Content-Type': 'application/json',
    'ce-specversion': '1.0',
    'ce-source': 'com.atomicfi',
    'ce-type': `com.atomicfi.${eventType}`,
    'ce-time': iso(eventTimeMs),
    'ce-id': eventId,
    [ATOMIC_SIGNATURE_HEADER]: signAtomic(body, secret),
  }),
  userOf: (body) => field(body, 'user', 'identifier'),
};

/**
 * Atelio: `Bond-Signature: t=<send time>,v1=<HMAC of "t.body">`, so each attempt is re-signed. `t` is
 * the real (wall-clock) send time, never a run's virtual time: a receiver judges its age by its own
 * clock (docs/decisions/008).
 * Only 200 and 201 succeed. Atelio documents "exponential backoff for up to 3 days, about 8 attempts";
 * the schedule below is the project's reading of it: 8 retries after the first attempt (9 attempts),
 * the last one 55 h 35 min 5 s after the first, inside the 3 days. The timeout mirrors Atomic's 10 s.
 */
export const ATELIO_PROFILE: WebhookProfile = {
  vendor: 'atelio',
  targetKind: 'subscription',
  retryDelaysMs: [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 14 * HOUR, 24 * HOUR],
  timeoutMs: 10 * SECOND,
  isSuccess: (status) => status === 200 || status === 201,
  signatureHeader: ATELIO_SIGNATURE_HEADER,
  eventTimeField: 'occurred_at',
  headers: ({ body, secret, sendTimeMs }) => ({
    'Content-Type': 'application/json',
    [ATELIO_SIGNATURE_HEADER]: atelioSignatureHeader(body, secret, Math.floor(sendTimeMs / SECOND)),
  }),
  userOf: (body) => field(body, 'customer_id'),
};

export const WEBHOOK_PROFILES: Readonly<Record<WebhookVendor, WebhookProfile>> = {
  atomic: ATOMIC_PROFILE,
  atelio: ATELIO_PROFILE,
};

/** Offsets of every automatic attempt from the first, assuming each attempt fails instantly. */
export function attemptOffsetsMs(profile: WebhookProfile): number[] {
  const offsets = [0];
  for (const delay of profile.retryDelaysMs) offsets.push(offsets[offsets.length - 1]! + delay);
  return offsets;
}
