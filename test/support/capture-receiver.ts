import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A real HTTP receiver on 127.0.0.1 that keeps every request's raw bytes, for tests of anything that
 * sends webhooks. Its answer to each request is scriptable, including misbehaviour: hang without
 * answering, reset the connection, or stop listening altogether (connections refused) and come back.
 */
export interface CapturedRequest {
  /** 0-based arrival order. */
  index: number;
  method: string;
  path: string;
  /** Lower-cased names, as node:http gives them. */
  headers: IncomingHttpHeaders;
  /** The body exactly as received. */
  raw: Buffer;
}

export type ReceiverReply =
  | { status: number; body?: string; headers?: Record<string, string> }
  /** Read the request, never answer (until `releaseHanging` or `close`). */
  | 'hang'
  /** Read the request, then reset the TCP connection (RST) instead of answering. */
  | 'reset';

export type ReplyScript = (request: CapturedRequest) => ReceiverReply;

export interface CaptureReceiver {
  /** Base URL, e.g. `http://127.0.0.1:41234`. Stays the same across `goDown`/`comeUp`. */
  readonly url: string;
  readonly port: number;
  readonly requests: readonly CapturedRequest[];
  /** Replaces the answer script (default: 200 `{"received":true}`). */
  setReply(script: ReplyScript): void;
  /** Resolves once `count` requests in total have arrived. */
  waitForRequests(count: number): Promise<CapturedRequest[]>;
  /** Answers every request that is hanging. */
  releaseHanging(reply?: { status: number; body?: string }): void;
  /** Stops listening and drops open connections: new connections are refused. */
  goDown(): Promise<void>;
  /** Listens again on the same port. */
  comeUp(): Promise<void>;
  close(): Promise<void>;
}

const DEFAULT_REPLY: ReceiverReply = { status: 200, body: '{"received":true}' };

export async function startCaptureReceiver(
  script: ReplyScript = () => DEFAULT_REPLY,
): Promise<CaptureReceiver> {
  const requests: CapturedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const waiters: { count: number; resolve: (all: CapturedRequest[]) => void }[] = [];
  let reply = script;

  const notify = () => {
    for (const waiter of [...waiters]) {
      if (requests.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve([...requests]);
      }
    }
  };

  const makeServer = (): Server =>
    createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const captured: CapturedRequest = {
          index: requests.length,
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          raw: Buffer.concat(chunks),
        };
        requests.push(captured);
        const answer = reply(captured);
        if (answer === 'hang') {
          hanging.add(res);
          res.on('close', () => hanging.delete(res));
        } else if (answer === 'reset') {
          (req.socket as Socket).resetAndDestroy();
        } else {
          res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
          res.end(answer.body ?? '');
        }
        notify();
      });
    });

  const listen = (server: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });

  const shut = (server: Server) =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  let server: Server | undefined = makeServer();
  const port = await listen(server, 0);

  const goDown = async () => {
    if (!server) return;
    const current = server;
    server = undefined;
    await shut(current);
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    setReply(next) {
      reply = next;
    },
    waitForRequests(count) {
      return new Promise((resolve) => {
        waiters.push({ count, resolve });
        notify();
      });
    },
    releaseHanging(answer = { status: 200 }) {
      for (const res of [...hanging]) {
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(answer.body ?? '');
      }
      hanging.clear();
    },
    goDown,
    async comeUp() {
      if (server) return;
      server = makeServer();
      await listen(server, port);
    },
    close: goDown,
  };
}
