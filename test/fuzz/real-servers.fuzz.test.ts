import fc from 'fast-check';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthOf, startCli, type CliProcess } from '../e2e/support/cli';
import { envelopeProblem, type EnvelopeKind } from './support/envelopes';
import { describeApi, type ApiDescription } from './support/openapi';
import { requestArbitrary } from './support/requests';
import { FUZZ_SEED } from './support/run';
import { answerProblem, describeRequest, sendHttp, sendRaw } from './support/transport';

/**
 * The real command in its own process, attacked over real sockets: generated requests through
 * node:http, then what no HTTP client sends — raw NUL and invalid UTF-8 in the request line, broken
 * framing, oversized chunked bodies, a header flood. Afterwards the process must still be running
 * and every server healthy.
 */

const MiB = 1024 * 1024;
let cli: CliProcess;
let agent: http.Agent;
const apis: Partial<Record<'atomic' | 'atelio', ApiDescription>> = {};

beforeAll(async () => {
  cli = await startCli(['--seed', '5']);
  agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  for (const vendor of ['atomic', 'atelio'] as const) {
    apis[vendor] = describeApi(await (await fetch(`${cli.urls[vendor]}/openapi.json`)).json());
  }
}, 30_000);

afterAll(async () => {
  agent?.destroy();
  await cli?.stop('SIGKILL');
});

const servers = (): {
  name: string;
  kind: EnvelopeKind;
  url: string;
  api: ApiDescription;
  credentials: Record<string, string>[];
}[] => [
  {
    name: 'Atomic',
    kind: 'atomic',
    url: cli.urls.atomic,
    api: apis.atomic!,
    credentials: [
      { 'x-api-key': 'test-api-key', 'x-api-secret': 'test-api-secret' },
      {},
      { 'x-api-key': 'nope', 'x-api-secret': 'nope' },
    ],
  },
  {
    name: 'Atelio',
    kind: 'atelio',
    url: cli.urls.atelio,
    api: apis.atelio!,
    credentials: [
      { identity: 'test-identity', authorization: 'test-authorization' },
      {},
      { identity: 'x', authorization: 'y' },
    ],
  },
  {
    name: 'control plane',
    kind: 'control',
    url: cli.urls.control,
    api: {
      components: {},
      operations: [
        'GET /api/clock',
        'POST /api/clock/advance',
        'GET /api/faults',
        'POST /api/faults',
        'DELETE /api/faults/{id}',
        'GET /api/requests',
        'GET /api/deliveries',
        'GET /api/deliveries/{id}',
        'POST /api/deliveries/{id}/redeliver',
        'GET /api/state',
        'PUT /api/state',
        'GET /api/scenarios',
        'GET /api/runs/{runId}',
        'GET /api/users/{identifier}',
        'GET /api/stitcher/{rest}',
      ].map((route) => {
        const [method, template] = route.split(' ') as [string, string];
        return {
          method,
          template,
          pathParams: [...template.matchAll(/\{(\w+)\}/g)].map((m) => ({
            name: m[1]!,
            schema: { type: 'string' },
          })),
          queryParams: [],
          body: undefined,
        };
      }),
    },
    credentials: [{}, { origin: 'https://evil.example' }],
  },
];

