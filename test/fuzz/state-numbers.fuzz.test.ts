import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../control/platform';
import { fillTemplate } from './support/openapi';
import { startFuzzPlatform, type FuzzPlatform } from './support/platform-apps';
import { FUZZ_SEED } from './support/run';

/**
 * Every number of an exported state, replaced in turn by a value no real state holds, then imported
 * with `PUT /api/state`: the import is refused with a 400 in the control envelope naming the field,
 * or, when accepted, every vendor route of the user still answers without a 5xx. The state is a
 * real one: the seeded baseline plus a stitching run, so both vendors' stores are full.
 */

/** What a hostile document can put where a number goes. `1e400` parses as Infinity; NaN travels as null. */
const HOSTILE = ['1e20', '-1e20', '1e308', '-1e308', '1e400', '-1e400', 'null', '0.5'] as const;
const SENTINEL = '__hostile_number_5b1e__';
const USER = 'numbers-shopper';

type Path = (string | number)[];

let platform: FuzzPlatform;
let original: string;
let document: Record<string, unknown>;
let numericPaths: Path[];

/** Every path to a number, depth first. */
function pathsToNumbers(value: unknown, path: Path = [], out: Path[] = []): Path[] {
  if (typeof value === 'number') out.push(path);
  else if (Array.isArray(value)) value.forEach((item, i) => pathsToNumbers(item, [...path, i], out));
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) pathsToNumbers(item, [...path, key], out);
  return out;
}

/** `[]` for every index: the field a path is an instance of. */
const patternOf = (path: Path) => path.map((key) => (typeof key === 'number' ? '[]' : key)).join('.');

/** The exported document as JSON text with the number at `path` replaced by raw `value`. */
function withNumber(path: Path, value: string): string {
  const copy = structuredClone(document);
  let parent = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  parent[path.at(-1)!] = SENTINEL;
  return JSON.stringify(copy).replace(`"${SENTINEL}"`, value);
}

const putState = (body: string) =>
  platform.control.request('/api/state', {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body,
  });

/** The user's ids in both vendors, to fill the routes' path parameters with. */
function userIds(): string[] {
  const { sandbox } = platform;
  const atomic = sandbox.atomic.exportState() as unknown as {
    users: { _id: string; identifier: string }[];
    tasks: { _id: string; userId: string }[];
    payLinkAccounts: { _id: string; userId: string; orders: { _id: string }[] }[];
    linkedAccounts: { _id: string; userId: string }[];
  };
  const user = atomic.users.find((u) => u.identifier === USER);
  const mine = <T extends { userId: string }>(rows: T[]) => rows.filter((row) => row.userId === user?._id);
  const atelio = sandbox.atelio.exportState();
  const customer = atelio.customers.find((c) => JSON.stringify(c).includes(USER));
  const account = atelio.accounts.find((a) => a.account.customer_id === customer?.customer_id);
  const transaction = atelio.transactions.find((t) => t.wire.account_id === account?.account.account_id);
  return [
    USER,
    user?._id,
    mine(atomic.tasks)[0]?._id,
    mine(atomic.payLinkAccounts)[0]?._id,
    mine(atomic.payLinkAccounts)[0]?.orders[0]?._id,
    mine(atomic.linkedAccounts)[0]?._id,
    customer?.customer_id,
    account?.account.account_id,
    account?.cardIds[0],
    transaction?.wire.transaction_id,
  ].filter((id): id is string => typeof id === 'string');
}

/** Every GET route of both mocks, with the user's ids in its path: the first 5xx found, if any. */
async function firstServerError(): Promise<string | undefined> {
  const { config } = platform.sandbox;
  const vendors = [
    {
      app: platform.atomic,
      api: platform.atomicApi,
      headers: { 'x-api-key': config.atomic.apiKey, 'x-api-secret': config.atomic.apiSecret },
    },
    {
      app: platform.atelio,
      api: platform.atelioApi,
      headers: { identity: config.atelio.identity, authorization: config.atelio.authorization },
    },
  ];
  const ids = userIds();
  for (const { app, api, headers } of vendors) {
    for (const operation of api.operations.filter((o) => o.method === 'GET')) {
      const targets =
        operation.pathParams.length === 0
          ? [operation.template, `${operation.template}?customer_id=${ids[6] ?? USER}&count=100`]
          : ids.map((id) =>
              fillTemplate(
                operation.template,
                operation.pathParams.map(() => encodeURIComponent(id)),
              ),
            );
      for (const target of targets) {
        const response = await app.request(target, { headers });
        const text = await response.text();
        if (response.status >= 500) return `GET ${target} answered ${response.status}: ${text.slice(0, 300)}`;
      }
    }
  }
  return undefined;
}

