/**
 * The Atomic mock: a stateful emulation of Atomic's PayLink, Order Monitoring and UserLink APIs.
 * See README.md for what is emulated, the store API and the sandbox magic values.
 */
export type { AtomicAppDeps } from './app';
export { createAtomicMock, type AtomicMock, type AtomicMockOptions } from './mock';
export {
  AtomicStore,
  DEFAULT_TASK_TIMINGS,
  DEFAULT_ORDER_FETCH,
  orderFetchMs,
  type OrderFetchTiming,
  type AtomicStoreOptions,
  type BaselineInfo,
  type ConnectionData,
  type CreateAccessTokenInput,
  type PayrollEntry,
  type UserSummary,
  type RefreshOptions,
  type RunTaskOptions,
  type SecretView,
  type StartTaskInput,
  type TaskTimings,
  type TokenCheck,
  type UserData,
  type WebhookTarget,
} from './store/store';
export type { AtomicStoreEvents, AtomicStoreEventName } from './store/events';
export { AtomicStoreError, type AtomicStoreErrorKind } from './store/errors';
export { BASELINE_IDENTIFIERS } from './store/baseline';
export {
  DEFAULT_REFRESH_SCHEDULE,
  REFRESH_FAILURE_MAGIC,
  nextSlotAfter,
  type RefreshSchedule,
} from './store/scheduled-refreshes';
export {
  AtomicStateSchema,
  ATOMIC_STATE_VERSION,
  SANDBOX_USERNAMES,
  type AtomicState,
  type SandboxUsername,
  type UserRecord,
  type WebhookEndpointRecord,
  type SecretRecord,
} from './store/state';

export {
  AMAZON_COMPANY_ID,
  HULU_COMPANY_ID,
  ADP_COMPANY_ID,
  COMPANIES,
  findCompany,
  type CompanyRecord,
} from './companies/catalog';

export {
  generateAmazonOrders,
  buildAmazonOrder,
  amazonSourceId,
  DEFAULT_TAX_RATE,
  RETURN_WINDOW_DAYS,
  type BuildOrderOptions,
  type ExplicitProduct,
  type GenerateOrdersOptions,
  type PaymentCard,
} from './orders/generator';
export {
  AMAZON_PRODUCTS,
  CATEGORY_RULES,
  PRODUCT_CATEGORIES,
  catalogProduct,
  type CatalogProduct,
  type CategoryRule,
  type ProductCategory,
} from './orders/catalog';
export {
  OrderSchema,
  NON_CARD_PAYMENT_TYPES,
  CARD_BRANDS,
  type Order,
  type OrderPaymentMethod,
  type NonCardPaymentType,
} from './orders/schema';
export {
  CONNECTION_STATUSES,
  PayLinkAccountSchema,
  type PayLinkAccountView,
  type ConnectionStatus,
} from './pay-link/schema';
export { TaskDetailsSchema, type TaskView } from './tasks/schema';

export {
  atomicEvents,
  AtomicWebhookEventSchema,
  TaskStatusUpdatedEventSchema,
  TaskAuthenticationStatusUpdatedEventSchema,
  PayLinkAccountsUpdatedEventSchema,
  PAY_LINK_UPDATE_TYPES,
  type AtomicWebhookEvent,
  type TaskStatusUpdatedEvent,
  type TaskAuthenticationStatusUpdatedEvent,
  type PayLinkAccountsUpdatedEvent,
  type PayLinkUpdateType,
  type UserRef,
} from './webhooks/events';
export { ATOMIC_EVENT_TYPES, type AtomicEventType } from './webhooks/schema';
export type { AtomicWireOptions } from './webhooks/wire';

export {
  ERROR_CODES,
  atomicErrorCode,
  protocolErrorBody as atomicProtocolErrorBody,
  ErrorSchema as AtomicErrorSchema,
  type ErrorBody as AtomicErrorBody,
} from './shared/errors';
export { SECURITY_SCHEMES, type AtomicCredentials } from './shared/auth';
export {
  TASK_STATUSES,
  TASK_FAIL_REASONS,
  ORDER_MONITORING_FAIL_REASONS,
  type TaskStatus,
  type FailReason,
  type OrderMonitoringFailReason,
} from './shared/schemas';
