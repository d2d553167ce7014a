import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server standing where the stitcher's webhook URLs point, forwarding each delivery to
 * the stitcher byte for byte. It is how the tests make the receiver misbehave the ways receivers do
 * in production: refuse a delivery, accept it and lose the acknowledgement, drop the connection,
 * be down altogether (connections refused), or pause while the service behind it restarts.
 */

/** What the front does with one delivery attempt. */
export type FrontAction =
  /** Pass it on and return the stitcher's answer. */
  | 'forward'
  /** 503 without passing it on. */
  | 'refuse'
  /** Pass it on (the stitcher stores it), then answer 500: the vendor never hears it was accepted. */
  | 'lose-ack'
  /** Destroy the connection without passing it on or answering. */
  | 'drop';

export interface FrontDelivery {
  vendor: 'atomic' | 'atelio';
  /** Identity of the event across retries: Atomic `ce-id`; Atelio `event`+`occurred_at`+`transaction_id`. */
  eventKey: string;
  /** 1 for the first time this event reaches the front, 2 for the next, … */
  arrival: number;
  /** `eventType` (Atomic) or `event` (Atelio) from the body. */
  eventType: string;
  body: Record<string, unknown>;
}

export interface FrontRecord extends FrontDelivery {
  action: FrontAction;
  /** The stitcher's answer when the delivery was passed on. */
  stitcherStatus?: number;
  stitcherAnswer?: string;
}

export interface ReceiverFrontOptions {
  /** Where deliveries go (the stitcher's base URL); can change while running (`setTarget`). */
  target: string;
  decide?: (delivery: FrontDelivery) => FrontAction;
  /** Runs after the stitcher answered and before the vendor gets the answer (the vendor waits). */
  afterForward?: (delivery: FrontDelivery, stitcherStatus: number) => Promise<void> | void;
}

export interface ReceiverFront {
  readonly url: string;
  readonly records: readonly FrontRecord[];
  setTarget(url: string): void;
  /** Deliveries wait (the vendor's request stays open) until the returned release is called. */
  hold(): () => void;
  /** Down: connections are refused until `up()`. */
  down(): void;
  up(): Promise<void>;
  readonly isDown: boolean;
  close(): Promise<void>;
}

/** A stable pseudo-random number in [0, 1) for this text: the same delivery gets the same fate on every run. */
export function fateOf(seed: string, ...parts: (string | number)[]): number {
  const digest = createHash('sha256')
    .update([seed, ...parts].join('\u0000'))
    .digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

const FORWARDED_HEADERS = ['content-type', 'x-hmac-signature-sha-256', 'bond-signature'];

function eventIdentity(
  vendor: 'atomic' | 'atelio',
  headers: http.IncomingHttpHeaders,
  body: Record<string, unknown>,
): string {
  if (vendor === 'atomic') return String(headers['ce-id'] ?? '');
  return `${String(body['event'])}|${String(body['occurred_at'])}|${String(body['transaction_id'])}`;
}

export async function startReceiverFront(options: ReceiverFrontOptions): Promise<ReceiverFront> {
  let target = options.target;
  let holding: Promise<void> | undefined;
  let isDown = false;
  const arrivals = new Map<string, number>();
  const records: FrontRecord[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks)).catch((error: unknown) => {
        // The front itself failing would make every test result meaningless: say so loudly.
        res.writeHead(599).end(String(error));
      });
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): Promise<void> {
    const vendor =
      req.url === '/webhooks/atomic' ? 'atomic' : req.url === '/webhooks/atelio' ? 'atelio' : undefined;
    if (req.method !== 'POST' || !vendor) {
      res.writeHead(404).end();
      return;
    }
    const body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    const eventKey = eventIdentity(vendor, req.headers, body);
    const arrival = (arrivals.get(eventKey) ?? 0) + 1;
    arrivals.set(eventKey, arrival);
    const delivery: FrontDelivery = {
      vendor,
      eventKey,
      arrival,
      eventType: String(vendor === 'atomic' ? body['eventType'] : body['event']),
      body,
    };
    while (holding) await holding;
    const action = options.decide?.(delivery) ?? 'forward';
    const record: FrontRecord = { ...delivery, action };
    records.push(record);
    if (action === 'refuse') {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('receiver refused (test fault)');
      return;
    }
    if (action === 'drop') {
      req.socket.destroy();
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if ((FORWARDED_HEADERS.includes(name) || name.startsWith('ce-')) && typeof value === 'string')
        headers[name] = value;
    }
    const answer = await fetch(`${target}${req.url}`, { method: 'POST', headers, body: raw });
    const text = await answer.text();
    record.stitcherStatus = answer.status;
    record.stitcherAnswer = text;
    await options.afterForward?.(delivery, answer.status);
    if (action === 'lose-ack') {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('acknowledgement lost (test fault)');
      return;
    }
    res
      .writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' })
      .end(text);
  }

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const port = await listen(0);

  return {
    url: `http://127.0.0.1:${port}`,
    records,
    setTarget(url) {
      target = url;
    },
    hold() {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      holding = held;
      return () => {
        if (holding === held) holding = undefined;
        release();
      };
    },
    down() {
      if (isDown) return;
      isDown = true;
      server.close();
      server.closeAllConnections();
    },
    async up() {
      if (!isDown) return;
      await listen(port);
      isDown = false;
    },
    get isDown() {
      return isDown;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (isDown) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
