import { z } from '@hono/zod-openapi';

/** Building blocks every Atomic resource schema shares. */

export const OBJECT_ID_PATTERN = /^[0-9a-f]{24}$/;

export const ObjectIdSchema = z
  .string()
  .regex(OBJECT_ID_PATTERN, 'must be a 24-character lowercase hex ObjectId')
  .openapi({ example: '65b15fd99b3f03aa9edff9de' });

/** ISO 8601 timestamps in UTC with milliseconds, the way Atomic writes them. */
export const IsoDateTimeSchema = z
  .string()
  .openapi({ format: 'date-time', example: '2024-10-20T18:00:54.761Z' });

/** A caller's own user identifier: any non-empty string up to 256 characters [choice: the length cap]. */
export const IdentifierSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(256, 'must be at most 256 characters')
  .openapi({ example: 'user-123' });

export const LogoSchema = z
  .object({
    _id: ObjectIdSchema.optional(),
    url: z.string().openapi({ description: 'Logo URL, served from the CDN' }),
    backgroundColor: z.string().optional(),
  })
  .openapi('Logo');

export const BrandingSchema = z
  .object({
    logo: LogoSchema.optional(),
    color: z.string().optional().openapi({ description: 'Brand colour used to style the experience' }),
  })
  .openapi('Branding');

export const CompanyRefSchema = z
  .object({ _id: ObjectIdSchema, name: z.string(), branding: BrandingSchema })
  .openapi('CompanyRef');

export const ConnectorRefSchema = z
  .object({ _id: ObjectIdSchema, name: z.string(), branding: BrandingSchema })
  .openapi('ConnectorRef');

export const SuccessSchema = z.object({ success: z.literal(true) }).openapi('Success');

/** Query-string booleans arrive as text; only the two spellings Atomic documents are accepted. */
export const QueryBooleanSchema = z
  .enum(['true', 'false'], { message: 'must be "true" or "false"' })
  .transform((value) => value === 'true');

export const TASK_STATUSES = ['queued', 'processing', 'completed', 'failed'] as const;
export const TaskStatusSchema = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

export const TASK_PRODUCTS = ['present', 'switch', 'deposit', 'verify', 'tax'] as const;
export const TaskProductSchema = z.enum(TASK_PRODUCTS);
export type TaskProduct = z.infer<typeof TaskProductSchema>;

/** Failure reasons: the order-monitoring ones (vendor-docs 000) and the older task ones (VENDOR-FACTS). */
export const ORDER_MONITORING_FAIL_REASONS = [
  'session-expired',
  'credentials-invalid',
  'bot-detection',
  'merchant-unavailable',
] as const;
export const TASK_FAIL_REASONS = [
  ...ORDER_MONITORING_FAIL_REASONS,
  'bad-credentials',
  'account-lockout',
  'session-timeout',
  'connection-error',
  'system-unavailable',
  'unknown-failure',
  'user-abandon',
  'no-data-found',
  'payment-method-not-supported',
] as const;
export const FailReasonSchema = z.enum(TASK_FAIL_REASONS);
export type FailReason = z.infer<typeof FailReasonSchema>;
export type OrderMonitoringFailReason = (typeof ORDER_MONITORING_FAIL_REASONS)[number];