describe('the real servers, attacked over sockets', () => {
  it('answer 400 generated requests each over HTTP with no 5xx and every error in their envelope', async () => {
    for (const server of servers()) {
      const requests = requestArbitrary({
        api: server.api,
        knownIds: ['demo-user', 'run-1'],
        credentials: server.credentials,
        bodyLimit: MiB,
        maxQueryLength: 12_000,
      });
      const statuses = new Set<number>();
      await fc.assert(
        fc.asyncProperty(requests, async (request) => {
          // A megabyte per case would only slow the run; the cap itself is tested below.
          if (request.body !== undefined && request.body.length > 64 * 1024) return;
          const answer = await sendHttp(server.url, request, agent);
          statuses.add(answer.status);
          const problem = answerProblem(server.kind, request, answer);
          if (problem) throw new Error(`${server.name}: ${describeRequest(request)} → ${problem}`);
        }),
        { numRuns: 400, seed: FUZZ_SEED },
      );
      expect(
        [...statuses].some((s) => s >= 200 && s < 300),
        server.name,
      ).toBe(true);
      expect(
        [...statuses].some((s) => s >= 400),
        server.name,
      ).toBe(true);
    }
  });

  it('refuse a body over the 1 MiB cap with 413 in the envelope, by Content-Length and by chunked stream', async () => {
    const targets: { kind: EnvelopeKind; url: string; path: string; headers: Record<string, string> }[] = [
      {
        kind: 'atomic',
        url: cli.urls.atomic,
        path: '/access-token',
        headers: { 'x-api-key': 'test-api-key', 'x-api-secret': 'test-api-secret' },
      },
      {
        kind: 'atelio',
        url: cli.urls.atelio,
        path: '/api/v0.1/simulate/authorization',
        headers: { identity: 'test-identity', authorization: 'test-authorization' },
      },
      { kind: 'control', url: cli.urls.control, path: '/api/faults', headers: {} },
    ];
    const body = `{"identifier":"${'x'.repeat(MiB + 100)}"}`;
    for (const target of targets) {
      const request = {
        method: 'POST',
        target: target.path,
        headers: { ...target.headers, 'content-type': 'application/json' },
        body,
        label: 'oversized',
      };
      const byLength = await sendHttp(target.url, request, agent);
      expect(byLength.status, `${target.kind} by Content-Length`).toBe(413);
      expect(answerProblem(target.kind, request, byLength)).toBeUndefined();

      const head = [
        `POST ${target.path} HTTP/1.1`,
        'Host: 127.0.0.1',
        'Content-Type: application/json',
        'Transfer-Encoding: chunked',
        'Connection: close',
        ...Object.entries(target.headers).map(([k, v]) => `${k}: ${v}`),
      ].join('\r\n');
      const chunk = 'x'.repeat(64 * 1024);
      const chunks = Array.from({ length: 20 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join(
        '',
      );
      const raw = await sendRaw(target.url, `${head}\r\n\r\n${chunks}0\r\n\r\n`);
      expect(raw.status, `${target.kind} chunked`).toBe(413);
      expect(
        answerProblem(target.kind, request, {
          status: raw.status,
          contentType: /content-type: ([^\r\n]+)/i.exec(raw.head)?.[1] ?? null,
          text: raw.body,
        }),
      ).toBeUndefined();
    }
  });

  it('survive what no HTTP client sends, answering 4xx, and stay healthy afterwards', async () => {
    const bytes = (text: string, ...inserts: number[][]) => {
      const parts = text.split('§');
      const out: number[] = [];
      parts.forEach((part, i) => {
        out.push(...Buffer.from(part, 'latin1'));
        if (i < inserts.length) out.push(...inserts[i]!);
      });
      return Uint8Array.from(out);
    };
    const attacks: { name: string; payload: Uint8Array | string }[] = [
      {
        name: 'NUL in the path',
        payload: bytes(
          'GET /pay-link/accounts/a§b HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
          [0],
        ),
      },
      {
        name: 'invalid UTF-8 in the path',
        payload: bytes(
          'GET /api/v0.1/transactions/§ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
          [0xff, 0xfe, 0xc0, 0xaf],
        ),
      },
      {
        name: 'invalid UTF-8 in a header',
        payload: bytes(
          'GET /api/clock HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: §\r\nConnection: close\r\n\r\n',
          [0xff, 0xed, 0xa0, 0x80],
        ),
      },
      {
        name: 'literal ../ in the path',
        payload: 'GET /../../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
      },
      { name: 'bare LF line ends', payload: 'GET /api/clock HTTP/1.1\nHost: x\nConnection: close\n\n' },
      {
        name: 'garbage request line',
        payload: '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n',
      },
      {
        name: 'header flood over 16 KiB',
        payload: `GET /api/clock HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(40_000)}\r\nConnection: close\r\n\r\n`,
      },
      {
        name: 'URL over 16 KiB',
        payload: `GET /api/clock?${'q'.repeat(40_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
      },
      {
        name: 'Content-Length and chunked together',
        payload:
          'POST /api/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n',
      },
      {
        name: 'negative Content-Length',
        payload:
          'POST /api/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\nConnection: close\r\n\r\n{}',
      },
      {
        name: 'bad chunk size',
        payload:
          'POST /api/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      },
      {
        name: 'body shorter than Content-Length, then hang-up',
        payload:
          'POST /access-token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"identifier":',
      },
      { name: 'half a request line, then hang-up', payload: 'GET /api/v0.1/transac' },
      { name: 'HTTP/0.9 style', payload: 'GET /\r\n\r\n' },
      {
        name: 'unknown HTTP version',
        payload: 'GET / HTTP/7.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
      },
      {
        name: '50 pipelined requests',
        payload: `${'GET /__sandbox/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'.repeat(49)}GET /__sandbox/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
      },
    ];
    const results: string[] = [];
    const targets: { url: string; kind: EnvelopeKind | undefined }[] = [
      { url: cli.urls.atomic, kind: 'atomic' },
      { url: cli.urls.atelio, kind: 'atelio' },
      { url: cli.urls.control, kind: 'control' },
      // The reference stitcher is an integrator's server, not the platform's: no 5xx is all it promises here.
      { url: cli.urls.stitcher!, kind: undefined },
    ];
    for (const { url, kind } of targets) {
      for (const attack of attacks) {
        const answer = await sendRaw(url, attack.payload, 3000);
        // No answer at all (the peer hung up first) is fine; a 5xx is not.
        if (answer.status >= 500)
          results.push(`${url} ${attack.name}: ${answer.status} ${answer.body.slice(0, 200)}`);
        if (!kind || answer.status < 400) continue;
        // Even bytes Node's parser refuses before the app runs are answered in the server's envelope.
        const contentType = /content-type: ([^\r\n]+)/i.exec(answer.head)?.[1] ?? null;
        const problem = envelopeProblem(kind, answer.status, contentType, answer.body);
        if (problem)
          results.push(
            `${kind} ${attack.name}: ${answer.status} ${problem} ${JSON.stringify(answer.body.slice(0, 120))}`,
          );
      }
    }
    expect(results).toEqual([]);
    expect(cli.child.exitCode).toBeNull();
    for (const url of Object.values(cli.urls)) expect(await healthOf(url), url).toBe(200);
  });

  it('keep answering while 200 malformed connections are opened at once, and stay healthy', async () => {
    const garbage = Array.from({ length: 200 }, (_, i) =>
      sendRaw(
        i % 2 ? cli.urls.atomic : cli.urls.atelio,
        i % 3
          ? `POST /access-token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 99999\r\n\r\n{`
          : '\x00\xff\r\n\r\n',
        1500,
      ).catch(() => undefined),
    );
    // Healthy answers go on while the broken connections are still open.
    expect(await healthOf(cli.urls.atomic)).toBe(200);
    expect(await healthOf(cli.urls.atelio)).toBe(200);
    await Promise.all(garbage);
    expect(cli.child.exitCode).toBeNull();
    for (const url of Object.values(cli.urls)) expect(await healthOf(url), url).toBe(200);
  });
});
