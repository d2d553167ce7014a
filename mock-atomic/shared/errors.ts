import { z } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { jsonContent } from '../../core/api-docs';
import { jsonErrorResponse, validationHookFor } from '../../core/vendor-app';
import { AtomicStoreError } from '../store/errors';

/**
 * Atomic's error envelope: `{code, message}` where code is the HTTP status × 100 + n (40104 = invalid
 * or expired public token, as Atomic's own clients see it), plus field-level `errors` on 422
 * [choice]. Every failure of the app — validation, auth, unknown ids, unknown routes, oversized or
 * malformed bodies, injected faults — answers in this one shape.
 */

export const ErrorItemSchema = z.object({
  path: z.string().openapi({ example: 'tokenLifetime' }),
  message: z.string().openapi({ example: 'must be at least 1800' }),
});

export const ErrorSchema = z
  .object({
    code: z.number().int().openapi({ example: 40104 }),
    message: z.string().openapi({ example: 'Invalid or expired public token' }),
    errors: z.array(ErrorItemSchema).optional().openapi({ description: 'Field-level problems (422 only)' }),
  })
  .openapi('Error');

export type ErrorBody = z.infer<typeof ErrorSchema>;
export type ErrorItem = z.infer<typeof ErrorItemSchema>;

/** Every code the mock answers with, in one table (the README lists it). */
export const ERROR_CODES = {
  malformedJson: { status: 400, code: 40001 },
  badRequest: { status: 400, code: 40002 },
  missingCredentials: { status: 401, code: 40101 },
  invalidCredentials: { status: 401, code: 40102 },
  publicTokenNotAccepted: { status: 401, code: 40103 },
  invalidPublicToken: { status: 401, code: 40104 },
  publicTokenRequired: { status: 401, code: 40105 },
  fileUrlExpired: { status: 403, code: 40301 },
  routeNotFound: { status: 404, code: 40401 },
  resourceNotFound: { status: 404, code: 40402 },
  payloadTooLarge: { status: 413, code: 41301 },
  unsupportedMediaType: { status: 415, code: 41501 },
  validation: { status: 422, code: 42201 },
  rateLimited: { status: 429, code: 42901 },
  internal: { status: 500, code: 50001 },
} as const;

export type ErrorKind = keyof typeof ERROR_CODES;

/**
 * Atomic's code rule, written once: the HTTP status × 100 + n (n from 1). Every code in
 * ERROR_CODES follows it; a status without a kind of its own (an injected 502, a protocol-level
 * 431) answers n = 1.
 */
export const atomicErrorCode = (status: number, n = 1): number => status * 100 + n;

/** The body of an error refused before any app code runs (malformed HTTP), in Atomic's envelope. */
export const protocolErrorBody = (status: number, message: string): string =>
  JSON.stringify({ code: status === 400 ? ERROR_CODES.badRequest.code : atomicErrorCode(status), message });

export class AtomicHttpError extends Error {
  override name = 'AtomicHttpError';
  readonly status: number;
  readonly code: number;

  constructor(
    kind: ErrorKind,
    message: string,
    readonly errors?: ErrorItem[],
  ) {
    super(message);
    this.status = ERROR_CODES[kind].status;
    this.code = ERROR_CODES[kind].code;
  }
}

export function errorBody(code: number, message: string, errors?: ErrorItem[]): ErrorBody {
  return errors ? { code, message, errors } : { code, message };
}

export const errorResponse = (
  status: number,
  code: number,
  message: string,
  errors?: ErrorItem[],
): Response => jsonErrorResponse(status, errorBody(code, message, errors));

export const respondError = (error: AtomicHttpError): Response =>
  errorResponse(error.status, error.code, error.message, error.errors);

const TARGET_PREFIX: Record<string, string> = { query: 'query', param: 'params', header: 'headers' };

/** Turns zod issues into `errors[]`; body fields keep their plain path, other inputs are prefixed. */
export function zodIssues(error: ZodError, target: string): ErrorItem[] {
  const prefix = TARGET_PREFIX[target];
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    const full = prefix ? (path ? `${prefix}.${path}` : prefix) : path || '(body)';
    return { path: full, message: issue.message };
  });
}

export function validationError(error: ZodError, target: string): AtomicHttpError {
  const errors = zodIssues(error, target);
  const summary = errors
    .slice(0, 3)
    .map((e) => `${e.path}: ${e.message}`)
    .join('; ');
  const more = errors.length > 3 ? ` (and ${errors.length - 3} more)` : '';
  return new AtomicHttpError('validation', `Validation failed: ${summary}${more}`, errors);
}

/** The OpenAPIHono `defaultHook`: every zod failure becomes a 422 in Atomic's envelope. */
export const validationHook = validationHookFor((error, target) =>
  respondError(validationError(error, target)),
);

/** Maps anything thrown inside the app to the envelope. Never leaks a stack or the framework's body. */
export function toAtomicError(error: unknown): AtomicHttpError {
  if (error instanceof AtomicHttpError) return error;
  if (error instanceof AtomicStoreError) {
    if (error.kind === 'not-found') return new AtomicHttpError('resourceNotFound', capitalise(error.message));
    if (error.kind === 'invalid')
      return new AtomicHttpError('validation', `Validation failed: ${error.message}`, [
        { path: error.subject ?? '(body)', message: error.message },
      ]);
    return new AtomicHttpError('badRequest', capitalise(error.message));
  }
  if (error instanceof HTTPException) {
    if (error.status === 400 && /json/i.test(error.message))
      return new AtomicHttpError('malformedJson', 'Malformed JSON in request body');
    if (error.status === 413) return new AtomicHttpError('payloadTooLarge', 'Request body too large');
    if (error.status === 415)
      return new AtomicHttpError(
        'unsupportedMediaType',
        'Unsupported Media Type: send the body as application/json',
      );
    if (error.status >= 400 && error.status < 500)
      return new AtomicHttpError('badRequest', error.message || 'The request was unacceptable');
  }
  return new AtomicHttpError('internal', 'An error occurred with our API');
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Error responses every route documents in OpenAPI. */
export const errorContent = (description: string) => jsonContent(ErrorSchema, description);
