import { z } from '@hono/zod-openapi';

/**
 * Atelio answers every failure in one envelope: `{Message, Status, Code, Type}` (VENDOR-FACTS). The
 * store throws AtelioError so that scenario code calling it directly and HTTP clients see the same
 * status, code and message for the same mistake.
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

export class AtelioError extends Error {
  override name = 'AtelioError';

  constructor(
    readonly status: AtelioErrorStatus,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  toBody(): AtelioErrorBody {
    return errorBody(this.status, this.code, this.message);
  }
}

export const invalidRequest = (message: string) => new AtelioError(400, 'invalid_request', message);

/** `*_dne` ("does not exist") errors, named after the resource as Atelio names them. */
export const doesNotExist = (
  resource: 'customer' | 'account' | 'card' | 'transaction' | 'webhook',
  id: string,
) => new AtelioError(404, `${resource}_dne`, `${capitalise(resource)} ${id} does not exist.`);

const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
