/**
 * The one place that loads the Pact library for provider verification. Pact sends anonymous usage
 * data unless PACT_DO_NOT_TRACK is set; a contract harness must stay offline, so it is set here,
 * before the library is first loaded, whoever calls (tests, `verify-pact`). The import is dynamic so
 * commands that never verify a pact do not load the native library, and a missing install gets a
 * clear message instead of a stack trace.
 */
import type * as Pact from '@pact-foundation/pact';

type PactModule = typeof Pact;

let loaded: Promise<PactModule> | undefined;

export function loadPact(): Promise<PactModule> {
  process.env['PACT_DO_NOT_TRACK'] = 'true';
  loaded ??= import('@pact-foundation/pact').catch((error: unknown) => {
    loaded = undefined;
    throw new Error(
      `@pact-foundation/pact could not be loaded (${(error as Error).message}); install the project's ` +
        'dependencies with `npm ci` (it is a development dependency).',
    );
  });
  return loaded;
}
