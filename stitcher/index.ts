/**
 * The reference stitching client's public surface. Nothing here imports the rest of the platform:
 * this is the integration a bank would write against the real Atomic and Atelio APIs.
 */
export { createStitcherService, DEFAULT_STITCHER_PORT } from './service';
export type { StitcherService, StitcherServiceConfig } from './service';
export { createStitcherWorker } from './worker';
export type { StitcherHandle, StitcherWorkerOptions } from './worker';
export type { WorkerConfig } from './worker-protocol';
export { stitch, resolveMatchingOptions, DEFAULT_MATCHING } from './matcher';
export type {
  MatchOrder,
  MatchTransaction,
  MatchingOptions,
  PendingTolerance,
  MatchedOutcome,
  UnmatchedOutcome,
  OrderOutcome,
  StitchResult,
} from './matcher';
export { stitchBatch, parseStitchInput, StitchInputError, StitchInputSchema } from './batch';
export type { StitchInput, StitchBatchOutput } from './batch';
export { runStitchCommand } from './batch-cli';
export { orderForMatching, transactionForMatching } from './normalize';
export { isAmazonDescriptor } from './merchant';
export { classifyPaymentMethod } from './payment-method';
export type { PaymentInfo } from './payment-method';
export { verifyAtomicSignature, verifyAtelioSignature, ATELIO_TOLERANCE_SECONDS } from './signatures';
export { createAtomicClient } from './clients/atomic';
export type { AtomicClient, AtomicClientOptions, OrderMonitoringAccount } from './clients/atomic';
export { createAtelioClient } from './clients/atelio';
export type { AtelioClient, AtelioClientOptions, TransactionQuery } from './clients/atelio';
export { VendorApiError } from './clients/http';
export type { FetchLike } from './clients/http';
export type { Timers } from './inbox-worker';
export { DEFAULT_RETRY_DELAYS_MS } from './inbox-worker';
export type { StitcherLogger, LogLevel } from './log';
