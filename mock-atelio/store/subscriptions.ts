import { doesNotExist, invalidRequest } from './errors';
import { formatTimestamp, type TimeInput } from '../shared/time';
import { parseOrThrow } from '../shared/validation';
import { eventMatches } from '../webhooks/event-names';
import {
  type WebhookSubscription,
  type WebhookSubscriptionCreate,
  WebhookSubscriptionCreateSchema,
  type WebhookSubscriptionUpdate,
  WebhookSubscriptionUpdateSchema,
} from '../webhooks/schema';
import type { AtelioContext } from './context';

/** Webhook subscriptions: which URLs receive which events, with which secret. */

const clone = <T>(value: T): T => structuredClone(value);

export function checkWebhookTarget(ctx: AtelioContext, url: string): void {
  const refusal = ctx.webhookTargetCheck?.(url);
  if (refusal !== undefined) throw invalidRequest(`Invalid request body: url: url ${refusal}`);
}

export function createWebhookSubscription(
  ctx: AtelioContext,
  input: WebhookSubscriptionCreate,
  options: { at?: TimeInput } = {},
): WebhookSubscription {
  const body = parseOrThrow(WebhookSubscriptionCreateSchema, input, 'json');
  checkWebhookTarget(ctx, body.url);
  // Kept subscriptions outlive a reset's id sequence: never hand out one of their ids again.
  let id = ctx.random.uuid();
  while (ctx.subscriptions.has(id)) id = ctx.random.uuid();
  const subscription: WebhookSubscription = {
    id,
    url: body.url,
    description: body.description ?? '',
    events: [...body.events],
    version: body.version ?? '0.1',
    secret: `whsec_${ctx.random.faker.string.alphanumeric(32)}`,
    status: body.status ?? 'STATUS_ENABLED',
    created_time: formatTimestamp(ctx.timeOf(options.at)),
  };
  ctx.subscriptions.set(id, subscription);
  ctx.emit('webhook-subscription-changed', { subscription: clone(subscription), change: 'created' });
  return clone(subscription);
}

export function listWebhookSubscriptions(ctx: AtelioContext): WebhookSubscription[] {
  return [...ctx.subscriptions.values()].map(clone);
}

export function getWebhookSubscription(ctx: AtelioContext, id: string): WebhookSubscription | undefined {
  const subscription = ctx.subscriptions.get(id);
  return subscription && clone(subscription);
}

export function updateWebhookSubscription(
  ctx: AtelioContext,
  id: string,
  patch: WebhookSubscriptionUpdate,
): WebhookSubscription {
  const subscription = ctx.subscriptions.get(id);
  if (!subscription) throw doesNotExist('webhook', id);
  const body = parseOrThrow(WebhookSubscriptionUpdateSchema, patch, 'json');
  if (body.url !== undefined) checkWebhookTarget(ctx, body.url);
  if (body.url !== undefined) subscription.url = body.url;
  if (body.events !== undefined) subscription.events = [...body.events];
  if (body.description !== undefined) subscription.description = body.description;
  if (body.version !== undefined) subscription.version = body.version;
  if (body.status !== undefined) subscription.status = body.status;
  ctx.emit('webhook-subscription-changed', { subscription: clone(subscription), change: 'updated' });
  return clone(subscription);
}

export function deleteWebhookSubscription(ctx: AtelioContext, id: string): WebhookSubscription {
  const subscription = ctx.subscriptions.get(id);
  if (!subscription) throw doesNotExist('webhook', id);
  ctx.subscriptions.delete(id);
  ctx.emit('webhook-subscription-changed', { subscription: clone(subscription), change: 'deleted' });
  return clone(subscription);
}

/** Enabled subscriptions whose event patterns match `eventName` (wildcards honoured), secrets included. */
export function subscriptionsFor(ctx: AtelioContext, eventName: string): WebhookSubscription[] {
  return [...ctx.subscriptions.values()]
    .filter(
      (s) => s.status === 'STATUS_ENABLED' && s.events.some((pattern) => eventMatches(pattern, eventName)),
    )
    .map(clone);
}

/** Registers one URL for every event (`--webhook-url`). */
export function registerWebhookUrl(
  ctx: AtelioContext,
  url: string,
  options: { events?: string[]; description?: string } = {},
): WebhookSubscription {
  return createWebhookSubscription(ctx, {
    url,
    events: options.events ?? ['*'],
    description: options.description ?? 'Registered at start-up',
  });
}
