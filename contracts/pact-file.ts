/**
 * Reading pact files: the committed ones under contracts/pacts/ and a user's own (Pact specification
 * 2 to 4). Only what verification, reports and the coverage checks need is read; everything else in
 * the file is left to the Pact verifier.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const CONSUMER = 'stitcher';
export const PACTS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'pacts');

/** Pact's own file name for a consumer–provider pair. */
export const pactFileName = (consumer: string, provider: string) => `${consumer}-${provider}.json`;
export const committedPactPath = (provider: string) => join(PACTS_DIR, pactFileName(CONSUMER, provider));

const StateSchema = z.object({ name: z.string(), params: z.record(z.string(), z.unknown()).optional() });

const QuerySchema = z.union([z.string(), z.record(z.string(), z.union([z.string(), z.array(z.string())]))]);

const InteractionSchema = z.object({
  description: z.string(),
  type: z.string().optional(),
  providerState: z.string().optional(),
  providerStates: z.array(StateSchema).optional(),
  request: z
    .object({
      method: z.string(),
      path: z.string(),
      query: QuerySchema.optional(),
      headers: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  response: z.object({ status: z.number() }).optional(),
  /** V4 asynchronous message: `{content, contentType, encoded}`; V3 message: the body itself. */
  contents: z.unknown().optional(),
  /** Pre-V3 message body. */
  content: z.unknown().optional(),
});

const PactFileSchema = z.object({
  consumer: z.object({ name: z.string().min(1) }),
  provider: z.object({ name: z.string().min(1) }),
  interactions: z.array(InteractionSchema).optional(),
  messages: z.array(InteractionSchema).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export type RawInteraction = z.infer<typeof InteractionSchema>;

export type InteractionKind = 'http' | 'message' | 'synchronous-message';

export interface PactState {
  name: string;
  params: Record<string, unknown>;
}

export interface PactInteraction {
  description: string;
  kind: InteractionKind;
  states: PactState[];
  request?: { method: string; path: string; query: Record<string, string[]> };
  status?: number;
  /** A message's example content. */
  content?: unknown;
}

export interface PactFile {
  path: string;
  consumer: string;
  provider: string;
  interactions: PactInteraction[];
  /** The file as read, for writing filtered copies. */
  raw: Record<string, unknown>;
}

/** The file is not a pact this tool can read; the message says what to fix. */
export class PactFileError extends Error {
  override readonly name = 'PactFileError';
}

function normaliseQuery(query: z.infer<typeof QuerySchema> | undefined): Record<string, string[]> {
  if (query === undefined) return {};
  if (typeof query === 'string') {
    const out: Record<string, string[]> = {};
    for (const [key, value] of new URLSearchParams(query)) (out[key] ??= []).push(value);
    return out;
  }
  return Object.fromEntries(Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
}

function kindOf(raw: RawInteraction, fromMessages: boolean): InteractionKind {
  if (raw.type === 'Synchronous/Messages') return 'synchronous-message';
  if (fromMessages || raw.type === 'Asynchronous/Messages') return 'message';
  return 'http';
}

function messageContent(raw: RawInteraction): unknown {
  if (raw.type === 'Asynchronous/Messages') {
    const contents = raw.contents as { content?: unknown } | undefined;
    return contents?.content;
  }
  return raw.contents ?? raw.content;
}

function toInteraction(raw: RawInteraction, fromMessages: boolean): PactInteraction {
  const states: PactState[] = raw.providerStates
    ? raw.providerStates.map((s) => ({ name: s.name, params: s.params ?? {} }))
    : raw.providerState
      ? [{ name: raw.providerState, params: {} }]
      : [];
  const interaction: PactInteraction = {
    description: raw.description,
    kind: kindOf(raw, fromMessages),
    states,
  };
  if (raw.request)
    interaction.request = {
      method: raw.request.method.toUpperCase(),
      path: raw.request.path,
      query: normaliseQuery(raw.request.query),
    };
  if (raw.response) interaction.status = raw.response.status;
  const content = messageContent(raw);
  if (content !== undefined) interaction.content = content;
  return interaction;
}

export function parsePact(text: string, path: string): PactFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PactFileError(`${path} is not JSON: ${(error as Error).message}`);
  }
  const parsed = PactFileSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new PactFileError(`${path} is not a pact file: ${issues}`);
  }
  const { consumer, provider, interactions = [], messages = [] } = parsed.data;
  return {
    path,
    consumer: consumer.name,
    provider: provider.name,
    interactions: [
      ...interactions.map((i) => toInteraction(i, false)),
      ...messages.map((m) => toInteraction(m, true)),
    ],
    raw: json as Record<string, unknown>,
  };
}

export function readPact(path: string): PactFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PactFileError(
      code === 'ENOENT' ? `no pact file at ${path}` : `cannot read ${path}: ${(error as Error).message}`,
    );
  }
  return parsePact(text, path);
}

/** What a state looks like in reports: `name {"param":"value"}`. */
export function formatState(state: PactState): string {
  const params = Object.keys(state.params).length > 0 ? ` ${JSON.stringify(state.params)}` : '';
  return `${state.name}${params}`;
}
