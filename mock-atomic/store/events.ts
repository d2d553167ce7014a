import type { PayLinkAccountView } from '../pay-link/schema';
import type { TaskStatus } from '../shared/schemas';
import type { TaskView } from '../tasks/schema';
import type { PayLinkUpdateType, UserRef } from '../webhooks/events';
import type { LinkedAccountView } from '../linked-accounts/schema';

/**
 * Everything the store announces on `store.events`. Each payload carries `eventTime`, the store
 * clock's time of the change, so a listener can build the webhook without asking the clock again
 * (a scenario's virtual timeline stays intact). The three webhook-shaped events take exactly the
 * arguments of the matching `atomicEvents` builder.
 */
export interface AtomicStoreEvents extends Record<string, unknown> {
  'user-created': { user: UserRef; eventTime: string };
  'user-updated': { user: UserRef; eventTime: string };
  'access-token-created': { user: UserRef; publicToken: string; expiresAt: string; eventTime: string };
  'access-token-revoked': { user: UserRef; publicToken: string; eventTime: string };
  'task-created': { task: TaskView; eventTime: string };
  /** Webhook: task-status-updated. */
  'task-status-updated': { task: TaskView; previousStatus: TaskStatus; eventTime: string };
  /** Webhook: task-authentication-status-updated. */
  'task-authentication-status-updated': { task: TaskView; eventTime: string };
  /** Webhook: pay-link-accounts-updated. */
  'pay-link-accounts-updated': {
    user: UserRef;
    accounts: { _id: string; updateType: PayLinkUpdateType }[];
    eventTime: string;
  };
  /** Orders were added, changed or replaced on an account (not a webhook by itself: a sync is). */
  'orders-changed': {
    account: PayLinkAccountView;
    user: UserRef;
    added: string[];
    updated: string[];
    removed: string[];
    eventTime: string;
  };
  'linked-account-updated': { linkedAccount: LinkedAccountView; user: UserRef; eventTime: string };
  'monitoring-ended': { user: UserRef; accountIds: string[]; eventTime: string };
  'webhook-endpoint-changed': {
    endpointId: string;
    change: 'created' | 'updated' | 'deleted';
    eventTime: string;
  };
  'secret-changed': { secretId: string; change: 'created' | 'deleted'; eventTime: string };
  /** The whole state was replaced: `reset()` back to the baseline, or `importState()`. */
  'state-replaced': { reason: 'reset' | 'import'; eventTime: string };
}

export type AtomicStoreEventName = keyof AtomicStoreEvents;
