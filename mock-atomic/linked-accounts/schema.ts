import { z } from '@hono/zod-openapi';
import { CompanyRefSchema, ConnectorRefSchema, IsoDateTimeSchema, ObjectIdSchema } from '../shared/schemas';

/** Linked Accounts and Task Workflows (vendor-docs 002). */

export const LinkedAccountSchema = z
  .object({
    _id: ObjectIdSchema,
    valid: z
      .boolean()
      .openapi({ description: 'Whether the credentials were valid after the last attempted use' }),
    transactRequired: z
      .boolean()
      .openapi({ description: 'Whether using the account needs the user in Transact' }),
    lastSuccess: IsoDateTimeSchema.optional(),
    lastFailure: IsoDateTimeSchema.optional(),
    company: CompanyRefSchema,
    connector: ConnectorRefSchema,
  })
  .openapi('LinkedAccount');

export type LinkedAccountView = z.infer<typeof LinkedAccountSchema>;

export const LinkedAccountListSchema = z
  .object({ data: z.array(LinkedAccountSchema) })
  .openapi('LinkedAccountList');

const OPERATIONS = ['deposit', 'verify', 'tax'] as const;

export const TaskConfigurationSchema = z
  .object({
    operation: z.enum(OPERATIONS).optional(),
    product: z
      .enum(OPERATIONS)
      .optional()
      .openapi({ deprecated: true, description: 'Deprecated; use operation' }),
    onComplete: z.enum(['continue', 'finish']).default('continue'),
    onFail: z.enum(['continue', 'finish']).default('continue'),
    distribution: z
      .object({
        type: z.enum(['total', 'fixed', 'percent']),
        amount: z.number().positive().optional(),
        canUpdate: z.boolean().optional(),
      })
      .superRefine((d, ctx) => {
        if (d.type !== 'total' && d.amount === undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['amount'],
            message: `amount is required when type is "${d.type}"`,
          });
        if (d.type === 'percent' && d.amount !== undefined && d.amount > 100)
          ctx.addIssue({
            code: 'custom',
            path: ['amount'],
            message: 'a percent distribution must be at most 100',
          });
      })
      .optional(),
  })
  .superRefine((t, ctx) => {
    if (t.operation === undefined && t.product === undefined)
      ctx.addIssue({ code: 'custom', path: ['operation'], message: 'operation is required' });
  })
  .openapi('TaskConfiguration');

export type TaskConfiguration = z.infer<typeof TaskConfigurationSchema>;

export const FromLinkedAccountBodySchema = z
  .object({
    tasks: z.array(TaskConfigurationSchema).min(1, 'tasks must contain at least one task').max(10),
    linkedAccount: ObjectIdSchema,
  })
  .openapi('TaskWorkflowFromLinkedAccountRequest');

export const FromLinkedAccountResponseSchema = z
  .object({
    data: z.object({
      task: z.object({ _id: ObjectIdSchema }),
      taskWorkflow: z.object({ _id: ObjectIdSchema }),
      company: CompanyRefSchema,
    }),
  })
  .openapi('TaskWorkflowResponse');
