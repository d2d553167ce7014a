import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { jsonContent } from '../../core/api-docs';
import { jsonErrorResponse, validationHookFor } from '../../core/vendor-app';
import { AtelioStoreError } from '../store/errors';
import { AtelioErrorBodySchema, domainErrorAnswer, errorBody, type AtelioErrorStatus } from './errors';
import { validationError } from './validation';

/** Shared pieces of the HTTP layer: the envelope responder, the validation hook, documented errors. */

export const respond = (status: number, code: string, message: string): Response =>
  jsonErrorResponse(status, errorBody(status, code, message));

export function respondError(error: AtelioStoreError): Response {
  const { status, body } = domainErrorAnswer(error);
  return jsonErrorResponse(status, body);
}

/** The one validation hook: any zod failure on query, path or body is a 400 `invalid_request`. */
export const validationHook = validationHookFor((error, target) =>
  respondError(validationError(error.issues, target)),
);

/**
 * Answers anything thrown inside the app in Atelio's envelope: domain errors by their code,
 * framework refusals (oversized, wrong content type, malformed JSON) as the vendor would, anything
 * else as a bare 500 — never the framework's body, never a stack.
 */
export function respondToThrown(error: unknown): Response {
  if (error instanceof AtelioStoreError) return respondError(error);
  if (error instanceof HTTPException) {
    if (error.status === 413) return respond(413, 'request_too_large', 'Request body is too large.');
    if (error.status === 415) {
      return respond(400, 'invalid_request', 'Content-Type must be application/json for a request body.');
    }
    if (error.status === 400 && /json/i.test(error.message)) {
      return respond(400, 'invalid_request', 'Malformed JSON in request body.');
    }
    if (error.status >= 400 && error.status < 500) {
      return respond(400, 'invalid_request', error.message || 'The request could not be understood.');
    }
  }
  return respond(500, 'server_error', 'Error while performing the action.');
}

/** Fault responses (429, 5xx …) in the envelope, for core's fault middleware. */
export const faultResponder = (_c: Context, status: number, message: string): Response => {
  const code = status === 429 ? 'rate_limited' : status >= 500 ? 'server_error' : 'injected_fault';
  return respond(status, code, message);
};

const errorContent = (description: string) => jsonContent(AtelioErrorBodySchema, description);

const ERROR_DESCRIPTIONS: Record<AtelioErrorStatus, string> = {
  400: 'Invalid request (`invalid_request`, `invalid_amount`, `resource_conflict`, …)',
  403: 'Missing or wrong Identity / Authorization headers (`auth_err`)',
  404: 'Unknown id (`*_dne`)',
  413: 'Request body too large',
  424: 'A downstream process failed',
  429: 'Too many requests',
  500: 'Server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

/** OpenAPI responses for the given error statuses, all in the Atelio envelope. */
export function errorResponses<S extends AtelioErrorStatus>(
  ...statuses: S[]
): Record<S, ReturnType<typeof errorContent>> {
  return Object.fromEntries(statuses.map((s) => [s, errorContent(ERROR_DESCRIPTIONS[s])])) as Record<
    S,
    ReturnType<typeof errorContent>
  >;
}

/** Both raw headers on every operation. */
export const SECURITY = [{ Identity: [], Authorization: [] }];

export const SECURITY_SCHEMES = {
  Identity: {
    type: 'apiKey',
    in: 'header',
    name: 'Identity',
    description: 'Your Atelio Identity key, sent raw.',
  },
  Authorization: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description: 'Your Atelio Authorization key, sent raw (no "Bearer").',
  },
};

export { jsonContent } from '../../core/api-docs';
