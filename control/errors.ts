import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';

/**
 * The control plane's own error body. It is ours, not a vendor's, so it follows the common
 * `{error: {code, message, details}}` shape: a machine code, a sentence, and the bad fields.
 */
export const ControlErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

export class ControlError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

export const controlError = (
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  details?: { path: string; message: string }[],
) => c.json({ error: { code, message, ...(details ? { details } : {}) } }, status);

export const zodDetails = (error: z.ZodError) =>
  error.issues.map((issue) => ({ path: issue.path.join('.') || '(body)', message: issue.message }));

/** One onError for the app: known errors keep their status; anything else is reported, never a bare 500 page. */
export function handleControlError(error: Error, c: Context): Response {
  if (error instanceof ControlError) return controlError(c, error.status, error.code, error.message, error.details);
  if (error instanceof z.ZodError)
    return controlError(c, 400, 'invalid_request', 'The request is not valid.', zodDetails(error));
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    if (status === 413) return controlError(c, 413, 'body_too_large', 'The request body is too large.');
    return controlError(c, status, status === 400 ? 'invalid_request' : 'http_error', error.message || 'Bad request');
  }
  console.error('[control] unexpected error', error);
  return controlError(c, 500, 'internal_error', `Unexpected error: ${error.message}`);
}
