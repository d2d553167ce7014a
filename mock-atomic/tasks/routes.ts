import { createRoute, z } from '@hono/zod-openapi';
import { timingSafeEqual } from 'node:crypto';
import { JsonBodyCache, versionedJson } from '../../core/json-body-cache';
import { findCompany } from '../companies/catalog';
import { SERVER_SECURITY } from '../shared/auth';
import { AtomicHttpError } from '../shared/errors';
import { FILES_PATH, placeholderPdf, presignFileUrl } from '../shared/files';
import { errors, jsonResponse, type AtomicApp, type RouteDeps } from '../shared/routing';
import { IdentifierSchema, ObjectIdSchema, QueryBooleanSchema, TaskStatusSchema } from '../shared/schemas';
import { FileUrlResponseSchema } from '../payroll/schema';
import {
  TaskDetailsResponseSchema,
  TaskPrescreenBodySchema,
  TaskPrescreenResponseSchema,
  TaskStatusResponseSchema,
  UserTasksResponseSchema,
} from './schema';

const TaskParams = z.object({ taskId: ObjectIdSchema.openapi({ param: { name: 'taskId', in: 'path' } }) });

export function registerTaskRoutes(app: AtomicApp, { store, auth, clock }: RouteDeps): void {
  const statusBodies = new JsonBodyCache();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/task/{taskId}/details',
      tags: ['Tasks'],
      summary: 'Get task details',
      security: SERVER_SECURITY,
      middleware: auth.server,
      request: { params: TaskParams },
      responses: { 200: jsonResponse(TaskDetailsResponseSchema, 'The task'), ...errors(404) },
    }),
    (c) => c.json({ data: { task: store.getTask(c.req.valid('param').taskId) } }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/task/{taskId}/status',
      tags: ['Tasks'],
      summary: 'Get task status (for polling)',
      description:
        'vendor-docs 001 shows the fields at the top level and 002 inside data.task; both are sent so either client works.',
      security: SERVER_SECURITY,
      middleware: auth.server,
      request: { params: TaskParams },
      responses: { 200: jsonResponse(TaskStatusResponseSchema, 'The status'), ...errors(404) },
    }),
    // Polled in a loop while a task runs: answered from the bytes built at the store's revision.
    (c) =>
      versionedJson(
        c,
        statusBodies,
        c.req.url,
        store.revision,
        () => {
          const task = store.getTask(c.req.valid('param').taskId);
          const failReason =
            task.status === 'failed' && task.failReason !== undefined ? { failReason: task.failReason } : {};
          return {
            createdAt: task.createdAt,
            status: task.status,
            ...failReason,
            data: {
              task: {
                createdAt: task.createdAt,
                status: task.status,
                ...failReason,
                payrollDataAvailable: task.payrollDataAvailable,
              },
            },
          };
        },
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/task/{taskId}/file/{fileId}/generate-url',
      tags: ['Tasks'],
      summary: 'Generate a file download URL',
      description: 'A presigned URL for a file the task retrieved (paystub, tax form), valid for 1 hour.',
      security: SERVER_SECURITY,
      middleware: auth.server,
      request: {
        params: TaskParams.extend({
          fileId: ObjectIdSchema.openapi({ param: { name: 'fileId', in: 'path' } }),
        }),
      },
      responses: { 200: jsonResponse(FileUrlResponseSchema, 'The URL'), ...errors(404) },
    }),
    (c) => {
      const { taskId, fileId } = c.req.valid('param');
      store.taskFile(taskId, fileId);
      return c.json({ url: presignFileUrl(store, clock, new URL(c.req.url).origin, fileId) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${FILES_PATH}/{fileId}`,
      tags: ['Sandbox'],
      summary: 'Download a file through a presigned URL',
      // The signature in the query is the credential: no API headers (an explicit empty requirement).
      security: [],
      description: 'Where generated file URLs point. No credentials: the signature is the authorisation.',
      request: {
        params: z.object({ fileId: ObjectIdSchema.openapi({ param: { name: 'fileId', in: 'path' } }) }),
        query: z.object({
          expires: z.string().regex(/^\d{1,12}$/, 'expires must be a unix time in seconds'),
          signature: z.string().regex(/^[0-9a-f]{64}$/, 'signature must be 64 hex characters'),
        }),
      },
      responses: {
        200: {
          description: 'The file',
          content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } },
        },
        ...errors(403, 404),
      },
    }),
    (c) => {
      const { fileId } = c.req.valid('param');
      const { expires, signature } = c.req.valid('query');
      const expected = Buffer.from(store.signFile(fileId, Number(expires)), 'hex');
      if (!timingSafeEqual(expected, Buffer.from(signature, 'hex')))
        throw new AtomicHttpError('fileUrlExpired', 'Invalid file URL signature');
      if (clock.now() / 1000 > Number(expires))
        throw new AtomicHttpError('fileUrlExpired', 'File URL has expired');
      const file = store.findFile(fileId);
      if (!file) throw new AtomicHttpError('resourceNotFound', `File "${fileId}" not found`);
      return c.body(placeholderPdf(`${file.kind}: ${file.name}`) as Uint8Array<ArrayBuffer>, 200, {
        'content-type': 'application/pdf',
        'content-disposition': `attachment; filename="${file.name}"`,
      });
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/task/prescreen',
      tags: ['Tasks'],
      summary: 'Predict task conversion (beta)',
      description:
        "HIGH unless the company is under maintenance or the user's last task there failed at login [choice].",
      security: SERVER_SECURITY,
      middleware: auth.server,
      request: {
        body: { required: false, content: { 'application/json': { schema: TaskPrescreenBodySchema } } },
      },
      responses: { 200: jsonResponse(TaskPrescreenResponseSchema, 'The prediction'), ...errors(404) },
    }),
    (c) => {
      const body = c.req.valid('json');
      let confidence: 'HIGH' | 'LOW' = 'HIGH';
      if (body.company !== undefined) {
        const company = findCompany(body.company);
        if (!company) throw new AtomicHttpError('resourceNotFound', `Company "${body.company}" not found`);
        if (company.status === 'under-maintenance') confidence = 'LOW';
        const user = body.identifier !== undefined ? store.findUser(body.identifier) : undefined;
        if (user) {
          const last = store
            .listUserTasks(user.identifier)
            .filter((t) => t.company._id === company._id)
            .at(-1);
          if (last?.status === 'failed' && !last.authenticated) confidence = 'LOW';
        }
      }
      return c.json({ data: { confidence } }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/user/{identifier}/tasks',
      tags: ['Users'],
      summary: "List a user's tasks",
      security: SERVER_SECURITY,
      middleware: auth.server,
      request: {
        params: z.object({
          identifier: IdentifierSchema.openapi({ param: { name: 'identifier', in: 'path' } }),
        }),
        query: z.object({
          status: TaskStatusSchema.optional(),
          payrollDataAvailable: QueryBooleanSchema.optional().openapi({
            type: 'string',
            enum: ['true', 'false'],
          }),
        }),
      },
      responses: { 200: jsonResponse(UserTasksResponseSchema, 'The tasks, oldest first'), ...errors(404) },
    }),
    (c) => {
      const { identifier } = c.req.valid('param');
      const query = c.req.valid('query');
      const filter: { status?: z.infer<typeof TaskStatusSchema>; payrollDataAvailable?: boolean } = {};
      if (query.status !== undefined) filter.status = query.status;
      if (query.payrollDataAvailable !== undefined) filter.payrollDataAvailable = query.payrollDataAvailable;
      const tasks = store.listUserTasks(identifier, filter).map((t) => ({
        _id: t._id,
        authenticated: t.authenticated,
        createdAt: t.createdAt,
        ...(t.failReason !== undefined ? { failReason: t.failReason } : {}),
        payrollDataAvailable: t.payrollDataAvailable,
        product: t.product,
        status: t.status,
      }));
      return c.json({ data: { tasks } }, 200);
    },
  );
}
