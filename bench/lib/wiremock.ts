import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { spawnServer, type SpawnedServer } from './process';

/**
 * WireMock, the peer the HTTP and start-up benchmarks compare against: the standalone JAR that the
 * `wiremock` npm package bundles, run with `java -jar` directly (no npm wrapper in between).
 */

export interface WireMockStub {
  method: 'GET' | 'POST';
  /** Path plus query, matched exactly (WireMock's cheapest matcher, `url`). */
  url: string;
  /** Request headers that must be present with exactly these values (the credentials). */
  headers: Record<string, string>;
  status: number;
  contentType: string;
  body: string;
}

export function wiremockJar(): string {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('wiremock/package.json'));
  const jar = readdirSync(join(packageDir, 'build')).find((name) =>
    /^wiremock-standalone-.*\.jar$/.test(name),
  );
  if (!jar) throw new Error(`no wiremock-standalone JAR under ${packageDir}/build`);
  return join(packageDir, 'build', jar);
}

export function wiremockVersion(): string {
  return /wiremock-standalone-(.*)\.jar$/.exec(wiremockJar())?.[1] ?? 'unknown';
}

/** A port that was free a moment ago (WireMock prints its dynamic port only in its banner). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Writes one mapping file per stub under `<rootDir>/mappings`, the way WireMock loads them at start. */
export function writeMappings(rootDir: string, stubs: WireMockStub[]): void {
  const mappings = join(rootDir, 'mappings');
  mkdirSync(mappings, { recursive: true });
  mkdirSync(join(rootDir, '__files'), { recursive: true });
  stubs.forEach((stub, i) => {
    const mapping = {
      request: {
        method: stub.method,
        url: stub.url,
        headers: Object.fromEntries(
          Object.entries(stub.headers).map(([name, value]) => [name, { equalTo: value }]),
        ),
      },
      response: { status: stub.status, headers: { 'Content-Type': stub.contentType }, body: stub.body },
    };
    writeFileSync(join(mappings, `stub-${i}.json`), JSON.stringify(mapping));
  });
}

export interface WireMockOptions {
  rootDir: string;
  /**
   * Entries kept in WireMock's request journal. The journal stays ON (as ours does); bounded to the
   * same 1000 entries as the sandbox's default so both keep the same amount of history.
   */
  journalEntries?: number;
  timeoutMs?: number;
}

/** Spawns WireMock on 127.0.0.1 and resolves once `/__admin/health` answers 200. */
export async function startWireMock(options: WireMockOptions): Promise<SpawnedServer & { url: string }> {
  const port = await freePort();
  const args = [
    '-jar',
    wiremockJar(),
    '--port',
    String(port),
    '--bind-address',
    '127.0.0.1',
    '--root-dir',
    options.rootDir,
    '--disable-banner',
    '--max-request-journal-entries',
    String(options.journalEntries ?? 1000),
  ];
  const url = `http://127.0.0.1:${port}`;
  const server = await spawnServer('java', args, {
    healthUrls: [`${url}/__admin/health`],
    timeoutMs: options.timeoutMs ?? 60_000,
  });
  return { ...server, url };
}
