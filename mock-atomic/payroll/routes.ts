import { createRoute, z } from '@hono/zod-openapi';
import { SERVER_SECURITY } from '../shared/auth';
import { presignFileUrl } from '../shared/files';
import { errors, jsonResponse, type AtomicApp, type RouteDeps } from '../shared/routing';
import { IdentifierSchema } from '../shared/schemas';
import type { PayrollEntry } from '../store/store';
import {
  PAYROLL_KINDS,
  PAYROLL_KIND_NAMES,
  PayrollQuerySchema,
  StatementsQuerySchema,
  payrollResponseSchema,
  type PayrollKind,
  type PayrollPayloads,
} from './schema';

const TITLES: Record<PayrollKind, string> = {
  'deposit-accounts': 'List deposit accounts',
  employment: 'Get employment data',
  identity: 'Get identity data',
  income: 'Get income data',
  statements: 'Get pay statements',
  timesheets: 'Get timesheets',
  taxes: 'Get tax forms',
};

export function registerPayrollRoutes(app: AtomicApp, { store, auth, clock }: RouteDeps): void {
  for (const kind of PAYROLL_KIND_NAMES) {
    const query = kind === 'statements' ? StatementsQuerySchema : PayrollQuerySchema;
    app.openapi(
      createRoute({
        method: 'get',
        path: `/${kind}/{identifier}`,
        tags: ['UserLink Data'],
        summary: TITLES[kind],
        description:
          'Payroll data synced from the payroll provider: what `task` retrieved, or else the most recent retrieval per ' +
          'linked account (optionally only `linkedAccount`). `includeOutputMetadata=true` adds outputMetadata.' +
          (kind === 'statements' ? ' `limit` caps the statements per entry.' : ''),
        security: SERVER_SECURITY,
        middleware: auth.server,
        request: {
          params: z.object({
            identifier: IdentifierSchema.openapi({ param: { name: 'identifier', in: 'path' } }),
          }),
          query,
        },
        responses: { 200: jsonResponse(payrollResponseSchema(kind), 'The data'), ...errors(404) },
      }),
      (c) => {
        const { identifier } = c.req.valid('param');
        const q = c.req.valid('query') as z.infer<typeof StatementsQuerySchema>;
        const filter: { linkedAccount?: string; task?: string } = {};
        if (q.linkedAccount !== undefined) filter.linkedAccount = q.linkedAccount;
        if (q.task !== undefined) filter.task = q.task;
        const origin = new URL(c.req.url).origin;
        const data = store.payrollData(kind, identifier, filter).map((entry) =>
          toEntry(entry, {
            fileUrl: (fileId) => presignFileUrl(store, clock, origin, fileId),
            limit: q.limit,
            withMetadata: q.includeOutputMetadata === 'true',
          }),
        );
        return c.json({ data } as never, 200);
      },
    );
  }
}

function toEntry(
  entry: PayrollEntry,
  options: { fileUrl: (fileId: string) => string; limit: number | undefined; withMetadata: boolean },
): Record<string, unknown> {
  let payload = entry.payload;
  if (entry.kind === 'statements') {
    const statements = (payload as PayrollPayloads['statements']).slice(0, options.limit ?? Infinity);
    for (const s of statements) s.paystub.url = options.fileUrl(s.paystub._id);
    payload = statements;
  } else if (entry.kind === 'taxes') {
    for (const t of payload as PayrollPayloads['taxes']) t.form.url = options.fileUrl(t.form._id);
  }
  return {
    [PAYROLL_KINDS[entry.kind].key]: payload,
    company: entry.company,
    connector: entry.connector,
    ...(entry.linkedAccount !== undefined ? { linkedAccount: entry.linkedAccount } : {}),
    task: entry.task,
    ...(options.withMetadata
      ? {
          outputMetadata: {
            retrievedAt: entry.retrievedAt,
            source: 'payroll-provider',
            connector: entry.connector.name,
          },
        }
      : {}),
  };
}