/** Imports the document with `value` at `path`: a clear 400, or an import every route survives. */
async function expectRefusedOrHarmless(path: Path, value: string): Promise<'refused' | 'accepted'> {
  const label = `${patternOf(path)} = ${value}`;
  const response = await putState(withNumber(path, value));
  if (response.status === 400) {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    expect(body.error?.code, label).toBe('invalid_state');
    // The message names the field (its key, or for an array item the field that holds it).
    const field = path.findLast((key) => typeof key === 'string')!;
    expect(body.error?.message, label).toContain(field);
    return 'refused';
  }
  expect(response.status, label).toBe(200);
  expect(await firstServerError(), label).toBeUndefined();
  expect((await putState(original)).status).toBe(200);
  return 'accepted';
}

beforeAll(async () => {
  platform = await startFuzzPlatform({ bodyLimitBytes: 8 * 1024 * 1024, seed: 7 });
  const run = platform.sandbox.scenarios.start('amazon-order-stitching', {
    seed: 3,
    identifier: USER,
    speed: 'instant',
  });
  await run.done;
  await platform.sandbox.engine.idle();
  document = platform.sandbox.exportState() as unknown as Record<string, unknown>;
  original = JSON.stringify(document);
  numericPaths = pathsToNumbers(document).filter((path) => path[0] !== 'version');
}, 120_000);

afterAll(async () => {
  await platform?.stop();
});

describe('numbers in an imported state', () => {
  it('a real export holds numbers in both vendors, and imports back unchanged', async () => {
    const patterns = new Set(numericPaths.map(patternOf));
    expect([...patterns].some((p) => p.startsWith('atomic.'))).toBe(true);
    expect([...patterns].some((p) => p.startsWith('atelio.'))).toBe(true);
    expect((await putState(original)).status).toBe(200);
    const again = platform.sandbox.exportState();
    // Re-registering the platform's own receivers after an import touches their endpoints' updatedAt.
    const withoutEndpoints = (atomic: unknown) => ({ ...(atomic as object), webhookEndpoints: [] });
    expect(withoutEndpoints(again.atomic)).toEqual(withoutEndpoints(document.atomic));
    expect(again.atelio).toEqual(document.atelio);
    expect(again.deliveryLog).toEqual(document.deliveryLog);
  });

  it('every numeric field, each given a hostile value: refused with a 400 naming it, or harmless', async () => {
    const firstOfEach = new Map<string, Path>();
    for (const path of numericPaths)
      if (!firstOfEach.has(patternOf(path))) firstOfEach.set(patternOf(path), path);
    const outcomes: Record<string, number> = { refused: 0, accepted: 0 };
    let i = 0;
    for (const path of firstOfEach.values()) {
      // Two values per field, rotating through the list so each field meets different ones.
      for (const value of [HOSTILE[i % HOSTILE.length]!, HOSTILE[(i + 3) % HOSTILE.length]!])
        outcomes[await expectRefusedOrHarmless(path, value)]!++;
      i++;
    }
    // Out-of-range magnitudes are never stored: only null/0.5 in opaque JSON may pass (and are harmless).
    expect(outcomes.refused).toBeGreaterThan(firstOfEach.size);
  }, 300_000);

  it('any number anywhere, any hostile value (seeded): refused with a 400, or harmless', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: numericPaths.length - 1 }),
        fc.constantFrom(...HOSTILE),
        async (index, value) => {
          await expectRefusedOrHarmless(numericPaths[index]!, value);
        },
      ),
      { seed: FUZZ_SEED, numRuns: 60 },
    );
  }, 300_000);

  it('a magnitude of 1e20 is refused whatever field holds it', async () => {
    for (const path of numericPaths.filter((_, i) => i % 25 === 0)) {
      const response = await putState(withNumber(path, '1e20'));
      expect(response.status, patternOf(path)).toBe(400);
    }
  }, 300_000);

  it('a --state-file holding 1e20 fails the start, naming the field, and leaves the file as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stitch-numbers-'));
    try {
      const file = join(dir, 'state.json');
      const amount = numericPaths.find((path) => patternOf(path).endsWith('orders.[].amount'))!;
      const text = withNumber(amount, '1e20');
      writeFileSync(file, text);
      await expect(startSandbox({ ports: 0, env: {}, stitcher: false, stateFile: file })).rejects.toThrow(
        /amount/,
      );
      expect(readFileSync(file, 'utf8')).toBe(text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
