/** The little HTTP layer both vendor clients share: timeouts, error envelopes, retryable or not. */

export type Vendor = 'atomic' | 'atelio';

/**
 * A vendor call that did not give usable data. `retryable` says whether trying again later can help
 * (network errors, timeouts, 429, 5xx) or not (bad credentials, unknown id, a shape we cannot read).
 */
export class VendorApiError extends Error {
  override readonly name = 'VendorApiError';
  constructor(
    readonly vendor: Vendor,
    readonly status: number | null,
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs: number | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface HttpClientOptions {
  vendor: Vendor;
  baseUrl: string;
  headers: Record<string, string>;
  fetch?: FetchLike | undefined;
  /** Per-request timeout in ms (real time: it bounds a real socket). Default 10 s. */
  timeoutMs?: number | undefined;
  /** Wall clock, for Retry-After given as an HTTP date. */
  now?: (() => number) | undefined;
  /** Reads the vendor's error body into a message and code. */
  describeError: (body: unknown) => { message?: string | undefined; code?: string | undefined };
}

export interface HttpClient {
  getJson(path: string, query?: Record<string, string | number | undefined>): Promise<unknown>;
}

function retryAfterMs(header: string | null, nowMs: number): number | null {
  if (!header) return null;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

const isRetryableStatus = (status: number) =>
  status === 408 || status === 425 || status === 429 || status >= 500;

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 10_000;
  const base = options.baseUrl.replace(/\/+$/, '');
  const { vendor } = options;
  const now = options.now ?? (() => Date.now());

  return {
    async getJson(path, query) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query ?? {}))
        if (value !== undefined) params.set(key, String(value));
      const url = `${base}${path}${params.size > 0 ? `?${params}` : ''}`;
      const what = `GET ${path}`;
      let response: Response;
      let text: string;
      try {
        response = await fetchImpl(url, {
          method: 'GET',
          headers: { accept: 'application/json', ...options.headers },
          signal: AbortSignal.timeout(timeoutMs),
        });
        text = await response.text();
      } catch (error) {
        const reason =
          error instanceof Error && error.name === 'TimeoutError'
            ? `timed out after ${timeoutMs} ms`
            : String(error);
        throw new VendorApiError(vendor, null, `${vendor} ${what} failed: ${reason}`, true);
      }
      const body = parseJsonOrUndefined(text);
      if (!response.ok) {
        const described = body === undefined ? {} : options.describeError(body);
        const detail = described.message ?? (text.slice(0, 200) || response.statusText);
        throw new VendorApiError(
          vendor,
          response.status,
          `${vendor} ${what} answered ${response.status}: ${detail}`,
          isRetryableStatus(response.status),
          retryAfterMs(response.headers.get('retry-after'), now()),
          described.code ?? null,
        );
      }
      if (body === undefined) {
        // A 2xx that is not JSON is usually a proxy or maintenance page: worth another try later.
        throw new VendorApiError(
          vendor,
          response.status,
          `${vendor} ${what} answered ${response.status} without a JSON body`,
          true,
        );
      }
      return body;
    },
  };
}

/** A zod-style parse failure on a 2xx answer: the vendor's shape is not what we read; retrying will not help. */
export function shapeError(vendor: Vendor, what: string, detail: string): VendorApiError {
  return new VendorApiError(vendor, 200, `${vendor} ${what}: unexpected response shape: ${detail}`, false);
}

function parseJsonOrUndefined(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
