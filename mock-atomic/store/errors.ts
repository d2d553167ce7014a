/**
 * Errors the store throws when asked to do something the data does not allow. They carry no HTTP
 * status: the app maps them (not-found → 404, conflict → 400, invalid → 422), and the scenario engine
 * shows their message as is.
 */
export type AtomicStoreErrorKind = 'not-found' | 'conflict' | 'invalid';

export class AtomicStoreError extends Error {
  override name = 'AtomicStoreError';

  constructor(
    readonly kind: AtomicStoreErrorKind,
    message: string,
    /** For not-found: which resource was missing ("task", "user", ...). For invalid: the offending field. */
    readonly subject?: string,
  ) {
    super(message);
  }
}

export const notFound = (resource: string, id: string): AtomicStoreError =>
  new AtomicStoreError('not-found', `${resource} ${JSON.stringify(id)} not found`, resource);

export const conflict = (message: string): AtomicStoreError => new AtomicStoreError('conflict', message);

export const invalid = (field: string, message: string): AtomicStoreError =>
  new AtomicStoreError('invalid', message, field);
