/**
 * Provider states are named set-ups of a mock's store. A pact names a state exactly (with `{param}`
 * placeholders for the values it passes); the verifier calls the matching definition before the
 * interaction. Definitions only call the mock's own store functions, so whatever a state produces is
 * what the real mock would serve — nothing here writes a response by hand.
 */
import type { SeededRandom } from '../../../core/random';

export type StateParams = Record<string, string>;

/** Values a state returns for the pact's `fromProviderState` expressions (ids the mock generated). */
export type ProvidedValues = Record<string, string>;

export interface StateContext<Store> {
  store: Store;
  /** Seeded per interaction, so generated orders and amounts are the same on every run. */
  random: SeededRandom;
  now: number;
}

export interface ProviderStateDefinition<Store> {
  /** The exact name pacts use; every `{param}` in it is a required parameter. */
  name: string;
  /** What the state sets up, for the README and the report of `verify-pact`. */
  summary: string;
  /** Parameters a pact may add beyond those in the name, with what they mean and their default. */
  optionalParams?: Record<string, string>;
  /** Names of the values returned for `fromProviderState` (e.g. an id the mock generates). */
  provides?: readonly string[];
  setup(context: StateContext<Store>, params: StateParams): ProvidedValues | void;
}

/** A state definition without its store type: what reports and docs need. */
export interface StateDescription {
  name: string;
  summary: string;
  params: string[];
  optionalParams: Record<string, string>;
  provides: readonly string[];
}

/** The mistake is in the pact (unknown parameter, bad value), not in the mock. */
export class ProviderStateError extends Error {
  override readonly name = 'ProviderStateError';
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function requiredParams(stateName: string): string[] {
  return [...stateName.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

export function describeState<S>(definition: ProviderStateDefinition<S>): StateDescription {
  return {
    name: definition.name,
    summary: definition.summary,
    params: requiredParams(definition.name),
    optionalParams: definition.optionalParams ?? {},
    provides: definition.provides ?? [],
  };
}

/**
 * Checks a pact's parameters against a definition: every placeholder present, no unknown names,
 * values that are strings or numbers. Numbers become strings so handlers see one type.
 */
export function checkParams<S>(definition: ProviderStateDefinition<S>, raw: unknown): StateParams {
  const given: Record<string, unknown> =
    raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const required = requiredParams(definition.name);
  const optional = Object.keys(definition.optionalParams ?? {});
  const problems: string[] = [];
  const params: StateParams = {};
  for (const name of required) {
    if (!(name in given)) problems.push(`parameter "${name}" is missing`);
  }
  for (const [name, value] of Object.entries(given)) {
    if (!required.includes(name) && !optional.includes(name)) {
      const accepted = [...required, ...optional].join(', ') || 'none';
      problems.push(`parameter "${name}" is not one this state takes (it takes: ${accepted})`);
      continue;
    }
    if (typeof value === 'string' && value.length > 0) params[name] = value;
    else if (typeof value === 'number' && Number.isFinite(value)) params[name] = String(value);
    else problems.push(`parameter "${name}" must be a non-empty string or a number`);
  }
  if (problems.length > 0)
    throw new ProviderStateError(`provider state "${definition.name}": ${problems.join('; ')}`);
  return params;
}
