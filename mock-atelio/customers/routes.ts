import { pageEnvelope, pageRequestOf } from '../shared/pagination';
import { createRoute } from '@hono/zod-openapi';
import { doesNotExist } from '../store/errors';
import { SECURITY, errorResponses, jsonContent } from '../shared/http';
import type { RouteContext } from '../shared/routing';
import { CustomerIdParamSchema, CustomerListQuerySchema, CustomerPageSchema, CustomerSchema } from './schema';

const listRoute = createRoute({
  method: 'get',
  path: '/customers',
  tags: ['Customers'],
  summary: 'List customers',
  security: SECURITY,
  request: { query: CustomerListQuerySchema },
  responses: { 200: jsonContent(CustomerPageSchema, 'One page of customers'), ...errorResponses(400, 403) },
});

const getRoute = createRoute({
  method: 'get',
  path: '/customers/{customer_id}',
  tags: ['Customers'],
  summary: 'Get a customer',
  security: SECURITY,
  request: { params: CustomerIdParamSchema },
  responses: { 200: jsonContent(CustomerSchema, 'The customer'), ...errorResponses(400, 403, 404) },
});

export function registerCustomerRoutes({ api, store }: RouteContext): void {
  api.openapi(listRoute, (c) => {
    const q = c.req.valid('query');
    const page = store.listCustomers({
      ...pageRequestOf(q),
    });
    return c.json(pageEnvelope(page, 'customers'), 200);
  });

  api.openapi(getRoute, (c) => {
    const { customer_id } = c.req.valid('param');
    const customer = store.getCustomer(customer_id);
    if (!customer) throw doesNotExist('customer', customer_id);
    return c.json(customer, 200);
  });
}
