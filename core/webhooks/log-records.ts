import { z } from 'zod';
import { CHAOS_KINDS } from './chaos';
import { MAX_ATTEMPTS_PER_TARGET, type DeliveryEventRecord, type EventState, type TargetState } from './log';
import { WEBHOOK_PROFILES, WEBHOOK_VENDORS } from './profiles';

/**
 * The delivery log's settled events as part of a saved state (`deliveryLog` in `GET /api/state`
 * and `--state-file`), and their way back in. A record comes from outside (a file, a PUT), so it is
 * validated with every string, list and number bounded: the log's capacity caps how many, and a
 * restored record costs no more memory than one the engine made itself.
 */

const Time = z.iso.datetime();
const text = (max: number) => z.string().max(max);
/** Attempt numbers and counters: whole, non-negative, far below the end of exact integers. */
const count = z.number().int().min(0).max(1_000_000_000);

const AttemptRecordSchema = z
  .object({
    attempt: count.min(1),
    kind: z.enum(['initial', 'retry', 'redelivery', 'duplicate']),
    time: Time,
    targetId: text(200),
    url: text(2048),
    ok: z.boolean(),
    statusCode: z.number().int().min(100).max(999).optional(),
    error: text(1000).optional(),
    // Real milliseconds; a day is already far longer than any attempt's timeout.
    latencyMs: z.number().min(0).max(86_400_000),
    signature: text(1000),
    responseSnippet: text(1024).optional(),
    chaos: text(200).optional(),
    detached: z.literal(true).optional(),
  })
  .strict();

const ChaosMarkSchema = z
  .object({ ruleId: text(200), kind: z.enum(CHAOS_KINDS), note: text(1000).optional() })
  .strict();

const TargetRecordSchema = z
  .object({
    id: text(200).min(1),
    url: text(2048),
    kind: text(100),
    status: z.enum(['delivered', 'failed', 'dropped']),
    attempts: z.array(AttemptRecordSchema).max(MAX_ATTEMPTS_PER_TARGET),
    nextAttemptAt: Time.optional(),
    droppedAttempts: count.optional(),
    dropReason: text(1000).optional(),
    droppedAt: Time.optional(),
    chaos: z.array(ChaosMarkSchema).max(100).optional(),
  })
  .strict();

/** One settled event of a saved delivery log (pending ones travel as `pendingWebhooks` and are sent again). */
export const SavedDeliverySchema = z
  .object({
    id: text(200).min(1),
    vendor: z.enum(WEBHOOK_VENDORS as unknown as [string, ...string[]]),
    eventType: text(200).min(1),
    // Absent from states saved before deliveries carried their subject.
    subject: text(200).optional(),
    createdAt: Time,
    eventTime: Time,
    body: text(1024 * 1024),
    status: z.enum(['delivered', 'failed', 'dropped']),
    targets: z.array(TargetRecordSchema).min(1).max(1000),
  })
  .strict();

/** A saved delivery log: at most `capacity` settled events, oldest first, ids unique. */
export function savedDeliveryLogSchema(capacity: number) {
  return z
    .array(SavedDeliverySchema)
    .max(capacity)
    .superRefine((records, context) => {
      const seen = new Set<string>();
      records.forEach((record, index) => {
        if (seen.has(record.id))
          context.addIssue({
            code: 'custom',
            path: [index, 'id'],
            message: `duplicate event id ${record.id}`,
          });
        seen.add(record.id);
      });
    });
}

export type SavedDelivery = z.infer<typeof SavedDeliverySchema>;

/**
 * The engine's own state for a saved event. Its targets are settled (no retry, nothing in flight);
 * `secretOf` gives the signing secret a by-hand redelivery needs (the log never holds secrets):
 * a target that is no longer registered gets none, and redelivering to it is refused.
 */
export function restoredEvent(
  record: SavedDelivery | DeliveryEventRecord,
  seq: number,
  secretOf: (vendor: string, eventType: string, targetId: string) => string | undefined,
): EventState {
  const vendor = WEBHOOK_PROFILES[record.vendor as keyof typeof WEBHOOK_PROFILES].vendor;
  return {
    seq,
    id: record.id,
    vendor,
    eventType: record.eventType,
    subject: record.subject,
    createdAtMs: Date.parse(record.createdAt),
    eventTimeMs: Date.parse(record.eventTime),
    body: record.body,
    targets: record.targets.map((target): TargetState => ({
      id: target.id,
      url: target.url,
      kind: target.kind,
      secret: secretOf(vendor, record.eventType, target.id) ?? '',
      queueKey: `${vendor}\u0000${target.id}`,
      attempts: target.attempts.map((attempt) => ({ ...attempt })),
      droppedAttempts: target.droppedAttempts ?? 0,
      attemptCount: Math.max(0, ...target.attempts.map((attempt) => attempt.attempt)),
      retriesScheduled: 0,
      retryTimer: undefined,
      retryClock: undefined,
      nextAttemptAt: undefined,
      outstanding: 0,
      delivered: target.status === 'delivered',
      abandoned: false,
      dropped:
        target.status === 'dropped'
          ? {
              reason: target.dropReason ?? 'dropped',
              atMs:
                target.droppedAt === undefined ? Date.parse(record.createdAt) : Date.parse(target.droppedAt),
            }
          : undefined,
      chaos: (target.chaos ?? []).map(({ note, ...mark }) => ({
        ...mark,
        ...(note === undefined ? {} : { note }),
      })),
      lostAcks: 0,
      lostAckRule: undefined,
      inBacklog: false,
    })),
    announced: record.status,
  };
}
