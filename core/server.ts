import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

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

/**
 * Starts an app on host:port (port 0 picks a free one) and resolves once it is listening.
 * `GET /__sandbox/health` is answered here, before the app, so every server has it.
 */
export function startServer(
  app: FetchApp,
  options: { name: string; host?: string; port?: number },
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
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections?.();
          }),
      });
    });
  });
}
