import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Atomic's browser SDK exactly as npm ships it (`@atomicfi/transact-javascript`, pinned in
 * package.json). Served unmodified at `/transact.js` for pages without a bundler; the tests load
 * the same file from node_modules.
 */

export const TRANSACT_SDK_PACKAGE = '@atomicfi/transact-javascript';

/** Path of the SDK's index.js, resolved the way Node resolves the package from this folder. */
export const transactSdkPath = (): string => createRequire(import.meta.url).resolve(TRANSACT_SDK_PACKAGE);

let cached: string | undefined;

/** The SDK's source text, read once. */
export function transactSdkSource(): string {
  cached ??= readFileSync(transactSdkPath(), 'utf8');
  return cached;
}
