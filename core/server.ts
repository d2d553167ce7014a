import { serve } from '@hono/node-server';
import type { AddressInfo, Socket } from 'node:net';
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** Anything with a fetch handler: a Hono or OpenAPIHono app. */
export interface FetchApp {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Hono's fetch takes (request, env, ctx) of app-specific types
  fetch: (request: Request, ...rest: any[]) => Response | Promise<Response>;
}

export interface RunningServer {
  name: string;
  host: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

export const HEALTH_PATH = '/__sandbox/health';

/** The health answer every server gives once ready (DESIGN.md). */
export const healthResponse = () =>
  new Response('{"status":"ok"}', { status: 200, headers: { 'content-type': 'application/json' } });

/** The JSON error body a server gives in its own envelope, for requests that never reach the app. */
export type ProtocolErrorBody = (status: number, message: string) => string;

/**
 * Bytes that are not an HTTP request (a NUL in the request line, a header block over Node's 16 KiB,
 * broken chunked framing) are refused by Node's parser before any app code runs; by default it
 * answers with an empty 400/431. With `body`, the answer carries the server's own error envelope,
 * so a client sees the same shape of error whatever it got wrong.
 */
function answerProtocolErrors(server: Server, body: ProtocolErrorBody): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // Nothing to answer on a connection the peer already dropped, or once an answer has started
    // on it (the same test Node's own handler makes).
    const answering = (socket as Socket & { _httpMessage?: { _headerSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || answering?._headerSent) {
      socket.destroy();
      return;
    }
    const status =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? 431
        : error.code === 'HPE_REQUEST_TIMEOUT' || error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 408
          : 400;
    const text = body(
      status,
      status === 431
        ? 'The request line and headers are larger than 16 KiB.'
        : status === 408
          ? 'The request did not arrive in time.'
          : `The bytes received are not a valid HTTP/1.1 request (${error.code ?? 'parse error'}).`,
    );
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  });
}

/** Open connections per server unless the caller says otherwise (`--max-connections`). */
export const DEFAULT_MAX_CONNECTIONS = 1024;

/**
 * Time limits that keep a connection from holding a slot while saying nothing useful: the request
 * head must arrive within 10 s and the whole request within 30 s; a kept-alive connection is closed
 * after 5 s without a new request. (They bound receiving a request, never a response, so a live
 * event stream is unaffected.)
 */
export const CONNECTION_TIMEOUTS = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 } as const;

/**
 * Caps open connections at `max` without letting idle ones lock clients out: a connection is idle
 * from the moment it opens until its request head has arrived, and again between requests. When a
 * new connection takes the count past the cap, the longest-idle connection is closed to make room;
 * only when every connection is busy answering a request is the newcomer refused. So 20,000 idle
 * sockets opened by one peer cost that peer its own sockets, not everyone else their access.
 */
function capConnections(server: Server, max: number): { readonly open: number } {
  // Insertion-ordered: the first entry is the connection idle the longest.
  const idle = new Set<Socket>();
  let open = 0;
  server.on('connection', (socket: Socket) => {
    open++;
    idle.add(socket);
    socket.once('close', () => {
      open--;
      idle.delete(socket);
    });
    if (open <= max) return;
    const oldest = idle.values().next().value;
    if (oldest !== undefined && oldest !== socket) {
      idle.delete(oldest);
      oldest.destroy();
    } else {
      idle.delete(socket);
      socket.destroy();
    }
  });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    idle.delete(socket);
    response.once('close', () => {
      if (!socket.destroyed) idle.add(socket);
    });
  });
  return {
    get open() {
      return open;
    },
  };
}

/** How long requests already being answered get to finish when a server closes. */
export const CLOSE_GRACE_MS = 1000;

/**
 * Stops accepting connections at once, lets requests already in progress finish (idle keep-alive
 * connections are closed as soon as they are idle), and cuts whatever is still open after
 * CLOSE_GRACE_MS (a dashboard's live event stream never ends by itself).
 */
function closeGracefully(server: Server): Promise<void> {
  return new Promise<void>((done) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 25);
    const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    sweep.unref();
    cut.unref();
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(cut);
      done();
    });
    server.closeIdleConnections();
  });
}

/**
 * Starts an app on host:port (port 0 picks a free one) and resolves once it is listening.
 * `GET /__sandbox/health` is answered here, before the app, so every server has it.
 * `protocolErrorBody` gives malformed HTTP the server's error envelope (see answerProtocolErrors).
 */
export function startServer(
  app: FetchApp,
  options: {
    name: string;
    host?: string;
    port?: number;
    protocolErrorBody?: ProtocolErrorBody;
    /** Open connections at most (default DEFAULT_MAX_CONNECTIONS); see capConnections. */
    maxConnections?: number;
  },
): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  // The node bindings (incoming/outgoing) are passed through: fault injection needs the socket.
  const fetch = (request: Request, ...rest: unknown[]) => {
    // Cheap check first: only build a URL for requests that could be the health path.
    if (request.method === 'GET' && request.url.endsWith(HEALTH_PATH)) {
      if (new URL(request.url).pathname === HEALTH_PATH) return healthResponse();
    }
    return app.fetch(request, ...rest);
  };
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: host, port: options.port ?? 0 }) as Server;
    server.headersTimeout = CONNECTION_TIMEOUTS.headersMs;
    server.requestTimeout = CONNECTION_TIMEOUTS.requestMs;
    server.keepAliveTimeout = CONNECTION_TIMEOUTS.keepAliveMs;
    capConnections(server, options.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
    if (options.protocolErrorBody) answerProtocolErrors(server, options.protocolErrorBody);
    const onError = (error: NodeJS.ErrnoException) => {
      const where = `${host}:${options.port ?? 0}`;
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`${options.name}: port ${where} is already in use; pick another with its --*-port flag`)
          : error,
      );
    };
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      const { port } = server.address() as AddressInfo;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        name: options.name,
        host,
        port,
        url: `http://${urlHost}:${port}`,
        close: () => closeGracefully(server),
      });
    });
  });
}
