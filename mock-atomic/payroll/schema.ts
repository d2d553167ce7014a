import { z } from '@hono/zod-openapi';
import { CompanyRefSchema, ConnectorRefSchema, IsoDateTimeSchema, ObjectIdSchema } from '../shared/schemas';

/** UserLink payroll data (vendor-docs 002): deposit accounts, employment, identity, income, statements, timesheets, taxes. */

export const FileRefSchema = z
  .object({
    _id: ObjectIdSchema,
    url: z.string().openapi({ description: 'Presigned download URL, valid for 1 hour' }),
  })
  .openapi('FileRef');

export const DepositAccountSchema = z
  .object({
    routingNumber: z.string(),
    accountNumber: z.string(),
    type: z.enum(['checking', 'savings', 'paycard']),
    bankName: z.string(),
    distributionType: z.enum(['total', 'percent', 'fixed']),
    distributionAmount: z.number().optional(),
  })
  .openapi('PayrollDepositAccount');

const AddressSchema = z.object({
  line1: z.string(),
  line2: z.string().optional(),
  city: z.string(),
  state: z.string(),
  postalCode: z.string(),
  country: z.string().optional(),
});

export const EmploymentSchema = z
  .object({
    employeeType: z.string(),
    employmentStatus: z.string(),
    jobTitle: z.string(),
    startDate: IsoDateTimeSchema,
    minimumMonthsOfEmployment: z.number(),
    weeklyHours: z.number(),
    employer: z.object({ name: z.string(), address: AddressSchema }),
  })
  .openapi('Employment');

export const PayrollIdentitySchema = z
  .object({
    firstName: z.string(),
    lastName: z.string(),
    dateOfBirth: IsoDateTimeSchema,
    email: z.string(),
    phone: z.string(),
    ssn: z.string(),
    address: z.string(),
    city: z.string(),
    state: z.string(),
    postalCode: z.string(),
  })
  .openapi('PayrollIdentity');

export const IncomeSchema = z
  .object({
    income: z.number(),
    incomeType: z.enum(['yearly', 'hourly', 'monthly', 'weekly']),
    annualIncome: z.number(),
    hourlyIncome: z.number(),
    netHourlyRate: z.number(),
    payCycle: z.enum(['weekly', 'biweekly', 'semimonthly', 'monthly']),
    nextExpectedPayDate: IsoDateTimeSchema,
    currentPayPeriodStart: IsoDateTimeSchema,
    currentPayPeriodEnd: IsoDateTimeSchema,
    unpaidHoursInPayPeriod: z.number(),
  })
  .openapi('Income');

const DeductionSchema = z.object({
  category: z.string(),
  label: z.string().optional(),
  rawLabel: z.string(),
  amount: z.number(),
  ytdAmount: z.number().optional(),
});

const EarningSchema = z.object({
  category: z.string(),
  rawLabel: z.string(),
  amount: z.number(),
  ytdAmount: z.number().optional(),
  hours: z.number().optional(),
  rate: z.number().optional(),
});

const AdjustmentSchema = z.object({
  label: z.string().optional(),
  rawLabel: z.string().optional(),
  amount: z.number(),
});

const StatementFieldsSchema = z.object({
  date: IsoDateTimeSchema,
  payPeriodStartDate: IsoDateTimeSchema,
  payPeriodEndDate: IsoDateTimeSchema,
  grossAmount: z.number(),
  ytdGrossAmount: z.number().optional(),
  netAmount: z.number().optional(),
  ytdNetAmount: z.number().optional(),
  paymentMethod: z.enum(['deposit', 'check']),
  hours: z.number().optional(),
  deductions: z.array(DeductionSchema),
  earnings: z.array(EarningSchema).optional(),
  netAmountAdjustments: z.array(AdjustmentSchema).optional(),
});

export const StatementSchema = StatementFieldsSchema.extend({
  paystub: FileRefSchema,
  parsedData: StatementFieldsSchema.optional(),
}).openapi('Statement');

export const TimesheetSchema = z
  .object({
    duration: z.number().openapi({ description: 'Minutes' }),
    date: IsoDateTimeSchema,
    type: z.enum(['paid', 'unpaid']),
    clockedIn: IsoDateTimeSchema,
    clockedOut: IsoDateTimeSchema,
  })
  .openapi('Timesheet');

const NamedAmount = z.object({ description: z.string(), amount: z.number() });

export const W2ParsedDataSchema = z
  .object({
    taxYear: z.number().int(),
    employeeTin: z.string(),
    employerTin: z.string(),
    employerNameAddress: z.object({
      name1: z.string(),
      line1: z.string(),
      line2: z.string().optional(),
      city: z.string(),
      state: z.string(),
      postalCode: z.string(),
    }),
    controlNumber: z.string(),
    employeeName: z.object({ first: z.string(), last: z.string() }),
    employeeAddress: AddressSchema.omit({ country: true }),
    wages: z.number(),
    federalTaxWithheld: z.number(),
    socialSecurityWages: z.number(),
    socialSecurityTaxWithheld: z.number(),
    medicareWages: z.number(),
    medicareTaxWithheld: z.number(),
    socialSecurityTips: z.number(),
    allocatedTips: z.number(),
    dependentCareBenefit: z.number(),
    nonQualifiedPlan: z.number(),
    codes: z.array(z.object({ code: z.string(), amount: z.number() })),
    other: z.array(NamedAmount),
    statutory: z.boolean(),
    retirementPlan: z.boolean(),
    thirdPartySickPay: z.boolean(),
    stateTaxWithholding: z.array(
      z.object({
        stateTaxWithheld: z.number(),
        state: z.string(),
        stateTaxId: z.string(),
        stateIncome: z.number(),
      }),
    ),
    localTaxWithholding: z.array(
      z.object({
        localTaxWithheld: z.number(),
        localityName: z.string(),
        state: z.string(),
        localIncome: z.number(),
      }),
    ),
  })
  .openapi('W2ParsedData');

