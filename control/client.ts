import { hc } from 'hono/client';
import type { z } from 'zod';
import type { ControlApi } from './api';
import type { StartRunSchema } from './routes/scenarios';

/**
 * The typed client of the control API (Hono's `hc`), derived from the route table in
 * `control/api.ts`: paths, path parameters, query strings, bodies and answers are checked at
 * compile time. The CLI, the end-to-end tests and the examples drive a running platform with it.
 *
 *   const control = createControlClient('http://127.0.0.1:4000');
 *   const { runId } = await answer(control.api.scenarios[':name'].runs.$post({ param: { name }, json: { seed: 7 } }));
 */
export type ControlClient = ReturnType<typeof hc<ControlApi>>;

/** The body of `POST /api/scenarios/{name}/runs`. */
export type StartRunBody = z.input<typeof StartRunSchema>;

export interface ControlClientOptions {
  /** The control (or viewer) token, sent as `Authorization: Bearer …`. */
  token?: string | undefined;
  /** Another fetch (a test's, or one with a timeout). */
  fetch?: typeof fetch;
}

export function createControlClient(baseUrl: string, options: ControlClientOptions = {}): ControlClient {
  return hc<ControlApi>(baseUrl, {
    ...(options.token ? { headers: { authorization: `Bearer ${options.token}` } } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

/** A control API refusal: its status, and the `{error: {code, message}}` body when there is one. */
export class ControlApiError extends Error {
  override name = 'ControlApiError';

  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

interface AnyResponse {
  ok: boolean;
  status: number;
  url: string;
  text(): Promise<string>;
}
/** The JSON bodies a route declares, less those it declares for a failure status. */
type SuccessBody<R> = R extends { ok: false } ? never : R extends { json(): Promise<infer B> } ? B : never;

/** The parsed body of a 2xx answer, typed by the route; anything else throws a ControlApiError. */
export async function answer<R extends AnyResponse>(pending: Promise<R> | R): Promise<SuccessBody<R>> {
  const response = await pending;
  const text = await response.text();
  if (!response.ok) {
    let error: { code?: string; message?: string } | undefined;
    try {
      error = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
    } catch {
      error = undefined;
    }
    throw new ControlApiError(
      response.status,
      error?.code,
      error?.message ?? `${response.url} answered ${response.status}${text ? `: ${text}` : ''}`,
    );
  }
  return (text === '' ? undefined : JSON.parse(text)) as SuccessBody<R>;
}
