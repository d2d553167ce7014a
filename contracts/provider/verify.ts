/**
 * Verifies a consumer pact (HTTP interactions and asynchronous messages) against a real mock: the
 * provider named in the pact (atomic or atelio) is started on an ephemeral port, every interaction
 * gets a fresh seeded store with its provider states applied through the store's functions, and
 * every message is the webhook the mock published while those states were set up.
 *
 * Interactions that cannot be verified (unknown provider states, synchronous messages) are left out
 * of the Pact run and reported as such, so one unknown state does not hide the result of the rest.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PactFileError, readPact } from '../pact-file';
import type { PactFile, PactInteraction, PactState } from '../pact-file';
import { loadPact } from '../pact-runtime';
import { isProviderName, providerStates, PROVIDERS, startMockProvider } from './mock-provider';
import type { MockProvider, ProviderName, ResponseHooks } from './mock-provider';
import type { StateDescription } from './states/types';

export interface VerifyPactOptions {
  pactFile: string;
  /** Seed of the mock's store (default 1). */
  seed?: number;
  /** Send the sandbox's credentials instead of those recorded in the pact. */
  replaceCredentials?: boolean;
  /** Verify only the interactions this accepts (the others are left out of the report). */
  only?: (interaction: PactInteraction) => boolean;
  /** Test-only: rewrites the mock's JSON responses (see the app factories' `testHooks`). */
  testHooks?: ResponseHooks;
  /** Test-only: rewrites a message after the mock built it. */
  transformMessage?: (description: string, body: unknown) => unknown;
}

export type InteractionStatus = 'passed' | 'failed' | 'not-verified';

export interface InteractionOutcome {
  description: string;
  kind: PactInteraction['kind'];
  states: PactState[];
  status: InteractionStatus;
  /** Why it failed or was not verified, one line each. */
  problems: string[];
}

export interface VerificationReport {
  pactFile: string;
  consumer: string;
  provider: ProviderName;
  outcomes: InteractionOutcome[];
  /** State names the pact uses that the mock does not know. */
  unknownStates: string[];
  /** Every state the mock knows, for the report. */
  knownStates: StateDescription[];
  passed: boolean;
  /** The Pact verifier's own report, colours removed. */
  verifierOutput: string[];
}

/** The sandbox credentials (core/config defaults), used by `replaceCredentials`. */
const SANDBOX_CREDENTIALS: Record<ProviderName, Record<string, string>> = {
  atomic: { 'x-api-key': 'test-api-key', 'x-api-secret': 'test-api-secret' },
  atelio: { identity: 'test-identity', authorization: 'test-authorization' },
};

interface VerifierJson {
  result?: boolean;
  output?: string[];
  errors?: Array<{ interaction?: string; mismatch?: unknown }>;
  interactionResults?: Array<{ description?: string; result?: string }>;
}

