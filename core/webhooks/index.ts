export {
  ATELIO_DEFAULT_TOLERANCE_SECONDS,
  ATELIO_SIGNATURE_HEADER,
  ATOMIC_SIGNATURE_HEADER,
  atelioSignature,
  atelioSignatureHeader,
  parseAtelioSignatureHeader,
  signAtomic,
  verifyAtelio,
  verifyAtomic,
  type AtelioVerifyResult,
  type ParsedAtelioSignature,
  type RawBody,
} from './signing';
export {
  ATELIO_PROFILE,
  ATOMIC_PROFILE,
  WEBHOOK_PROFILES,
  WEBHOOK_VENDORS,
  attemptOffsetsMs,
  type AttemptContext,
  type WebhookProfile,
  type WebhookVendor,
} from './profiles';
export {
  MAX_ATTEMPTS_PER_TARGET,
  type AttemptKind,
  type DeliveryAttempt,
  type DeliveryEventRecord,
  type DeliveryLogQuery,
  type DeliveryLogView,
  type DeliveryStatus,
  type DeliveryTargetRecord,
} from './log';
export {
  DEFAULT_CONCURRENCY_PER_TARGET,
  DEFAULT_LOG_CAPACITY,
  DeliveryNotFoundError,
  createDeliveryEngine,
  type DeliveryEngine,
  type DeliveryEngineEvents,
  type DeliveryEngineOptions,
  type DeliveryRecording,
  type PublishInput,
  type WebhookTarget,
} from './engine';
export {
  startCaptureReceiver,
  type CaptureReceiver,
  type CapturedRequest,
  type ReceiverReply,
  type ReplyScript,
} from './capture-receiver';
