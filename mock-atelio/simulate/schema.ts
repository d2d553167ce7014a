import { z } from '@hono/zod-openapi';
import { TWO_DP_AMOUNT } from '../shared/money';
import { parseSimulateDatetime } from '../shared/time';

/**
 * The sandbox simulation bodies, validated field by field as Atelio documents them: every
 * authorization field is required; amounts are decimal strings with exactly two decimals.
 */

// prettier-ignore
export const US_STATE_CODES = [
  'AL', 'AK', 'AZ', 'AR', 'CA', 'CO', 'CT', 'DE', 'DC', 'FL', 'GA', 'HI', 'ID', 'IL', 'IN', 'IA', 'KS', 'KY',
  'LA', 'ME', 'MD', 'MA', 'MI', 'MN', 'MS', 'MO', 'MT', 'NE', 'NV', 'NH', 'NJ', 'NM', 'NY', 'NC', 'ND', 'OH',
  'OK', 'OR', 'PA', 'RI', 'SC', 'SD', 'TN', 'TX', 'UT', 'VT', 'VA', 'WA', 'WV', 'WI', 'WY', 'PR', 'GU', 'VI',
  'AS', 'MP',
] as const;
const US_STATES = new Set<string>(US_STATE_CODES);

const US_ZIP = /^\d{5}(-\d{4})?$/;
const FOREIGN_REGION = /^[A-Za-z0-9][A-Za-z0-9 .'-]{1,19}$/;

const positiveAmount = z
  .string({ error: 'amount must be a string such as "45.50"' })
  .regex(TWO_DP_AMOUNT, {
    error: 'amount must be a decimal string with two digits of precision, e.g. "45.50"',
  })
  .refine((value) => Number(value) > 0, { error: 'amount must be greater than 0.00' });

const requiredString = (name: string) => z.string({ error: `${name} is required and must be a string` });

export const SimulateAuthorizationSchema = z
  .object({
    card_id: requiredString('card_id').min(1).max(256),
    amount: positiveAmount.openapi({ example: '35.93' }),
    transaction_datetime: requiredString('transaction_datetime')
      .refine((value) => parseSimulateDatetime(value) !== undefined, {
        error: 'transaction_datetime must be a real date and time in the form YYYY-MM-DD HH:MM',
      })
      .openapi({ description: 'YYYY-MM-DD HH:MM, read as UTC.', example: '2024-12-16 19:42' }),
    currency: requiredString('currency')
      .refine((value) => value === 'USD', {
        error: 'currency must be USD (the only currency Atelio supports)',
      })
      .openapi({ example: 'USD' }),
    merchant_name: requiredString('merchant_name')
      .min(1, { error: 'merchant_name must not be empty' })
      .max(100)
      .openapi({ example: 'AMZN Mktp US*2K4L71' }),
    merchant_city: requiredString('merchant_city')
      .min(3, { error: 'merchant_city must be 3 to 20 characters' })
      .max(20, { error: 'merchant_city must be 3 to 20 characters' })
      .openapi({ example: 'Amzn.com/bill' }),
    merchant_state: requiredString('merchant_state')
      .regex(/^[A-Za-z][A-Za-z .'-]{1,19}$/, {
        error: 'merchant_state must be a two-letter US state code or a non-US region of up to 20 characters',
      })
      .openapi({ example: 'WA' }),
    merchant_zip_code: requiredString('merchant_zip_code').openapi({
      description: 'US: 12345 or 12345-1234; non-US: 2 to 20 characters.',
      example: '98109',
    }),
    mcc: requiredString('mcc')
      .regex(/^\d{4}$/, { error: 'mcc must be a four-digit merchant category code, e.g. "5942"' })
      .openapi({ example: '5942' }),
    mid: requiredString('mid')
      .regex(/^\d{4,15}$/, { error: 'mid must be a numeric merchant id of 4 to 15 digits' })
      .openapi({
        description: '[choice] Documented as four digits; up to 15 accepted, as real MIDs are.',
        example: '7922',
      }),
  })
  .superRefine((body, ctx) => {
    // A US state needs a US zip code; elsewhere the postal code is free-form.
    const state = body.merchant_state.toUpperCase();
    if (US_STATES.has(state)) {
      if (!US_ZIP.test(body.merchant_zip_code)) {
        ctx.addIssue({
          code: 'custom',
          path: ['merchant_zip_code'],
          message: 'merchant_zip_code must be a five-digit (12345) or nine-digit (12345-1234) US zip code',
        });
      }
    } else {
      if (body.merchant_state.length === 2) {
        ctx.addIssue({
          code: 'custom',
          path: ['merchant_state'],
          message: `merchant_state "${body.merchant_state}" is not a US state code`,
        });
      }
      if (!FOREIGN_REGION.test(body.merchant_zip_code)) {
        ctx.addIssue({
          code: 'custom',
          path: ['merchant_zip_code'],
          message: 'merchant_zip_code must be 2 to 20 letters, digits, spaces or dashes outside the US',
        });
      }
    }
  })
  .openapi('SimulateAuthorization');

export type SimulateAuthorization = z.infer<typeof SimulateAuthorizationSchema>;

export const SimulateSettlementSchema = z
  .object({
    transaction_id: requiredString('transaction_id').min(1).max(256),
    amount: positiveAmount.optional().openapi({
      description: 'Settle only this much (multi-settlement); the whole remainder when absent.',
      example: '30.49',
    }),
  })
  .openapi('SimulateSettlement');

export type SimulateSettlement = z.infer<typeof SimulateSettlementSchema>;
