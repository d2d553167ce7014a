import { z } from '@hono/zod-openapi';
import { IdentifierSchema } from '../shared/schemas';

/** Create Access Token (vendor-docs 001/002/004): identifier plus optional PayLink Switch data. */

const digits = (min: number, max: number, what: string) =>
  z
    .string()
    .regex(
      new RegExp(`^\\d{${min},${max}}$`),
      `${what} must be ${min === max ? min : `${min}-${max}`} digits`,
    );

/** ABA routing numbers carry a checksum: 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) ≡ 0 (mod 10). */
export function isValidRoutingNumber(value: string): boolean {
  if (!/^\d{9}$/.test(value)) return false;
  const d = [...value].map(Number);
  const sum = 3 * (d[0]! + d[3]! + d[6]!) + 7 * (d[1]! + d[4]! + d[7]!) + (d[2]! + d[5]! + d[8]!);
  return sum % 10 === 0;
}

export const CARD_BRAND_VALUES = ['mastercard', 'visa', 'american-express', 'discover'] as const;

export const GalileoSchema = z.object({
  apiLogin: z.string().min(1),
  apiTransKey: z.string().min(1),
  providerId: z.string().min(1),
  transactionId: z.string().min(1),
  accountNo: z.string().min(1),
  apiUrl: z.url(),
});

export const CardDetailsSchema = z
  .object({
    number: digits(15, 19, 'number').optional().openapi({ description: 'Card number, 15 to 19 digits' }),
    expiry: z
      .string()
      .regex(/^(0[1-9]|1[0-2])\/\d{2}$/, 'expiry must be MM/YY')
      .optional(),
    cvv: digits(3, 4, 'cvv').optional(),
    title: z.string().max(200).optional(),
    brand: z.enum(CARD_BRAND_VALUES).optional(),
    subtitle: z.string().max(200).optional(),
    cardStatus: z.enum(['frozen']).optional(),
    lastFour: digits(4, 4, 'lastFour')
      .optional()
      .openapi({ description: 'BaaS passthrough: last four digits' }),
    paymentService: z
      .object({ galileo: GalileoSchema })
      .optional()
      .openapi({ description: 'BaaS passthrough: how Atomic reaches the card provider' }),
  })
  .superRefine((card, ctx) => {
    if (card.number === undefined && card.paymentService === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['number'],
        message: 'a card needs either number or paymentService',
      });
    if (card.paymentService !== undefined && card.lastFour === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['lastFour'],
        message: 'lastFour is required with paymentService',
      });
    if (card.number !== undefined && card.lastFour !== undefined && !card.number.endsWith(card.lastFour))
      ctx.addIssue({ code: 'custom', path: ['lastFour'], message: 'lastFour does not match number' });
  })
  .openapi('CardDetails');

export const AccountDetailsSchema = z
  .object({
    accountNumber: digits(4, 17, 'accountNumber'),
    routingNumber: z
      .string()
      .refine(isValidRoutingNumber, 'routingNumber must be a valid 9-digit ABA routing number'),
    type: z.enum(['checking', 'savings', 'paycard']),
    title: z.string().max(200).optional(),
  })
  .openapi('AccountDetails');

export const IdentityInputSchema = z
  .object({
    firstName: z.string().min(1).max(100).optional(),
    lastName: z.string().min(1).max(100).optional(),
    postalCode: z
      .string()
      .regex(/^\d{5}(-\d{4})?$/, 'postalCode must be a US ZIP code')
      .optional(),
    address: z.string().min(1).max(200).optional(),
    address2: z.string().max(200).optional(),
    city: z.string().min(1).max(100).optional(),
    state: z
      .string()
      .regex(/^[A-Z]{2}$/, 'state must be a 2-letter state code')
      .optional(),
    phone: z
      .string()
      .regex(/^\d{9,10}$/, 'phone must be digits only, without () or -')
      .optional(),
    email: z.email().optional(),
  })
  .openapi('IdentityInput');

export const TOKEN_LIFETIME = { min: 1800, max: 2_592_000, default: 86_400 } as const;

export const CreateAccessTokenBodySchema = z
  .object({
    identifier: IdentifierSchema,
    cards: z.array(CardDetailsSchema).max(20).optional(),
    accounts: z.array(AccountDetailsSchema).max(20).optional(),
    identity: IdentityInputSchema.optional(),
    tokenLifetime: z
      .number()
      .int('tokenLifetime must be an integer number of seconds')
      .min(TOKEN_LIFETIME.min, `tokenLifetime must be at least ${TOKEN_LIFETIME.min} (30 minutes)`)
      .max(TOKEN_LIFETIME.max, `tokenLifetime must be at most ${TOKEN_LIFETIME.max} (30 days)`)
      .optional()
      .openapi({ description: 'Seconds until the token expires (default 86400)', example: 86400 }),
  })
  .openapi('CreateAccessTokenRequest');

export const AccessTokenResponseSchema = z
  .object({
    data: z.object({ publicToken: z.string().openapi({ example: 'e1b7f0a4-7c1b-4d1e-9b7e-2f3c4d5e6f70' }) }),
  })
  .openapi('AccessTokenResponse');

export const RevokeResponseSchema = z
  .object({ result: z.object({ success: z.literal(true) }) })
  .openapi('RevokeAccessTokenResponse');

export type CardDetails = z.infer<typeof CardDetailsSchema>;
export type AccountDetails = z.infer<typeof AccountDetailsSchema>;
export type IdentityInput = z.infer<typeof IdentityInputSchema>;
export type CreateAccessTokenBody = z.infer<typeof CreateAccessTokenBodySchema>;
