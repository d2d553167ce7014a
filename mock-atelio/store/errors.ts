/**
 * Errors the store (and the parsing helpers it shares with the routes) throws when asked to do
 * something the data does not allow. They carry no HTTP status: the code is Atelio's own snake_case
 * code, the app maps it to a status and the `{Message, Status, Code, Type}` envelope in one place
 * (`shared/errors.ts`), and the scenario engine shows the message as is.
 */
export const ATELIO_ERROR_CODES = [
  'invalid_request',
  'invalid_amount',
  'invalid_date',
  'insufficient_funds',
  'resource_conflict',
  'customer_dne',
  'account_dne',
  'card_dne',
  'transaction_dne',
  'webhook_dne',
] as const;

export type AtelioErrorCode = (typeof ATELIO_ERROR_CODES)[number];

export class AtelioStoreError extends Error {
  override name = 'AtelioStoreError';

  constructor(
    readonly code: AtelioErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const invalidRequest = (message: string): AtelioStoreError =>
  new AtelioStoreError('invalid_request', message);

export const conflict = (message: string): AtelioStoreError =>
  new AtelioStoreError('resource_conflict', message);

export const invalidAmount = (message: string): AtelioStoreError =>
  new AtelioStoreError('invalid_amount', message);

/** The resources Atelio answers `*_dne` ("does not exist") for. */
export type AtelioResource = 'customer' | 'account' | 'card' | 'transaction' | 'webhook';

export const doesNotExist = (resource: AtelioResource, id: string): AtelioStoreError =>
  new AtelioStoreError(`${resource}_dne`, `${capitalise(resource)} ${id} does not exist.`);

const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
