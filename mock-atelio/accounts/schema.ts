import { z } from '@hono/zod-openapi';
import { countQuery, idQuery, pageEnvelopeFields, pageQuery } from '../shared/pagination';
import { SIGNED_AMOUNT } from '../shared/money';

/**
 * [choice] A deposit account, after Atelio's public account guide (account_id, customer_id,
 * program_id, type, status, routing and account numbers, balance, cards). Balances are signed
 * decimal strings like every other amount this mock sends, and follow vendor-docs 003: current =
 * completed transactions only, available = pending and completed.
 */

export const AccountBalanceSchema = z
  .object({
    current_balance: z.string().regex(SIGNED_AMOUNT).openapi({ description: 'Completed transactions only.' }),
    available_balance: z
      .string()
      .regex(SIGNED_AMOUNT)
      .openapi({ description: 'Pending and completed transactions.' }),
    currency: z.literal('USD'),
  })
  .openapi('AccountBalance');

export const AccountSchema = z
  .object({
    account_id: z.string(),
    customer_id: z.string(),
    program_id: z.string(),
    type: z.literal('deposit'),
    status: z.enum(['active', 'closed']),
    routing_number: z.string(),
    account_number: z.string(),
    description: z.string(),
    balance: AccountBalanceSchema,
    cards: z.array(z.string()).openapi({ description: 'The card_id of every card on this account.' }),
    date_created: z.string(),
    date_updated: z.string(),
  })
  .openapi('Account');

export type Account = z.infer<typeof AccountSchema>;

export const AccountIdParamSchema = z.object({
  account_id: z
    .string()
    .min(1)
    .max(256)
    .openapi({ param: { name: 'account_id', in: 'path' } }),
});

export const AccountListQuerySchema = z.object({
  customer_id: idQuery('customer_id', 'Only this customer’s accounts.'),
  page: pageQuery,
  count: countQuery,
});

export const AccountPageSchema = z
  .object({ ...pageEnvelopeFields, accounts: z.array(AccountSchema) })
  .openapi('AccountPage');
