import type { Clock } from '../../core/clock';
import type { SeededRandom } from '../../core/random';
import { findCompany } from '../companies/catalog';
import type { StoreCore } from './context';
import { invalid } from './errors';
import {
  AtomicStateSchema,
  StateTables,
  type AtomicState,
  type SecretRecord,
  type WebhookEndpointRecord,
} from './state';
import { nextSlotAfter, type RefreshSchedule } from './scheduled-refreshes';
import type { AtomicStoreOptions } from './types';

/**
 * The store's whole-state helpers: where the baseline is anchored, the fresh core every store
 * starts from, the checks an imported document passes, the registrations a reset may keep and the
 * cancelling of pending work. The facade (store.ts) calls them from export, import and reset.
 */

/** The baseline's anchor: `baselineAt` when given, else the latest refresh slot at or before now. */
export function baselineAnchor(
  clock: Clock,
  at: AtomicStoreOptions['baselineAt'],
  schedule: Pick<RefreshSchedule, 'everyMs' | 'atMs'>,
): number {
  // The latest refresh slot: the seeded history ends with that slot's refresh, so it is the same
  // until the next slot, and a platform that starts has no slot to catch up on (decision 031).
  if (at === undefined) return nextSlotAfter(schedule, clock.now()) - schedule.everyMs;
  const anchor = at instanceof Date ? at.getTime() : typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(anchor)) throw invalid('baselineAt', `baselineAt is not a valid time: ${String(at)}`);
  return anchor;
}

/** An empty core: no data, no timers, revision 0. */
export function emptyStoreCore(root: SeededRandom): StoreCore {
  return {
    tables: new StateTables(),
    runtimeRandom: root.fork('runtime'),
    timers: new Set(),
    runs: new Set(),
    mfaWaiters: new Map(),
    muted: false,
    baseline: { identifiers: [], defaultSecretId: '' },
    revision: 0,
    webhookTargetCheck: undefined,
  };
}

/** A state document that passed the schema and the cross-references the schema cannot see. */
export function validatedAtomicState(input: unknown): AtomicState {
  const parsed = AtomicStateSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(
      issue.path.join('.'),
      `invalid Atomic state at ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
  }
  const identifiers = new Set<string>();
  for (const user of parsed.data.users) {
    if (identifiers.has(user.identifier))
      throw invalid('users', `duplicate user identifier ${user.identifier}`);
    identifiers.add(user.identifier);
  }
  const userIds = new Set(parsed.data.users.map((u) => u._id));
  for (const task of parsed.data.tasks)
    if (!userIds.has(task.userId) || !findCompany(task.companyId))
      throw invalid('tasks', `task ${task._id} refers to an unknown user or company`);
  return parsed.data;
}

/** Webhook secrets and endpoints, copied out so a reset can put them back. */
export interface KeptRegistrations {
  secrets: SecretRecord[];
  endpoints: WebhookEndpointRecord[];
}

export function copyRegistrations(tables: StateTables): KeptRegistrations {
  return {
    secrets: [...tables.secrets.values()].map((s) => structuredClone(s)),
    endpoints: [...tables.webhookEndpoints.values()].map((e) => structuredClone(e)),
  };
}

export function restoreRegistrations(tables: StateTables, kept: KeptRegistrations): void {
  for (const secret of kept.secrets) tables.secrets.set(secret._id, secret);
  for (const endpoint of kept.endpoints) tables.webhookEndpoints.set(endpoint._id, endpoint);
}

/** Clears every pending timer and MFA wait, and rejects the task runs in progress with `reason`. */
export function cancelPendingWork(core: StoreCore, clock: Clock, reason: string): void {
  for (const id of core.timers) clock.clearTimeout(id);
  core.timers.clear();
  core.mfaWaiters.clear();
  const runs = [...core.runs];
  core.runs.clear();
  for (const run of runs) run.reject(new Error(reason));
}