// eslint-disable-next-line no-control-regex -- the verifier colours its report with ANSI escapes
const ANSI = /\u001b\[[0-9;]*m/g;
const stripAnsi = (text: string) => text.replace(ANSI, '');

/** One line per mismatch, as the verifier words it. */
function describeMismatch(mismatch: unknown): string[] {
  if (mismatch === null || typeof mismatch !== 'object') return [String(mismatch)];
  const m = mismatch as { mismatches?: unknown; message?: unknown; type?: unknown };
  if (Array.isArray(m.mismatches)) {
    return m.mismatches.map((item) => {
      const entry = item as { path?: unknown; mismatch?: unknown };
      const text = stripAnsi(String(entry.mismatch ?? JSON.stringify(item)));
      return typeof entry.path === 'string' && entry.path !== '' ? `${entry.path}: ${text}` : text;
    });
  }
  if (typeof m.message === 'string') return [stripAnsi(m.message)];
  return [JSON.stringify(mismatch)];
}

function parseVerifierJson(text: string): VerifierJson | undefined {
  try {
    const json = JSON.parse(text) as unknown;
    return json !== null && typeof json === 'object' ? (json as VerifierJson) : undefined;
  } catch {
    return undefined;
  }
}

/** Identifies one use of a state (name and parameters), to tie a set-up failure to its interactions. */
function stateKey(name: string, params: unknown): string {
  const entries =
    params !== null && typeof params === 'object' ? Object.entries(params as Record<string, unknown>) : [];
  return JSON.stringify([name, entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
}

/** The message type a message interaction expects: Atomic's `eventType`, Atelio's `event`. */
function expectedEventType(content: unknown): string | undefined {
  if (content === null || typeof content !== 'object') return undefined;
  const body = content as Record<string, unknown>;
  const type = body['eventType'] ?? body['event'];
  return typeof type === 'string' ? type : undefined;
}

function whyNotVerifiable(interaction: PactInteraction, mock: { hasState(name: string): boolean }): string[] {
  if (interaction.kind === 'synchronous-message')
    return ['synchronous (request/response) messages are not verified: neither vendor has such a channel'];
  return interaction.states
    .filter((s) => !mock.hasState(s.name))
    .map((s) => `unknown provider state "${s.name}"`);
}

/** Keeps only some interactions of the pact, in a temporary copy the verifier can read. */
function writeSubset(pact: PactFile, keep: ReadonlySet<PactInteraction>, dir: string): string {
  const raw = structuredClone(pact.raw);
  let index = 0;
  const filter = (list: unknown) => {
    if (!Array.isArray(list)) return list;
    return list.filter(() => keep.has(pact.interactions[index++]!));
  };
  // Same order as parsePact: `interactions`, then V3 `messages`.
  if ('interactions' in raw) raw['interactions'] = filter(raw['interactions']);
  if ('messages' in raw) raw['messages'] = filter(raw['messages']);
  const path = join(dir, basename(pact.path));
  writeFileSync(path, JSON.stringify(raw, null, 2));
  return path;
}

/** The mock that verifies this pact, from its provider name. */
export function providerOf(pact: PactFile): ProviderName {
  if (!isProviderName(pact.provider))
    throw new PactFileError(
      `the pact's provider is "${pact.provider}"; the sandbox verifies pacts whose provider is ${PROVIDERS.join(' or ')}`,
    );
  return pact.provider;
}

export async function verifyPact(options: VerifyPactOptions): Promise<VerificationReport> {
  const pact = readPact(options.pactFile);
  const provider = providerOf(pact);
  const selected = pact.interactions.filter((i) => options.only?.(i) ?? true);
  if (selected.length === 0) throw new PactFileError(`${options.pactFile} has no interactions to verify`);

  const known = providerStates(provider);
  const knownNames = new Set(known.map((s) => s.name));
  const outcomes = new Map<PactInteraction, InteractionOutcome>();
  const verifiable = new Set<PactInteraction>();
  for (const interaction of selected) {
    const problems = whyNotVerifiable(interaction, { hasState: (name) => knownNames.has(name) });
    outcomes.set(interaction, {
      description: interaction.description,
      kind: interaction.kind,
      states: interaction.states,
      status: problems.length > 0 ? 'not-verified' : 'failed',
      problems,
    });
    if (problems.length === 0) verifiable.add(interaction);
  }
  const unknownStates = [
    ...new Set(selected.flatMap((i) => i.states.filter((s) => !knownNames.has(s.name)).map((s) => s.name))),
  ];

  let verifierOutput: string[] = [];
  if (verifiable.size > 0) {
    const run = await runVerifier(pact, verifiable, provider, options);
    verifierOutput = run.output;
    for (const interaction of verifiable) {
      const outcome = outcomes.get(interaction)!;
      const problems = run.problemsFor(interaction);
      outcome.status = problems.length === 0 ? 'passed' : 'failed';
      outcome.problems = problems;
    }
  }

  const list = selected.map((i) => outcomes.get(i)!);
  return {
    pactFile: options.pactFile,
    consumer: pact.consumer,
    provider,
    outcomes: list,
    unknownStates,
    knownStates: known,
    passed: list.every((o) => o.status === 'passed'),
    verifierOutput,
  };
}

interface VerifierRun {
  output: string[];
  problemsFor(interaction: PactInteraction): string[];
}

async function runVerifier(
  pact: PactFile,
  verifiable: ReadonlySet<PactInteraction>,
  provider: ProviderName,
  options: VerifyPactOptions,
): Promise<VerifierRun> {
  const { Verifier } = await loadPact();
  const dir = mkdtempSync(join(tmpdir(), 'stitch-verify-'));
  const mock: MockProvider = await startMockProvider(provider, {
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.testHooks ? { testHooks: options.testHooks } : {}),
  });
  // Errors raised on our side of the Pact protocol; the verifier only sees "500 from the proxy".
  const stateErrors: Array<{ key: string; message: string }> = [];
  const messageErrors = new Map<string, string>();
  try {
    const pactPath =
      verifiable.size === pact.interactions.length ? pact.path : writeSubset(pact, verifiable, dir);
    const stateNames = new Set([...verifiable].flatMap((i) => i.states.map((s) => s.name)));
    const stateHandlers = Object.fromEntries(
      [...stateNames].map((name) => [
        name,
        async (params: unknown) => {
          try {
            return mock.setUpState(name, params);
          } catch (error) {
            stateErrors.push({ key: stateKey(name, params), message: (error as Error).message });
            throw error;
          }
        },
      ]),
    );
    const messageProviders = Object.fromEntries(
      [...verifiable]
        .filter((i) => i.kind === 'message')
        .map((interaction) => [
          interaction.description,
          async () => {
            const wanted = expectedEventType(interaction.content);
            const sent = mock.webhooks().filter((w) => wanted === undefined || w.eventType === wanted);
            const newest = sent.at(-1);
            if (!newest) {
              const states = interaction.states.map((s) => `"${s.name}"`).join(', ') || 'no provider state';
              const what = wanted === undefined ? 'webhook' : `${wanted} webhook`;
              const message = `the ${provider} mock sent no ${what} while setting up ${states}`;
              messageErrors.set(interaction.description, message);
              throw new Error(message);
            }
            return options.transformMessage
              ? options.transformMessage(interaction.description, newest.body)
              : newest.body;
          },
        ]),
    );
    const credentials = SANDBOX_CREDENTIALS[provider];
    const verifier = new Verifier({
      provider,
      providerBaseUrl: mock.url,
      pactUrls: [pactPath],
      logLevel: 'error',
      beforeEach: () => mock.reset(),
      stateHandlers,
      messageProviders,
      ...(options.replaceCredentials
        ? {
            requestFilter: (req: { headers: Record<string, unknown> }, _res: unknown, next: () => void) => {
              if (Object.keys(credentials).some((h) => h in req.headers))
                Object.assign(req.headers, credentials);
              next();
            },
          }
        : {}),
    });
    let text: string;
    try {
      text = String(await verifier.verifyProvider());
    } catch (error) {
      text = (error as Error).message;
    }
    const json = parseVerifierJson(text);
    if (!json) {
      const problem = `the Pact verifier could not run: ${text}`;
      return { output: [], problemsFor: () => [problem] };
    }
    const results = new Map((json.interactionResults ?? []).map((r) => [r.description, r.result]));
    return {
      output: (json.output ?? []).flatMap((line) => stripAnsi(line).split('\n')),
      problemsFor(interaction) {
        const problems = (json.errors ?? [])
          .filter((e) => {
            const name = e.interaction ?? '';
            return name === interaction.description || name.endsWith(` - ${interaction.description}`);
          })
          .flatMap((e) => describeMismatch(e.mismatch));
        const ours = [
          ...stateErrors
            .filter((e) => interaction.states.some((s) => stateKey(s.name, s.params) === e.key))
            .map((e) => `provider state failed: ${e.message}`),
          ...(messageErrors.has(interaction.description)
            ? [messageErrors.get(interaction.description)!]
            : []),
        ];
        const all = [...new Set([...ours, ...problems])];
        if (all.length === 0 && results.get(interaction.description) !== 'OK')
          all.push('the Pact verifier did not report this interaction as verified');
        return all;
      },
    };
  } finally {
    await mock.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
