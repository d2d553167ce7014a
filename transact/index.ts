/**
 * A local stand-in for Atomic Transact, driven by Atomic's own unmodified browser SDK through
 * `environmentOverride`. See README.md.
 */
export { createTransactApp, type TransactAppDeps } from './app';
export { TransactSessions, TransactError, type TransactSessionView, type TransactStep } from './sessions';
export {
  decodeLaunch,
  encodeLaunch,
  flowOf,
  HUB_APPS,
  type LaunchConfig,
  type TransactFlow,
  type HubApp,
} from './launch-config';
export { transactSdkPath, transactSdkSource, TRANSACT_SDK_PACKAGE } from './sdk';
export { TRANSACT_CSP } from './pages';
