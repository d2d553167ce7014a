import { createRoute } from '@hono/zod-openapi';
import { ADP_COMPANY_ID, findCompany } from './catalog';
import { EITHER_SECURITY, SERVER_SECURITY } from '../shared/auth';
import { errors, jsonBody, jsonResponse, type AtomicApp, type RouteDeps } from '../shared/routing';
import { PreScreenBodySchema, PreScreenResponseSchema } from '../payroll/schema';
import { companyRef } from '../store/views';
import { CompanySearchBodySchema, CompanySearchResponseSchema } from './schema';

/** Pre-screen magic values [choice]: the identity's last name picks the lookup result. */
export const PRE_SCREEN_MAGIC = { notFound: 'notfound', unsupported: 'unsupported' } as const;

export function registerCompanyRoutes(app: AtomicApp, { store, auth, clock }: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/company/search',
      tags: ['Companies'],
      summary: 'Search companies',
      description:
        'Case-insensitive name search (an empty or absent query lists every company) filtered by scopes, products, ' +
        'tags and excludedTags; at most 25 results. Server credentials or a public token.',
      security: EITHER_SECURITY,
      middleware: auth.either,
      request: { body: jsonBody(CompanySearchBodySchema) },
      responses: { 200: jsonResponse(CompanySearchResponseSchema, 'Matching companies'), ...errors() },
    }),
    (c) => {
      const body = c.req.valid('json');
      const products = [...(body.products ?? []), ...(body.product ? [body.product] : [])];
      const found = store.searchCompanies({
        query: body.query,
        scopes: body.scopes,
        products: products.length ? products : undefined,
        tags: body.tags,
        excludedTags: body.excludedTags,
      });
      const data = found.map((company) => ({
        _id: company._id,
        name: company.name,
        status: company.status,
        connector: {
          _id: company.connector._id,
          availableProducts: [...company.connector.availableProducts],
          ...(company.connector.capabilities
            ? { capabilities: { distributionTypes: [...company.connector.capabilities.distributionTypes] } }
            : {}),
        },
        branding: { logo: { ...company.branding.logo }, color: company.branding.color },
        tags: [...company.tags],
      }));
      return c.json({ data }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/pre-screen',
      tags: ['Companies'],
      summary: 'Pre-screen a user through CoAuth',
      description:
        'Looks the user up in CoAuth payroll systems. A user with linked payroll accounts is VERIFIED_PAYROLL at each ' +
        'of them; otherwise ADP answers, VERIFIED_PAYROLL unless identity.lastName is "NotFound" (NOT_FOUND) or ' +
        '"Unsupported" (UNSUPPORTED_PAYROLL) [choice: sandbox magic values].',
      security: SERVER_SECURITY,
      middleware: auth.server,
      request: { body: jsonBody(PreScreenBodySchema) },
      responses: { 200: jsonResponse(PreScreenResponseSchema, 'Income sources found'), ...errors() },
    }),
    (c) => {
      const { identifier, identity } = c.req.valid('json');
      const lookupDate = new Date(clock.now()).toISOString();
      const user = store.findUser(identifier);
      const linkedPayroll = user
        ? store
            .listLinkedAccounts(identifier)
            .map((a) => findCompany(a.company._id))
            .filter((company) => company?.scopes.includes('user-link'))
        : [];
      if (linkedPayroll.length > 0) {
        const incomeSources = linkedPayroll.map((company) => ({
          data: { userStatus: 'VERIFIED_PAYROLL' as const, origin: 'pre-screen' as const, lookupDate },
          company: companyRef(company!),
        }));
        return c.json({ incomeSources }, 200);
      }
      const last = identity.lastName.toLowerCase();
      const userStatus =
        last === PRE_SCREEN_MAGIC.notFound
          ? ('NOT_FOUND' as const)
          : last === PRE_SCREEN_MAGIC.unsupported
            ? ('UNSUPPORTED_PAYROLL' as const)
            : ('VERIFIED_PAYROLL' as const);
      const adp = findCompany(ADP_COMPANY_ID)!;
      return c.json(
        {
          incomeSources: [
            { data: { userStatus, origin: 'pre-screen' as const, lookupDate }, company: companyRef(adp) },
          ],
        },
        200,
      );
    },
  );
}
