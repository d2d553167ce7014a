import { z } from '@hono/zod-openapi';
import {
  ConnectorRefSchema,
  CompanyRefSchema,
  IsoDateTimeSchema,
  ObjectIdSchema,
  TaskProductSchema,
  TaskStatusSchema,
} from '../shared/schemas';

/** Tasks (vendor-docs 001 and 002). */

export const DepositDataSchema = z
  .object({
    accountType: z.enum(['savings', 'checking', 'paycard']).optional(),
    distributionAmount: z.number().optional(),
    distributionType: z.enum(['total', 'percent', 'fixed']).optional(),
    lastFour: z.string().optional(),
    routingNumber: z.string().optional(),
    title: z.string().optional(),
  })
  .openapi('DepositData');

export const TaskDetailsSchema = z
  .object({
    _id: ObjectIdSchema,
    authenticated: z.boolean(),
    company: CompanyRefSchema,
    connector: ConnectorRefSchema,
    createdAt: IsoDateTimeSchema,
    updatedAt: IsoDateTimeSchema,
    depositData: DepositDataSchema.optional(),
    failReason: z.string().optional(),
    linkedAccount: ObjectIdSchema.optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    payrollDataAvailable: z.boolean(),
    product: TaskProductSchema,
    status: TaskStatusSchema,
    taskWorkflow: z.object({ _id: ObjectIdSchema }),
    user: z.object({ _id: ObjectIdSchema, identifier: z.string() }),
  })
  .openapi('TaskDetails');

export type TaskView = z.infer<typeof TaskDetailsSchema>;

export const TaskDetailsResponseSchema = z
  .object({ data: z.object({ task: TaskDetailsSchema }) })
  .openapi('TaskDetailsResponse');

export const TaskStatusSchemaBody = z
  .object({
    createdAt: IsoDateTimeSchema,
    status: TaskStatusSchema,
    failReason: z.string().optional(),
    payrollDataAvailable: z.boolean(),
  })
  .openapi('TaskStatus');

/**
 * The two vendor documents disagree on this body: 001 shows the fields at the top level, 002 wraps
 * them in `data.task`. The mock sends both [choice], so a client written against either works.
 */
export const TaskStatusResponseSchema = z
  .object({
    createdAt: IsoDateTimeSchema,
    status: TaskStatusSchema,
    failReason: z.string().optional(),
    data: z.object({ task: TaskStatusSchemaBody }),
  })
  .openapi('TaskStatusResponse');

export const UserTaskSchema = z
  .object({
    _id: ObjectIdSchema,
    authenticated: z.boolean(),
    createdAt: IsoDateTimeSchema,
    failReason: z.string().optional(),
    payrollDataAvailable: z.boolean(),
    product: TaskProductSchema,
    status: TaskStatusSchema,
  })
  .openapi('UserTask');

export const UserTasksResponseSchema = z
  .object({ data: z.object({ tasks: z.array(UserTaskSchema) }) })
  .openapi('UserTasksResponse');

export const TaskPrescreenBodySchema = z
  .object({
    company: ObjectIdSchema.optional().openapi({ description: 'Company the task would be created for' }),
    identifier: z.string().min(1).max(256).optional(),
  })
  .openapi('TaskPrescreenRequest');

export const TaskPrescreenResponseSchema = z
  .object({ data: z.object({ confidence: z.enum(['HIGH', 'LOW']) }) })
  .openapi('TaskPrescreenResponse');
