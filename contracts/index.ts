/**
 * The contract harness's public surface: verify a consumer pact against the Atomic or Atelio mock
 * (`verify-pact`), the report it prints, and the provider states each mock knows.
 */
export { providerOf, verifyPact } from './provider/verify';
export type {
  InteractionOutcome,
  InteractionStatus,
  VerificationReport,
  VerifyPactOptions,
} from './provider/verify';
export { formatReport } from './provider/report';
export {
  PROVIDERS,
  VERIFICATION_TIME,
  DEFAULT_VERIFICATION_SEED,
  isProviderName,
  providerStates,
  startMockProvider,
} from './provider/mock-provider';
export type { MockProvider, ProviderName, ResponseHooks } from './provider/mock-provider';
export type { StateDescription } from './provider/states/types';
export { PactFileError, readPact, committedPactPath, PACTS_DIR } from './pact-file';
export type { PactFile, PactInteraction } from './pact-file';
