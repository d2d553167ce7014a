import { z } from '@hono/zod-openapi';
import { countQuery, idQuery, pageEnvelopeFields, pageQuery } from '../shared/pagination';
import { SIGNED_AMOUNT } from '../shared/money';

/**
 * `GET /balances` lists one balance per account, optionally for one customer, paginated like the
 * other lists. [choice] for the item fields; the meaning of current/available is vendor-docs 003's.
 */

export const BalanceSchema = z
  .object({
    customer_id: z.string(),
    account_id: z.string(),
    current_balance: z.string().regex(SIGNED_AMOUNT).openapi({ description: 'Completed transactions only.' }),
    available_balance: z
      .string()
      .regex(SIGNED_AMOUNT)
      .openapi({ description: 'Pending and completed transactions.' }),
    currency: z.literal('USD'),
  })
  .openapi('Balance');

export type Balance = z.infer<typeof BalanceSchema>;

export const BalanceListQuerySchema = z.object({
  customer_id: idQuery('customer_id', 'Only this customer’s balances.'),
  page: pageQuery,
  count: countQuery,
});

export const BalancePageSchema = z
  .object({ ...pageEnvelopeFields, balances: z.array(BalanceSchema) })
  .openapi('BalancePage');
