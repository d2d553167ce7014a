/** One webhook HTTP POST: real-time timeout, bounded answer, and a readable reason when it fails. */

const SNIPPET_CHARS = 256;
/** Reading more of an answer than this is pointless; the connection is dropped instead. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/** Why an in-flight attempt was cut short by the engine itself (stop or reset). */
export class EngineAbort extends Error {}

export interface SendOutcome {
  statusCode?: number;
  error?: string;
  snippet?: string;
  latencyMs: number;
  /** Cut short by the engine (an EngineAbort), not by the receiver or the timeout. */
  aborted: boolean;
}

export interface SendRequest {
  fetch: typeof globalThis.fetch;
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** The attempt's controller is in this set while it is in flight, so the engine can abort it. */
  inflight: Set<AbortController>;
}

/**
 * One HTTP POST. The timeout is real time on purpose: it bounds a real socket. On a VirtualClock a
 * virtual timeout could never fire (the clock waits for this very request before moving), and on
 * the platform clock an "advance 1 h" must not abort requests that are merely in progress.
 */
export async function sendWebhook(request: SendRequest): Promise<SendOutcome> {
  const { url, headers, body, timeoutMs, inflight } = request;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  inflight.add(controller);
  const started = performance.now();
  const latency = () => Math.round((performance.now() - started) * 10) / 10;
  let statusCode: number | undefined;
  try {
    const response = await request.fetch(url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual', // webhook senders do not follow redirects; a 3xx is a failed attempt
      signal: controller.signal,
    });
    statusCode = response.status;
    const snippet = await readSnippet(response);
    return { statusCode, ...(snippet ? { snippet } : {}), latencyMs: latency(), aborted: false };
  } catch (error) {
    const reason: unknown = controller.signal.reason;
    const stopped = reason instanceof EngineAbort;
    const described = timedOut
      ? `timeout: no complete answer within ${timeoutMs} ms`
      : stopped
        ? `aborted: ${reason.message}`
        : describeNetworkError(error);
    return {
      ...(statusCode === undefined ? {} : { statusCode }),
      error: described,
      latencyMs: latency(),
      aborted: stopped,
    };
  } finally {
    clearTimeout(timer);
    inflight.delete(controller);
  }
}

async function readSnippet(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (text.length < SNIPPET_CHARS) text += decoder.decode(value, { stream: true });
    if (bytes > MAX_RESPONSE_BYTES) {
      await reader.cancel();
      break;
    }
  }
  return text.slice(0, SNIPPET_CHARS);
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  UND_ERR_SOCKET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** fetch hides the socket error in `cause`; surface its code so the log says what happened. */
function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') {
    const label = NETWORK_ERRORS[code] ?? 'network error';
    return `${label} (${code}: ${errorMessage(cause)})`;
  }
  return `request failed: ${errorMessage(cause ?? error)}`;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
