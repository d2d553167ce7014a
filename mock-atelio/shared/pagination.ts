import { z } from '@hono/zod-openapi';
import { invalidRequest } from '../store/errors';

/**
 * Atelio's list pagination (VENDOR-FACTS): `count` may only be one of a fixed set of page sizes;
 * the answer is `{page, pages, count, next_page, <items>}` where `count` is the number of items on
 * this page and `next_page` is null on the last page.
 */

export const ALLOWED_COUNTS = [1, 2, 5, 10, 20, 50, 100, 1000, 5000, 10000] as const;
export type AllowedCount = (typeof ALLOWED_COUNTS)[number];
/** [choice] The vendor documents no default page size; 20 matches its own request examples. */
export const DEFAULT_COUNT: AllowedCount = 20;
/** Pages beyond this are refused rather than silently clamped. */
export const MAX_PAGE = 1_000_000_000;

const COUNT_VALUES = ALLOWED_COUNTS.map(String) as [string, ...string[]];

export const countQuery = z
  .enum(COUNT_VALUES, { error: `count must be one of ${ALLOWED_COUNTS.join(', ')}` })
  .optional()
  .openapi({
    param: { name: 'count', in: 'query' },
    description: `Items per page; one of ${ALLOWED_COUNTS.join(', ')} (default ${DEFAULT_COUNT}).`,
    example: '20',
  });

export const pageQuery = z
  .string()
  .regex(/^[1-9]\d{0,9}$/, { error: 'page must be a whole number from 1' })
  .optional()
  .openapi({
    param: { name: 'page', in: 'query' },
    description: 'Page number, from 1 (default 1).',
    example: '1',
  });

export const pageEnvelopeFields = {
  page: z.number().int().openapi({ description: 'This page number.' }),
  pages: z
    .number()
    .int()
    .openapi({ description: 'How many pages there are at this page size (at least 1).' }),
  count: z.number().int().openapi({ description: 'How many items are on this page.' }),
  next_page: z
    .number()
    .int()
    .nullable()
    .openapi({ description: 'The next page number, or null on the last page.' }),
};

/** An optional id filter in the query string (`customer_id`, `account_id`). */
export const idQuery = (name: string, description: string) =>
  z
    .string()
    .min(1)
    .max(256)
    .optional()
    .openapi({ param: { name, in: 'query' }, description });

export interface PageRequest {
  page?: number | undefined;
  count?: number | undefined;
}

export interface Page<T> {
  page: number;
  pages: number;
  count: number;
  next_page: number | null;
  items: T[];
}

/** The page request of a validated query (`page` and `count` arrive as checked digit strings). */
export const pageRequestOf = (query: {
  page?: string | undefined;
  count?: string | undefined;
}): PageRequest => ({
  page: query.page === undefined ? undefined : Number(query.page),
  count: query.count === undefined ? undefined : Number(query.count),
});

/** The wire envelope of a page: `{page, pages, count, next_page, <key>: items}`. */
export const pageEnvelope = <K extends string, T>(page: Page<T>, key: K) =>
  ({
    page: page.page,
    pages: page.pages,
    count: page.count,
    next_page: page.next_page,
    [key]: page.items,
  }) as {
    page: number;
    pages: number;
    count: number;
    next_page: number | null;
  } & Record<K, T[]>;

/** Checks page/count for callers that bypass the HTTP schema (the store API). */
export function resolvePageRequest(request: PageRequest): { page: number; count: AllowedCount } {
  const count = request.count ?? DEFAULT_COUNT;
  if (!(ALLOWED_COUNTS as readonly number[]).includes(count)) {
    throw invalidRequest(`count must be one of ${ALLOWED_COUNTS.join(', ')}; got ${count}`);
  }
  const page = request.page ?? 1;
  if (!Number.isInteger(page) || page < 1 || page > MAX_PAGE) {
    throw invalidRequest(`page must be a whole number from 1 to ${MAX_PAGE}; got ${page}`);
  }
  return { page, count: count as AllowedCount };
}

/**
 * Slices one page out of an already filtered and ordered list. A page past the end is an empty
 * page (not an error) with `next_page: null`, so a client walking `next_page` always terminates.
 * [choice] An empty result still has one (empty) page: `pages` is at least 1.
 */
export function paginate<T>(items: readonly T[], request: PageRequest): Page<T> {
  const { page, count } = resolvePageRequest(request);
  const pages = Math.max(1, Math.ceil(items.length / count));
  const start = (page - 1) * count;
  const slice = start < items.length ? items.slice(start, start + count) : [];
  return { page, pages, count: slice.length, next_page: page < pages ? page + 1 : null, items: slice };
}
