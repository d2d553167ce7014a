import { z } from '@hono/zod-openapi';
import { OrderSchema } from '../orders/schema';
import { CompanyRefSchema, IsoDateTimeSchema, ObjectIdSchema } from '../shared/schemas';

/** PayLink Accounts (vendor-docs 001) and the Order Monitoring account (vendor-docs 000). */

export const SUGGESTION_CATEGORIES = [
  'change-plan',
  'cancel-plan',
  'downgrade-plan',
  'remove-service',
  'common-cancellation',
  'redundant-services',
  'costly-feature',
  'alternative-service',
  'underutilization',
  'high-interest-rate',
] as const;

export const SuggestionSchema = z
  .object({
    monthlySavings: z.number(),
    category: z.enum(SUGGESTION_CATEGORIES),
    actionUrl: z.string(),
    shortDescription: z.string(),
    detailedDescription: z.string(),
    buttonTitle: z.string(),
  })
  .openapi('Suggestion');

export const AccountIdentitySchema = z
  .object({ firstName: z.string().optional(), email: z.string().optional(), phone: z.string().optional() })
  .openapi('AccountIdentity');

export const BillingPaymentMethodSchema = z
  .object({
    type: z.string(),
    lastFour: z.string().optional(),
    brand: z.string().optional(),
    isPrimary: z.boolean(),
  })
  .openapi('BillingPaymentMethod');

export const BillingSchema = z
  .object({
    accountNumber: z.string().optional(),
    amount: z.number().optional(),
    dueDate: IsoDateTimeSchema.optional(),
    autopay: z
      .object({
        status: z.enum(['enabled', 'disabled', 'paused']),
        cycle: z.enum(['biweekly', 'monthly', 'semimonthly', 'weekly']),
      })
      .optional(),
    items: z.array(z.object({ description: z.string(), amount: z.number() })),
    history: z.array(z.object({ date: IsoDateTimeSchema, amount: z.number() })),
    paymentMethods: z.array(BillingPaymentMethodSchema),
  })
  .openapi('Billing');

export const AccountDataSchema = z
  .object({
    plans: z.array(
      z.object({
        sourceId: z.string(),
        status: z.string(),
        title: z.string(),
        description: z.string(),
        freeTrial: z.boolean(),
      }),
    ),
    usage: z.array(z.object({ title: z.string(), description: z.string() })),
  })
  .openapi('AccountData');

export const ACCOUNT_TYPES = ['subscription', 'loan', 'policy', 'telecom', 'ecommerce'] as const;
export const CONNECTION_STATUSES = ['initial', 'connected', 'disconnected'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

export const AccountDetailsSchema = z
  .object({
    _id: ObjectIdSchema,
    type: z.enum(ACCOUNT_TYPES).openapi({
      description:
        'subscription | loan | policy | telecom as documented; ecommerce for Order Monitoring accounts [choice]',
    }),
    sourceId: z.string().optional().openapi({ description: 'Id of the account in the connected system' }),
    createdBy: z
      .literal('detection')
      .optional()
      .openapi({ description: 'Set when Atomic detected the account' }),
    connected: z.boolean().openapi({ description: 'Whether the user has connected the account via Atomic' }),
    supported: z.boolean().openapi({ description: "Whether the company is supported by Atomic's PayLink" }),
    suggestions: z.array(SuggestionSchema),
    identities: z.array(AccountIdentitySchema),
    billing: BillingSchema.optional(),
    data: AccountDataSchema.optional(),
  })
  .openapi('PayLinkAccountDetails');

export const ACTION_TYPES = ['change-plan', 'cancel-plan', 'pause-plan'] as const;

export const AccountActionSchema = z
  .object({ id: z.string(), type: z.enum(ACTION_TYPES) })
  .openapi('PayLinkAccountAction');

export const PayLinkAccountSchema = z
  .object({
    _id: ObjectIdSchema,
    company: CompanyRefSchema,
    account: AccountDetailsSchema,
    actions: z.array(AccountActionSchema),
    type: z.enum(['linked', 'detected']).openapi({
      description:
        '"linked" once the user connected it through Atomic; "detected" for detection-only accounts [choice]',
    }),
    connectionStatus: z.enum(CONNECTION_STATUSES),
    lastSyncedAt: IsoDateTimeSchema.nullable().openapi({
      description: 'Most recent successful data sync; null before the first',
    }),
    failReason: z.string().optional().openapi({ description: 'Why the account is disconnected [choice]' }),
    orders: z
      .array(OrderSchema)
      .optional()
      .openapi({ description: 'Order Monitoring accounts only, newest first' }),
  })
  .openapi('PayLinkAccount');

export type PayLinkAccountView = z.infer<typeof PayLinkAccountSchema>;
export type AccountSuggestion = z.infer<typeof SuggestionSchema>;
export type AccountBilling = z.infer<typeof BillingSchema>;
export type AccountData = z.infer<typeof AccountDataSchema>;
export type AccountIdentity = z.infer<typeof AccountIdentitySchema>;
export type AccountAction = z.infer<typeof AccountActionSchema>;

export const PayLinkAccountListSchema = z
  .object({ accounts: z.array(PayLinkAccountSchema) })
  .openapi('PayLinkAccountList');

export const PayLinkAccountResponseSchema = z
  .object({ data: PayLinkAccountSchema })
  .openapi('PayLinkAccountResponse');

export const FinancialTransactionSchema = z
  .object({
    id: z.string().min(1).max(200),
    date: z.iso.datetime({ offset: true, message: 'date must be an ISO 8601 date-time' }).or(z.iso.date()),
    description: z.string().min(1).max(500),
    amount: z.number().refine(Number.isFinite, 'amount must be a finite number'),
    currency: z.enum(['usd', 'eur', 'cad']).optional(),
    merchantName: z.string().max(200).optional(),
    type: z.string().max(50).optional(),
    category: z.string().max(100).optional(),
    subCategory: z.string().max(100).optional(),
  })
  .openapi('FinancialTransaction');

export const DetectAccountsBodySchema = z
  .object({ financialTransactions: z.array(FinancialTransactionSchema).max(5000) })
  .openapi('DetectAccountsRequest');

export type FinancialTransaction = z.infer<typeof FinancialTransactionSchema>;
