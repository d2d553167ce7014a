import { z } from '@hono/zod-openapi';
import type { AtelioErrorCode, AtelioStoreError } from '../store/errors';

/**
 * Atelio answers every failure in one envelope: `{Message, Status, Code, Type}` (VENDOR-FACTS). The
 * store throws AtelioStoreError (a code and a message, no status); this module turns it into the
 * status and envelope, so scenario code calling the store directly and HTTP clients see the same
 * code and message for the same mistake.
 */

export const ERROR_TYPES = ['Request Error', 'Process Error', 'Server Error'] as const;
export type AtelioErrorType = (typeof ERROR_TYPES)[number];

export const AtelioErrorBodySchema = z
  .object({
    Message: z.string().openapi({ description: 'What went wrong, in words.' }),
    Status: z.number().int().openapi({ description: 'The HTTP status, repeated in the body.' }),
    Code: z.string().openapi({ description: 'Machine-readable snake_case code, e.g. `transaction_dne`.' }),
    Type: z.enum(ERROR_TYPES),
  })
  .openapi('AtelioError');

export type AtelioErrorBody = z.infer<typeof AtelioErrorBodySchema>;

/** Statuses this mock answers with; the subset of Atelio's documented ones plus 413 and injected faults. */
export type AtelioErrorStatus = 400 | 403 | 404 | 413 | 424 | 429 | 500 | 502 | 503 | 504;

/** 5xx are the vendor's fault, 424 a failed downstream process, everything else the caller's. */
export function errorTypeFor(status: number): AtelioErrorType {
  if (status >= 500) return 'Server Error';
  if (status === 424) return 'Process Error';
  return 'Request Error';
}

export function errorBody(status: number, code: string, message: string): AtelioErrorBody {
  return { Message: message, Status: status, Code: code, Type: errorTypeFor(status) };
}

/**
 * The one place a domain error code becomes an HTTP status: an unknown id is a 404, every other
 * mistake the caller's 400. The envelope repeats the status and adds the Type derived from it.
 */
export const STATUS_BY_CODE: Readonly<Record<AtelioErrorCode, AtelioErrorStatus>> = {
  invalid_request: 400,
  invalid_amount: 400,
  invalid_date: 400,
  insufficient_funds: 400,
  resource_conflict: 400,
  customer_dne: 404,
  account_dne: 404,
  card_dne: 404,
  transaction_dne: 404,
  webhook_dne: 404,
};

/** The status and envelope the API answers for a domain error. */
export function domainErrorAnswer(error: AtelioStoreError): {
  status: AtelioErrorStatus;
  body: AtelioErrorBody;
} {
  const status = STATUS_BY_CODE[error.code];
  return { status, body: errorBody(status, error.code, error.message) };
}
