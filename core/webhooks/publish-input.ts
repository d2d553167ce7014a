import type { PublishInput, WebhookTarget } from './engine-api';
import type { TargetState } from './log';
import type { WebhookProfile } from './profiles';

/** Checking and shaping what `publish` receives: targets, the body (serialised once) and times. */

/** A target's delivery state as a new event starts it: nothing sent, nothing scheduled. */
export function newTargetState(target: WebhookTarget, profile: WebhookProfile): TargetState {
  return {
    id: target.id,
    url: target.url,
    kind: target.kind ?? profile.targetKind,
    secret: target.secret,
    // Targets are per vendor, so two vendors' endpoint ids never share a queue.
    queueKey: laneKey(profile.vendor, target.id),
    attempts: [],
    droppedAttempts: 0,
    attemptCount: 0,
    retriesScheduled: 0,
    retryTimer: undefined,
    retryClock: undefined,
    nextAttemptAt: undefined,
    outstanding: 0,
    delivered: false,
    abandoned: false,
    dropped: undefined,
    chaos: [],
    lostAcks: 0,
    lostAckRule: undefined,
    inBacklog: false,
  };
}

/** The key of a target's lane: per vendor, by target id. */
export function laneKey(vendor: string, targetId: string): string {
  return `${vendor}\u0000${targetId}`;
}

export function checkTargets(targets: readonly WebhookTarget[]): void {
  if (!Array.isArray(targets)) throw new TypeError('publish: targets must be an array');
  const seen = new Set<string>();
  for (const target of targets) {
    for (const key of ['id', 'url', 'secret'] as const) {
      if (typeof target?.[key] !== 'string' || target[key].length === 0) {
        throw new TypeError(`publish: every target needs a non-empty string ${key}`);
      }
    }
    if (seen.has(target.id)) throw new TypeError(`publish: target ${target.id} is listed twice`);
    seen.add(target.id);
  }
}

/** The body is serialised exactly once; every attempt sends (and signs) this same string. */
export function serialise(body: object | string): { body: string; parsed: unknown } {
  if (typeof body === 'string') {
    try {
      return { body, parsed: JSON.parse(body) };
    } catch {
      throw new TypeError('publish: a string body must already be valid JSON');
    }
  }
  const text = JSON.stringify(body) as string | undefined;
  if (text === undefined) throw new TypeError('publish: the body is not JSON-serialisable');
  return { body: text, parsed: body };
}

/** The optional subject: a non-empty string of at most 200 characters (as a saved state keeps it). */
export function checkSubject(subject: unknown): string | undefined {
  if (subject === undefined) return undefined;
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > 200) {
    throw new TypeError('publish: subject must be a string of 1 to 200 characters');
  }
  return subject;
}

export function timeOf(value: number | string | Date, name: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new TypeError(`${name}: invalid time ${String(value)}`);
  return ms;
}

export function eventTime(
  given: PublishInput['time'],
  parsed: unknown,
  profile: WebhookProfile,
  now: number,
): number {
  if (given !== undefined) {
    const ms =
      given instanceof Date ? given.getTime() : typeof given === 'number' ? given : Date.parse(given);
    if (!Number.isFinite(ms)) throw new TypeError(`publish: invalid event time ${String(given)}`);
    return ms;
  }
  if (parsed !== null && typeof parsed === 'object') {
    const field = (parsed as Record<string, unknown>)[profile.eventTimeField];
    if (typeof field === 'string') {
      const ms = Date.parse(field);
      if (Number.isFinite(ms)) return ms;
    }
  }
  return now;
}
