import { z } from 'zod';
import { FailReasonSchema, ObjectIdSchema, TaskProductSchema, TaskStatusSchema } from '../shared/schemas';
import type { TaskView } from '../tasks/schema';
import type { AtomicEventType } from './schema';

/**
 * Atomic webhook bodies, built from store objects by pure functions. The delivery engine serialises
 * what these return once and signs exactly those bytes; the scenario engine and the Pact provider
 * tests call the same builders, so every path sends the same shape. Key order is fixed (eventType,
 * eventTime, user, task fields, data) so the bytes are stable for a given input.
 */

const UserRefSchema = z.object({ _id: ObjectIdSchema, identifier: z.string() }).strict();
const CompanySchema = z
  .object({
    _id: ObjectIdSchema,
    name: z.string(),
    branding: z.object({
      logo: z
        .object({ _id: ObjectIdSchema.optional(), url: z.string(), backgroundColor: z.string().optional() })
        .optional(),
      color: z.string().optional(),
    }),
  })
  .strict();
const EventTime = z.iso.datetime();

const taskEnvelope = <E extends AtomicEventType, D extends z.ZodType>(eventType: E, data: D) =>
  z
    .object({
      eventType: z.literal(eventType),
      eventTime: EventTime,
      user: UserRefSchema,
      task: ObjectIdSchema,
      product: TaskProductSchema,
      company: CompanySchema,
      data,
    })
    .strict();

export const TaskStatusUpdatedEventSchema = taskEnvelope(
  'task-status-updated',
  z
    .object({
      previousStatus: TaskStatusSchema,
      status: TaskStatusSchema,
      failReason: FailReasonSchema.optional(),
    })
    .strict(),
);

export const TaskAuthenticationStatusUpdatedEventSchema = taskEnvelope(
  'task-authentication-status-updated',
  z.object({ authenticated: z.boolean() }).strict(),
);

export const PAY_LINK_UPDATE_TYPES = ['created', 'updated', 'disconnected'] as const;
export type PayLinkUpdateType = (typeof PAY_LINK_UPDATE_TYPES)[number];

export const PayLinkAccountsUpdatedEventSchema = z
  .object({
    eventType: z.literal('pay-link-accounts-updated'),
    eventTime: EventTime,
    user: UserRefSchema,
    data: z
      .object({
        accounts: z
          .array(z.object({ _id: ObjectIdSchema, updateType: z.enum(PAY_LINK_UPDATE_TYPES) }).strict())
          .min(1),
      })
      .strict(),
  })
  .strict();

export const AtomicWebhookEventSchema = z.discriminatedUnion('eventType', [
  TaskStatusUpdatedEventSchema,
  TaskAuthenticationStatusUpdatedEventSchema,
  PayLinkAccountsUpdatedEventSchema,
]);

export type TaskStatusUpdatedEvent = z.infer<typeof TaskStatusUpdatedEventSchema>;
export type TaskAuthenticationStatusUpdatedEvent = z.infer<typeof TaskAuthenticationStatusUpdatedEventSchema>;
export type PayLinkAccountsUpdatedEvent = z.infer<typeof PayLinkAccountsUpdatedEventSchema>;
export type AtomicWebhookEvent = z.infer<typeof AtomicWebhookEventSchema>;

export interface UserRef {
  _id: string;
  identifier: string;
}

const taskFields = (task: TaskView) => ({
  user: { _id: task.user._id, identifier: task.user.identifier },
  task: task._id,
  product: task.product,
  company: { _id: task.company._id, name: task.company.name, branding: task.company.branding },
});

/** Builders take exactly the payload the store emits for the same-named store event. */
export const atomicEvents = {
  taskStatusUpdated(input: {
    task: TaskView;
    previousStatus: TaskView['status'];
    eventTime: string;
  }): TaskStatusUpdatedEvent {
    const { task } = input;
    const data: TaskStatusUpdatedEvent['data'] = {
      previousStatus: input.previousStatus,
      status: task.status,
    };
    if (task.status === 'failed' && task.failReason !== undefined)
      data.failReason = task.failReason as TaskStatusUpdatedEvent['data']['failReason'];
    return { eventType: 'task-status-updated', eventTime: input.eventTime, ...taskFields(task), data };
  },

  taskAuthenticationStatusUpdated(input: {
    task: TaskView;
    eventTime: string;
  }): TaskAuthenticationStatusUpdatedEvent {
    return {
      eventType: 'task-authentication-status-updated',
      eventTime: input.eventTime,
      ...taskFields(input.task),
      data: { authenticated: input.task.authenticated },
    };
  },

  payLinkAccountsUpdated(input: {
    user: UserRef;
    accounts: readonly { _id: string; updateType: PayLinkUpdateType }[];
    eventTime: string;
  }): PayLinkAccountsUpdatedEvent {
    return {
      eventType: 'pay-link-accounts-updated',
      eventTime: input.eventTime,
      user: { _id: input.user._id, identifier: input.user.identifier },
      data: { accounts: input.accounts.map((a) => ({ _id: a._id, updateType: a.updateType })) },
    };
  },
} as const;
