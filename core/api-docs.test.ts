import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { mountApiDocs } from './api-docs';

const buildApp = () => {
  const app = new OpenAPIHono();
  const Order = z
    .object({ _id: z.string().describe('Order id'), amount: z.number(), note: z.string().optional() })
    .openapi('Order');
  app.openapi(
    createRoute({
      method: 'get',
      path: '/orders/{id}',
      tags: ['Orders'],
      summary: 'Get an order <b>',
      request: { params: z.object({ id: z.string() }) },
      responses: { 200: { description: 'The order', content: { 'application/json': { schema: z.object({ data: Order }) } } } },
    }),
    (c) => c.json({ data: { _id: c.req.valid('param').id, amount: 1 } }, 200),
  );
  mountApiDocs(app, { title: 'Test API', description: 'For tests' });
  return app;
};

describe('mountApiDocs', () => {
  it('serves an OpenAPI 3.1 document generated from the routes', async () => {
    const response = await buildApp().request('/openapi.json');
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(['/orders/{id}']);
  });

  it('renders a self-contained HTML reference with operations, fields and escaped text', async () => {
    const response = await buildApp().request('/docs');
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toContain('/orders/{id}');
    expect(html).toContain('Order id');
    expect(html).toContain('Get an order &#60;b&#62;');
    expect(html).not.toMatch(/<script|https?:\/\/(?!127)/);
  });
});
