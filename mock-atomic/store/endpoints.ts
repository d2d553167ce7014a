import { ATOMIC_EVENT_TYPES, type AtomicEventType, WebhookUrlSchema } from '../webhooks/schema';
import type { StoreContext } from './context';
import { conflict, invalid, notFound } from './errors';
import type { SecretRecord, WebhookEndpointRecord } from './state';
import type { SecretView, WebhookTarget } from './types';

/** API secrets and webhook endpoints: which URLs receive which events, signed with which secret. */

export function secretRecord(ctx: StoreContext, secretId: string): SecretRecord {
  const secret = ctx.t.secrets.get(secretId);
  if (!secret) throw notFound('secret', secretId);
  return secret;
}

export function createSecret(ctx: StoreContext, name: string, token?: string): SecretRecord {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 100) throw invalid('name', 'name must be 1-100 characters');
  const secret: SecretRecord = {
    _id: freshId(ctx, ctx.t.secrets),
    name: trimmed,
    token: token ?? ctx.ids.uuid(),
    createdAt: ctx.nowIso(),
  };
  ctx.t.secrets.set(secret._id, secret);
  ctx.emit('secret-changed', { secretId: secret._id, change: 'created', eventTime: secret.createdAt });
  return { ...secret };
}

export function listSecrets(ctx: StoreContext): SecretView[] {
  return [...ctx.t.secrets.values()].map((s) => ({
    _id: s._id,
    name: s.name,
    createdAt: s.createdAt,
    endpoints: [...ctx.t.webhookEndpoints.values()]
      .filter((e) => e.secretId === s._id)
      .map((e) => ({ _id: e._id, url: e.url, eventTypes: [...e.eventTypes] })),
  }));
}

/** Deletes a secret no endpoint uses (re-point or delete those endpoints first). */
export function deleteSecret(ctx: StoreContext, secretId: string): void {
  secretRecord(ctx, secretId);
  const users = [...ctx.t.webhookEndpoints.values()].filter((e) => e.secretId === secretId).map((e) => e._id);
  if (users.length)
    throw conflict(
      `secret ${secretId} signs webhook endpoints ${users.join(', ')}; update or delete them first`,
    );
  ctx.t.secrets.delete(secretId);
  ctx.emit('secret-changed', { secretId, change: 'deleted', eventTime: ctx.nowIso() });
}

/** The baseline secret (`default`), whose token is the configured API secret. */
export function defaultSecret(ctx: StoreContext): SecretRecord {
  const secret = ctx.t.secrets.get(ctx.core.baseline.defaultSecretId);
  if (secret) return { ...secret };
  const any = ctx.t.secrets.values().next().value;
  if (any) return { ...any };
  return createSecret(ctx, 'default', ctx.apiSecret);
}

/**
 * Set by the platform: why a URL may not receive webhooks here (the operator's allow-list), or
 * undefined. Every endpoint created or updated — through the API, `--webhook-url` or an import —
 * passes it.
 */
export function validateEndpoint(
  ctx: StoreContext,
  input: { url: string; secretId: string; eventTypes: readonly string[] },
): {
  url: string;
  secretId: string;
  eventTypes: AtomicEventType[];
} {
  const url = WebhookUrlSchema.safeParse(input.url);
  if (!url.success) throw invalid('url', url.error.issues[0]?.message ?? 'url is invalid');
  const refusal = ctx.core.webhookTargetCheck?.(url.data);
  if (refusal !== undefined) throw invalid('url', `url ${refusal}`);
  if (!ctx.t.secrets.has(input.secretId))
    throw invalid('secretId', `secretId ${input.secretId} is not a known secret`);
  if (input.eventTypes.length === 0)
    throw invalid('eventTypes', 'eventTypes must list at least one event type');
  for (const type of input.eventTypes)
    if (!(ATOMIC_EVENT_TYPES as readonly string[]).includes(type))
      throw invalid('eventTypes', `unknown event type "${type}"; use: ${ATOMIC_EVENT_TYPES.join(', ')}`);
  return {
    url: url.data,
    secretId: input.secretId,
    eventTypes: [...new Set(input.eventTypes)] as AtomicEventType[],
  };
}