export const TaxSchema = z
  .object({
    type: z.enum(['w2', '1099']),
    year: IsoDateTimeSchema,
    totalWages: z.number().optional(),
    form: FileRefSchema,
    parsedData: W2ParsedDataSchema.optional(),
  })
  .openapi('TaxForm');

/** Each kind: the URL segment, the key its payload sits under in a data entry, and the payload schema. */
export const PAYROLL_KINDS = {
  'deposit-accounts': { key: 'depositAccounts', schema: z.array(z.array(DepositAccountSchema)) },
  employment: { key: 'employment', schema: EmploymentSchema },
  identity: { key: 'identity', schema: PayrollIdentitySchema },
  income: { key: 'income', schema: IncomeSchema },
  statements: { key: 'statements', schema: z.array(StatementSchema) },
  timesheets: { key: 'timesheets', schema: z.array(TimesheetSchema) },
  taxes: { key: 'taxes', schema: z.array(TaxSchema) },
} as const;

export type PayrollKind = keyof typeof PAYROLL_KINDS;
export const PAYROLL_KIND_NAMES = Object.keys(PAYROLL_KINDS) as PayrollKind[];

export interface PayrollPayloads {
  'deposit-accounts': z.infer<(typeof PAYROLL_KINDS)['deposit-accounts']['schema']>;
  employment: z.infer<typeof EmploymentSchema>;
  identity: z.infer<typeof PayrollIdentitySchema>;
  income: z.infer<typeof IncomeSchema>;
  statements: z.infer<typeof StatementSchema>[];
  timesheets: z.infer<typeof TimesheetSchema>[];
  taxes: z.infer<typeof TaxSchema>[];
}

export const OutputMetadataSchema = z
  .object({
    retrievedAt: IsoDateTimeSchema,
    source: z.string(),
    connector: z.string(),
  })
  .openapi('OutputMetadata');

const entryBase = {
  company: CompanyRefSchema,
  connector: ConnectorRefSchema,
  linkedAccount: ObjectIdSchema.optional(),
  task: ObjectIdSchema,
  outputMetadata: OutputMetadataSchema.optional().openapi({
    description: 'Only with includeOutputMetadata=true',
  }),
};

/** The response schema of GET /<kind>/:identifier: `{data: [{<key>: payload, company, connector, linkedAccount, task}]}`. */
export function payrollResponseSchema<K extends PayrollKind>(kind: K) {
  const { key, schema } = PAYROLL_KINDS[kind];
  const name = key.charAt(0).toUpperCase() + key.slice(1);
  return z.object({ data: z.array(z.object({ [key]: schema, ...entryBase })) }).openapi(`${name}Response`);
}

export const PayrollQuerySchema = z.object({
  linkedAccount: ObjectIdSchema.optional().openapi({
    description: 'Only data retrieved through this linked account',
  }),
  task: ObjectIdSchema.optional().openapi({
    description: 'The data that task retrieved; default the most recent',
  }),
  includeOutputMetadata: z.enum(['true', 'false']).optional(),
});

export const StatementsQuerySchema = PayrollQuerySchema.extend({
  limit: z
    .string()
    .regex(/^\d+$/, 'limit must be a positive integer')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 1000, 'limit must be between 1 and 1000')
    .optional(),
});

export const PreScreenBodySchema = z
  .object({
    identifier: z.string().min(1).max(256),
    identity: z.object({
      firstName: z.string().min(1).max(100),
      lastName: z.string().min(1).max(100),
      dateOfBirth: z.iso.date().optional(),
      ssn: z
        .string()
        .regex(/^\d{9}$|^\d{4}$/, 'ssn must be 9 digits (or the last 4)')
        .optional(),
      phone: z
        .string()
        .regex(/^\d{9,10}$/, 'phone must be digits only')
        .optional(),
      email: z.email().optional(),
      postalCode: z
        .string()
        .regex(/^\d{5}(-\d{4})?$/)
        .optional(),
    }),
  })
  .openapi('PreScreenRequest');

export const PreScreenResponseSchema = z
  .object({
    incomeSources: z.array(
      z.object({
        data: z.object({
          userStatus: z.enum(['VERIFIED_PAYROLL', 'NOT_FOUND', 'UNSUPPORTED_PAYROLL']),
          origin: z.literal('pre-screen'),
          lookupDate: IsoDateTimeSchema,
        }),
        company: CompanyRefSchema,
      }),
    ),
  })
  .openapi('PreScreenResponse');

export const FileUrlResponseSchema = z.object({ url: z.string() }).openapi('FileUrlResponse');
