import http from 'node:http';
import net from 'node:net';
import { envelopeProblem, type EnvelopeKind } from './envelopes';
import type { FuzzRequest } from './requests';

/** What came back, reduced to what the checks look at. */
export interface Answer {
  status: number;
  contentType: string | null;
  text: string;
}

/** Anything with Hono's `request(path, init)`. */
export interface InProcessApp {
  request(input: string, init?: RequestInit): Response | Promise<Response>;
}

/** Methods the fetch `Request` class refuses to construct; only a socket can send them. */
const UNCONSTRUCTIBLE = new Set(['TRACE', 'TRACK', 'CONNECT']);

/**
 * Sends through `app.request` (no port). GET and HEAD cannot carry a body there, so it is dropped.
 * `wholeBody` reads successful answers too (for a recording hook); never set it for an app that
 * streams, since a live feed never ends.
 */
export async function sendInProcess(
  app: InProcessApp,
  request: FuzzRequest,
  options: { wholeBody?: boolean } = {},
): Promise<Answer | undefined> {
  if (UNCONSTRUCTIBLE.has(request.method)) return undefined;
  const init: RequestInit = { method: request.method, headers: request.headers };
  if (request.body !== undefined && request.method !== 'GET' && request.method !== 'HEAD')
    init.body = request.body;
  const response = await app.request(request.target, init);
  // Streams (the live feed) never end: read only what the checks need.
  const read = (response.status >= 400 || options.wholeBody === true) && request.method !== 'HEAD';
  const text = read ? await response.text() : '';
  if (!read) await response.body?.cancel();
  return { status: response.status, contentType: response.headers.get('content-type'), text };
}

/**
 * Sends over a real connection with node:http, which (unlike fetch) lets GET carry a body, any
 * method token through, and bytes 0x80–0xFF in the path as they are.
 */
export function sendHttp(baseUrl: string, request: FuzzRequest, agent: http.Agent): Promise<Answer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const body = request.body === undefined ? undefined : Buffer.from(request.body);
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.target,
        agent,
        headers: { ...request.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        const stream = res.headers['content-type']?.startsWith('text/event-stream');
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          // A live feed never ends; its first bytes are enough.
          if (stream) res.destroy();
        });
        const done = () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: typeof res.headers['content-type'] === 'string' ? res.headers['content-type'] : null,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        res.on('end', done);
        res.on('close', done);
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Writes raw bytes to a fresh connection and reads until the server closes it or the timeout ends.
 * For what no HTTP client will send: NUL and invalid UTF-8 in the request line, broken framing.
 */
/** The first answer on the connection: status line and headers, and its body (de-chunked). */
export function sendRaw(
  baseUrl: string,
  bytes: Uint8Array | string,
  timeoutMs = 5000,
): Promise<{ head: string; status: number; body: string }> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error) => {
      // A reset after the answer was written still counts as an answer.
      if (chunks.length === 0) {
        clearTimeout(timer);
        reject(error);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks).toString('latin1');
      const split = raw.indexOf('\r\n\r\n');
      const head = split >= 0 ? raw.slice(0, split) : raw;
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      let body = split >= 0 ? raw.slice(split + 4) : '';
      if (/\r\ntransfer-encoding: chunked/i.test(head)) body = dechunk(body);
      // Only the first answer's body (pipelined requests get several answers on one connection).
      const length = /\r\ncontent-length: (\d+)/i.exec(head)?.[1];
      if (length !== undefined) body = body.slice(0, Number(length));
      resolve({ head, status, body: Buffer.from(body, 'latin1').toString('utf8') });
    });
    // Half-close after the bytes: a server waiting for the rest of a broken request sees the end at once.
    socket.end(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  });
}

function dechunk(body: string): string {
  let out = '';
  let rest = body;
  for (;;) {
    const line = rest.indexOf('\r\n');
    if (line < 0) return out;
    const size = parseInt(rest.slice(0, line), 16);
    if (!Number.isFinite(size) || size === 0) return out;
    out += rest.slice(line + 2, line + 2 + size);
    rest = rest.slice(line + 2 + size + 2);
  }
}

/** Why this answer breaks the rules (a 5xx, or an error outside the server's envelope); undefined if fine. */
export function answerProblem(kind: EnvelopeKind, request: FuzzRequest, answer: Answer): string | undefined {
  if (answer.status >= 500) return `status ${answer.status}: ${answer.text.slice(0, 300)}`;
  if (answer.status < 400 || request.method === 'HEAD') return undefined;
  const problem = envelopeProblem(kind, answer.status, answer.contentType, answer.text);
  return problem && `status ${answer.status}, ${problem}: ${answer.text.slice(0, 300)}`;
}

/** A readable one-line description of a generated request, for failure messages. */
export const describeRequest = (request: FuzzRequest): string => {
  const body =
    request.body === undefined
      ? 'no body'
      : typeof request.body === 'string'
        ? `${request.body.length} chars: ${JSON.stringify(request.body.slice(0, 80))}`
        : `${request.body.length} bytes`;
  return `${request.method} ${request.target.slice(0, 200)} (${request.label}; ${body})`;
};
