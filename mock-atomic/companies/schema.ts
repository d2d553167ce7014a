import { z } from '@hono/zod-openapi';
import { BrandingSchema, ObjectIdSchema } from '../shared/schemas';

/** Company search (vendor-docs 002). */

export const COMPANY_TAGS = ['gig-economy', 'payroll-provider', 'unemployment', 'manual-deposits'] as const;
const Product = z.enum(['deposit', 'verify', 'tax']);

export const CompanySearchBodySchema = z
  .object({
    query: z.string().max(200).optional().openapi({ description: 'Text to match against company names' }),
    scopes: z
      .array(z.enum(['pay-link', 'user-link']))
      .max(2)
      .optional(),
    product: Product.optional(),
    products: z.array(Product).max(3).optional(),
    tags: z.array(z.enum(COMPANY_TAGS)).max(4).optional(),
    excludedTags: z.array(z.enum(COMPANY_TAGS)).max(4).optional(),
  })
  .openapi('CompanySearchRequest');

export const CompanySchema = z
  .object({
    _id: ObjectIdSchema,
    name: z.string(),
    status: z.enum(['operational', 'under-maintenance']),
    connector: z.object({
      _id: ObjectIdSchema,
      availableProducts: z.array(Product),
      capabilities: z.object({ distributionTypes: z.array(z.string()) }).optional(),
    }),
    branding: BrandingSchema,
    tags: z.array(z.string()),
  })
  .openapi('Company');

export const CompanySearchResponseSchema = z
  .object({ data: z.array(CompanySchema) })
  .openapi('CompanySearchResponse');
