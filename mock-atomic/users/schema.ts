import { z } from '@hono/zod-openapi';
import { AccountDetailsSchema, CardDetailsSchema, IdentityInputSchema } from '../access-token/schema';
import { IdentifierSchema } from '../shared/schemas';

/** Update User (vendor-docs 001/002): the access-token fields nested under `data`, upserted. */
export const UpdateUserBodySchema = z
  .object({
    identifier: IdentifierSchema,
    data: z
      .object({
        cards: z.array(CardDetailsSchema).max(20).optional(),
        accounts: z.array(AccountDetailsSchema).max(20).optional(),
        identity: IdentityInputSchema.optional(),
      })
      .refine((d) => d.cards !== undefined || d.accounts !== undefined || d.identity !== undefined, {
        message: 'data must contain cards, accounts or identity',
      }),
  })
  .openapi('UpdateUserRequest');
