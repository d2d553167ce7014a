import { z } from '@hono/zod-openapi';
import { countQuery, pageEnvelopeFields, pageQuery } from '../shared/pagination';

/**
 * [choice] vendor-docs/ does not define the customer object; this follows the fields Atelio's
 * public customer guides name (customer_id, names, dob, addresses, created/updated dates).
 * `customer_id` is any caller-chosen string in this mock, because cross-vendor scenarios use the
 * Atomic user identifier as the Atelio customer id.
 */

export const AddressSchema = z
  .object({
    address_type: z.enum(['MAILING', 'PHYSICAL']),
    street: z.string(),
    street2: z.string(),
    city: z.string(),
    state: z.string(),
    zip_code: z.string(),
    country: z.string(),
    is_primary: z.boolean(),
  })
  .openapi('Address');

export const CustomerSchema = z
  .object({
    customer_id: z.string(),
    first_name: z.string(),
    middle_name: z.string(),
    last_name: z.string(),
    dob: z.string().openapi({ example: '1990-04-12' }),
    email: z.string(),
    phone: z.string(),
    addresses: z.array(AddressSchema),
    date_created: z.string(),
    date_updated: z.string(),
  })
  .openapi('Customer');

export type Customer = z.infer<typeof CustomerSchema>;
export type Address = z.infer<typeof AddressSchema>;

export const CustomerIdParamSchema = z.object({
  customer_id: z
    .string()
    .min(1)
    .max(256)
    .openapi({ param: { name: 'customer_id', in: 'path' } }),
});

export const CustomerListQuerySchema = z.object({ page: pageQuery, count: countQuery });

export const CustomerPageSchema = z
  .object({ ...pageEnvelopeFields, customers: z.array(CustomerSchema) })
  .openapi('CustomerPage');
