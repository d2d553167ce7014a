import type { Context, Env, MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { ControlError, zodDetails } from './errors';

/** Reads and validates a JSON body; a missing, malformed or invalid body is a 400 naming the fields. */
export async function jsonBody<S extends z.ZodType>(
  c: Context,
  schema: S,
  options: { optional?: boolean } = {},
): Promise<z.output<S>> {
  const text = await c.req.text();
  let value: unknown = undefined;
  if (text.trim() !== '') {
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/(.+\+)?json\b/i.test(type)) {
      throw new ControlError(
        415,
        'unsupported_media_type',
        'Send the body as JSON (Content-Type: application/json).',
      );
    }
    try {
      value = JSON.parse(text);
    } catch {
      throw new ControlError(400, 'malformed_json', 'The request body is not valid JSON.');
    }
  } else if (!options.optional) {
    throw new ControlError(400, 'invalid_request', 'A JSON request body is required.');
  }
  const result = schema.safeParse(value ?? (options.optional ? {} : value));
  if (!result.success)
    throw new ControlError(
      400,
      'invalid_request',
      'The request body is not valid.',
      zodDetails(result.error),
    );
  return result.data;
}

/** Validates the query string. */
export function queryOf<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const result = schema.safeParse(c.req.query());
  if (!result.success)
    throw new ControlError(400, 'invalid_request', 'The query is not valid.', zodDetails(result.error));
  return result.data;
}

/** What a route declares it takes, so the typed client (`control/client.ts`) knows what to send. */
type JsonInput<S extends z.ZodType, Optional extends boolean> = {
  in: Optional extends true ? { json?: z.input<S> } : { json: z.input<S> };
  out: { json: z.output<S> };
};
type QueryInput<S extends z.ZodType> = {
  in: { query: { [K in keyof z.input<S>]?: string } };
  out: { query: z.output<S> };
};

/**
 * `jsonBody` as route middleware: the same checks and the same errors, before the handler runs,
 * which reads the result with `c.req.valid('json')`; declared in the route so the client is typed.
 */
export function jsonInput<S extends z.ZodType, Optional extends boolean = false>(
  schema: S,
  options: { optional?: Optional } = {},
): MiddlewareHandler<Env, string, JsonInput<S, Optional>> {
  return async (c, next) => {
    c.req.addValidatedData('json', (await jsonBody(c, schema, options)) as object);
    await next();
  };
}

/** `queryOf` as route middleware; the handler reads `c.req.valid('query')`. */
export function queryInput<S extends z.ZodType>(schema: S): MiddlewareHandler<Env, string, QueryInput<S>> {
  return async (c, next) => {
    c.req.addValidatedData('query', queryOf(c, schema) as object);
    await next();
  };
}
