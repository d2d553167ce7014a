/**
 * The Atelio mock's public surface: `createAtelioMock` (its store, app and webhook wiring), the store
 * the scenario engine drives, the zod schemas every shape derives from, and the pure webhook event
 * builders.
 */
export { API_PREFIXES, type AtelioAppDeps } from './app';
export { createAtelioMock, type AtelioMock, type AtelioMockOptions } from './mock';
export {
  AtelioStore,
  ACH_RETURN_REASONS,
  type AtelioStoreOptions,
  type AtelioStoreEvents,
  type TransactionChange,
  type CreateCustomerInput,
  type CreateAccountInput,
  type CreateCardInput,
  type CreateCustomerWithCardInput,
  type AuthorizeCardPurchaseInput,
  type SettleInput,
  type AchTransferInput,
  type AccountTransferInput,
  type ReturnInput,
  type TransactionQuery,
} from './store/store';
export type { BaselineOptions, BaselineCustomer, PlannedPurchase, AmazonMerchantKey } from './store/baseline';
export { amazonDescriptor, amazonPurchaseInput } from './store/baseline';
export { StoreStateSchema, type StoreState } from './store/state';
export {
  MCC_DESCRIPTIONS,
  MERCHANTS,
  MULTI_SETTLEMENT_EXAMPLE,
  SUBSCRIPTIONS,
  mccDescription,
  type MerchantProfile,
} from './store/merchants';
export {
  AtelioStoreError,
  ATELIO_ERROR_CODES,
  type AtelioErrorCode,
  type AtelioResource,
} from './store/errors';
export {
  AtelioErrorBodySchema,
  STATUS_BY_CODE,
  domainErrorAnswer,
  errorBody,
  type AtelioErrorBody,
  type AtelioErrorStatus,
  type AtelioErrorType,
} from './shared/errors';
export type { AtelioCredentials } from './shared/auth';
export { ALLOWED_COUNTS, DEFAULT_COUNT, paginate, type Page, type PageRequest } from './shared/pagination';
export { formatTimestamp, formatSettlementDate, parseTimestamp } from './shared/time';
export {
  TransactionSchema,
  TransactionPageSchema,
  TransactionListQuerySchema,
  CardDetailsSchema,
  AchDetailsSchema,
  AccountPaymentDetailsSchema,
  RdcDetailsSchema,
  SettlementSchema,
  TRANSACTION_STATES,
  PUBLIC_TRANSACTION_STATES,
  PAYMENT_TYPES,
  LISTABLE_PAYMENT_TYPES,
  type Transaction,
  type TransactionState,
  type PublicTransactionState,
  type PaymentType,
  type CardDetails,
  type AchDetails,
  type AccountPaymentDetails,
  type RdcDetails,
  type Settlement,
} from './transactions/schema';
export { CustomerSchema, type Customer, type Address } from './customers/schema';
export { AccountSchema, type Account } from './accounts/schema';
export { CardSchema, CARD_STATUSES, type Card, type CardStatus } from './cards/schema';
export { BalanceSchema, type Balance } from './balances/schema';
export { SimulateAuthorizationSchema, SimulateSettlementSchema } from './simulate/schema';
export {
  WebhookSubscriptionSchema,
  WebhookSubscriptionCreateSchema,
  WebhookSubscriptionUpdateSchema,
  SUBSCRIPTION_STATUSES,
  type WebhookSubscription,
  type WebhookSubscriptionCreate,
  type WebhookSubscriptionUpdate,
  type SubscriptionStatus,
} from './webhooks/schema';
export { ATELIO_EVENT_TYPES, eventMatches, type AtelioEventType } from './webhooks/event-names';
export {
  TRANSACTIONS_EVENT,
  TransactionsWebhookEventSchema,
  buildTransactionsEvent,
  webhookForStoreEvent,
  atelioEvents,
  type TransactionsWebhookEvent,
} from './webhooks/events';
export type { AtelioWireOptions } from './webhooks/wire';
