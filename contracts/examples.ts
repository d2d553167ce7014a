/**
 * The example values the consumer pacts are written with. They end up in contracts/pacts/*.json, so
 * they are fixed literals (never generated, never the current time): regenerating the pacts must give
 * the same bytes on every machine. The coverage check uses them too, to replay the stitcher's calls.
 */

/** The sandbox credentials (core/config defaults): provider verification sends these headers as they are. */
export const ATOMIC_CREDENTIALS = { apiKey: 'test-api-key', apiSecret: 'test-api-secret' } as const;
export const ATELIO_CREDENTIALS = { identity: 'test-identity', authorization: 'test-authorization' } as const;

/** In cross-vendor set-ups the Atomic user identifier is the Atelio customer_id. */
export const IDENTIFIER = 'contract-user-1';
export const ATOMIC_USER_ID = '65f0a1b2c3d4e5f6a7b8c9d0';

export const ACCOUNT_ID = '65f0a1b2c3d4e5f6a7b8c9d1';
export const MISSING_ACCOUNT_ID = '65f0a1b2c3d4e5f6a7b8c9ff';
export const ORDER_ID = '65f0a1b2c3d4e5f6a7b8c9d2';
export const TASK_ID = '65f0a1b2c3d4e5f6a7b8c9d3';
export const AMAZON = { _id: '65272c415d8a530008e972df', name: 'Amazon' } as const;

export const CARD_ID = '3b9f2c1e-6a4d-4f8e-9b7a-2c5d8e1f4a6b';
export const LAST_FOUR = '4242';
export const PENDING_TRANSACTION_ID = '7d1f5a2e-3c4b-4e6f-9a8b-1c2d3e4f5a6b';
export const SETTLED_TRANSACTION_ID = '8e2a6b3f-4d5c-4f7a-8b9c-2d3e4f5a6b7c';
export const SPLIT_TRANSACTION_ID = '9f3b7c4a-5e6d-4a8b-9c0d-3e4f5a6b7c8d';
export const MISSING_TRANSACTION_ID = '00000000-0000-4000-8000-000000000001';
export const MISSING_CARD_ID = '00000000-0000-4000-8000-000000000002';
export const MISSING_CUSTOMER_ID = 'contract-user-unknown';

/** Atomic stamps times as ISO 8601 with milliseconds and Z. */
export const ATOMIC_TIME = '2025-03-09T06:00:00.000Z';
export const ORDER_DATE = '2025-03-08T20:37:28.576Z';
/** Atelio's own format: microseconds and "+00:00"; settlement dates end in "+00". */
export const ATELIO_TIME = '2025-03-09T18:42:05.721000+00:00';
export const ATELIO_SETTLED_TIME = '2025-03-10T09:15:00.000000+00:00';
export const SETTLEMENT_DATE = '2025-03-10T09:15:00+00';