export function createWebhookEndpoint(
  ctx: StoreContext,
  input: {
    url: string;
    secretId: string;
    eventTypes: readonly string[];
  },
): WebhookEndpointRecord {
  const valid = validateEndpoint(ctx, input);
  const now = ctx.nowIso();
  const endpoint: WebhookEndpointRecord = {
    _id: freshId(ctx, ctx.t.webhookEndpoints),
    ...valid,
    createdAt: now,
    updatedAt: now,
  };
  ctx.t.webhookEndpoints.set(endpoint._id, endpoint);
  ctx.emit('webhook-endpoint-changed', { endpointId: endpoint._id, change: 'created', eventTime: now });
  return structuredClone(endpoint);
}

export function updateWebhookEndpoint(
  ctx: StoreContext,
  endpointId: string,
  input: { url: string; secretId: string; eventTypes: readonly string[] },
): WebhookEndpointRecord {
  const endpoint = ctx.t.webhookEndpoints.get(endpointId);
  if (!endpoint) throw notFound('webhook endpoint', endpointId);
  Object.assign(endpoint, validateEndpoint(ctx, input), { updatedAt: ctx.nowIso() });
  ctx.emit('webhook-endpoint-changed', { endpointId, change: 'updated', eventTime: endpoint.updatedAt });
  return structuredClone(endpoint);
}

export function deleteWebhookEndpoint(ctx: StoreContext, endpointId: string): void {
  if (!ctx.t.webhookEndpoints.delete(endpointId)) throw notFound('webhook endpoint', endpointId);
  ctx.emit('webhook-endpoint-changed', { endpointId, change: 'deleted', eventTime: ctx.nowIso() });
}

export function listWebhookEndpoints(ctx: StoreContext): WebhookEndpointRecord[] {
  return [...ctx.t.webhookEndpoints.values()].map((e) => structuredClone(e));
}

/** Where an event of this type goes: every endpoint subscribed to it, with its signing secret. */
export function webhookTargets(ctx: StoreContext, eventType: AtomicEventType): WebhookTarget[] {
  const out: WebhookTarget[] = [];
  for (const endpoint of ctx.t.webhookEndpoints.values()) {
    if (!endpoint.eventTypes.includes(eventType)) continue;
    const secret = ctx.t.secrets.get(endpoint.secretId);
    if (!secret) continue;
    out.push({ endpointId: endpoint._id, url: endpoint.url, secretId: secret._id, secret: secret.token });
  }
  return out;
}

/**
 * Registers one URL for every event type (or `eventTypes`), signed with the default secret unless
 * `secretId` says otherwise. Registering the same URL again updates that endpoint instead of
 * adding a second one. This is what `--webhook-url` uses.
 */
export function registerWebhookUrl(
  ctx: StoreContext,
  url: string,
  options: { eventTypes?: readonly AtomicEventType[]; secretId?: string } = {},
): WebhookEndpointRecord {
  const body = {
    url,
    secretId: options.secretId ?? defaultSecret(ctx)._id,
    eventTypes: options.eventTypes ?? ATOMIC_EVENT_TYPES,
  };
  const existing = [...ctx.t.webhookEndpoints.values()].find((e) => e.url === url);
  return existing ? updateWebhookEndpoint(ctx, existing._id, body) : createWebhookEndpoint(ctx, body);
}

/** A fresh id not already used by `table` (kept registrations outlive the id sequence of a reset). */
export function freshId(ctx: StoreContext, table: Map<string, unknown>): string {
  for (;;) {
    const id = ctx.ids.objectId();
    if (!table.has(id)) return id;
  }
}
