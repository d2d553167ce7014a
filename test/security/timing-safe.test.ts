import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/clock';
import { atelioSignatureHeader, signAtomic, verifyAtelio, verifyAtomic } from '../../core/webhooks';
import { createPlatform } from '../../scenarios';
import { verifyAtelioSignature, verifyAtomicSignature } from '../../stitcher';
import { PROJECT_ROOT } from '../e2e/support/cli';

/**
 * Every place a credential or a signature is checked compares in constant time. Two halves: a
 * source review that fails the build when someone compares a secret with `===` (which returns at
 * the first differing character and so leaks, through timing, how much of a guess was right), and
 * behaviour tests: near misses of every length are refused the same way, and no input makes a
 * check throw (Node's timingSafeEqual throws on unequal lengths, which would be a 500).
 */

const PRODUCTION_FOLDERS = ['core', 'mock-atomic', 'mock-atelio', 'control', 'stitcher', 'scenarios'];
/** Test support files: fakes may compare however they like. */
const TEST_SUPPORT =
  /(\.test\.ts|[/\\](test-kit|testing|test-support|test-builders|test-fixtures|capture-receiver)\.ts)$/;

function sources(folder: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (name === 'node_modules' || name === 'public') continue;
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (path.endsWith('.ts') && !TEST_SUPPORT.test(path)) out.push(path);
  }
  return out;
}

const SECRETISH =
  '[A-Za-z_$.\\[\\]\'"()]*(?:secret|Secret|SECRET|apiKey|ApiKey|token|Token|signature|Signature|authorization|Authorization|identity|Identity|credential|Credential|password|Password|hmac|Hmac|HMAC|digest|Digest|mac\\b)[A-Za-z_$.\\[\\]\'"()]*';
/** A secret-named operand on either side of ==, ===, != or !==. */
const COMPARISON = new RegExp(
  `(${SECRETISH}\\s*[!=]==?(?!=)\\s*[^\\s;,)]+)|([^\\s(=!<>]+\\s*[!=]==?\\s*${SECRETISH})`,
);
/**
 * Comparisons that are not of secret values: presence, types, lengths, ids, and literals (after
 * string contents are blanked, so `failReason === 'credentials-invalid'` reads `failReason === 'S'`).
 */
const HARMLESS =
  /[!=]==?\s*(undefined|null|''|'S'|\d+|true|false)(?![\w$])|(undefined|null|'S'|typeof [\w.$]+)\s*[!=]==?|secretId|tokenLifetime|\.length\s*[!=]==?/;
/** Blanks string literals and comments: their words are not operands. */
const codeOf = (line: string) =>
  line
    .replace(/\/\/.*$/, '')
    .replace(/^\s*\*.*$/, '')
    .replace(/'(?:[^'\\]|\\.)+'|"(?:[^"\\]|\\.)+"|`(?:[^`\\]|\\.)+`/g, "'S'");

describe('constant-time comparison of secrets', () => {
  it('no production source compares a credential, token or signature with == or ===', () => {
    const offenders: string[] = [];
    let scanned = 0;
    for (const folder of PRODUCTION_FOLDERS) {
      for (const file of sources(join(PROJECT_ROOT, folder))) {
        scanned++;
        readFileSync(file, 'utf8')
          .split('\n')
          .forEach((line, index) => {
            const code = codeOf(line);
            if (COMPARISON.test(code) && !HARMLESS.test(code))
              offenders.push(`${relative(PROJECT_ROOT, file)}:${index + 1}: ${line.trim()}`);
          });
      }
    }
    expect(scanned).toBeGreaterThan(60);
    expect(offenders).toEqual([]);
  });

  it('the review itself catches the usual mistakes', () => {
    for (const bad of [
      'if (given === credentials.apiSecret) return true;',
      "if (c.req.header('x-api-key') !== config.apiKey) throw x;",
      'return signature == expected;',
      'const ok = header.v1 === hmacHex;',
      'if (authorization !== config.authorization) deny();',
    ]) {
      expect(COMPARISON.test(codeOf(bad)) && !HARMLESS.test(codeOf(bad)), bad).toBe(true);
    }
    for (const fine of [
      'if (secret === undefined) return;',
      "if (typeof token !== 'string') return;",
      '.filter((e) => e.secretId === secretId)',
      "const needsUser = failReason === 'credentials-invalid';",
      "return url.username === '' && url.password === '';",
    ]) {
      expect(COMPARISON.test(codeOf(fine)) && !HARMLESS.test(codeOf(fine)), fine).toBe(false);
    }
  });

  it('every module that checks a credential or a signature uses timingSafeEqual', () => {
    for (const file of [
      'mock-atomic/shared/auth.ts',
      'mock-atelio/shared/auth.ts',
      'mock-atomic/tasks/routes.ts',
      'core/webhooks/signing.ts',
      'stitcher/signatures.ts',
    ]) {
      expect(readFileSync(join(PROJECT_ROOT, file), 'utf8'), file).toMatch(/timingSafeEqual\(/);
    }
  });
});

/** Guesses that share a prefix, a suffix or a length with the real value, and ones that do not. */
const nearMisses = (real: string) => [
  `${real.slice(0, -1)}${real.endsWith('x') ? 'y' : 'x'}`,
  `x${real.slice(1)}`,
  real.slice(0, -1),
  `${real}x`,
  real.slice(0, 1),
  'x'.repeat(real.length),
  'x'.repeat(4096),
];
/** Credentials are case-sensitive too (MACs are hex, where case is not significant). */
const credentialMisses = (real: string) => [...nearMisses(real), real.toUpperCase()];

describe('credential checks refuse near misses the same way', () => {
  const clock = new VirtualClock('2025-03-10T15:00:00Z');
  const platform = createPlatform({
    seed: 1,
    clock,
    credentials: {
      atomic: { apiKey: 'key-1234567890', apiSecret: 'secret-abcdefghij' },
      atelio: { identity: 'identity-0987654321', authorization: 'authz-zyxwvutsrq' },
    },
  });
  const atomic = platform.atomic.app;
  const atelio = platform.atelio.app;

  it('Atomic: the right key and secret pass; every near miss of either is one and the same 401', async () => {
    const call = (key: string, secret: string) =>
      atomic.request('/demo-user/pay-link/accounts', {
        headers: { 'x-api-key': key, 'x-api-secret': secret },
      });
    expect((await call('key-1234567890', 'secret-abcdefghij')).status).toBe(200);
    const bodies = new Set<string>();
    for (const secret of credentialMisses('secret-abcdefghij')) {
      const answer = await call('key-1234567890', secret);
      expect(answer.status, secret).toBe(401);
      bodies.add(await answer.text());
    }
    for (const key of credentialMisses('key-1234567890')) {
      const answer = await call(key, 'secret-abcdefghij');
      expect(answer.status, key).toBe(401);
      bodies.add(await answer.text());
    }
    // Nothing in the answer says which half was wrong or how close the guess was.
    expect(bodies.size).toBe(1);
  });

  it('Atelio: the right Identity and Authorization pass; every near miss of either is one and the same 403', async () => {
    const call = (identity: string, authorization: string) =>
      atelio.request('/api/v0.1/transactions?count=1', { headers: { identity, authorization } });
    expect((await call('identity-0987654321', 'authz-zyxwvutsrq')).status).toBe(200);
    const bodies = new Set<string>();
    for (const identity of credentialMisses('identity-0987654321')) {
      const answer = await call(identity, 'authz-zyxwvutsrq');
      expect(answer.status, identity).toBe(403);
      bodies.add(await answer.text());
    }
    for (const authorization of credentialMisses('authz-zyxwvutsrq')) {
      const answer = await call('identity-0987654321', authorization);
      expect(answer.status, authorization).toBe(403);
      bodies.add(await answer.text());
    }
    expect(bodies.size).toBe(1);
  });

  it('Atomic presigned file URLs: a signature of the right length but wrong is 403, any other is 4xx, never a throw', async () => {
    for (const signature of [
      '0'.repeat(64),
      'f'.repeat(64),
      'a'.repeat(63),
      'g'.repeat(64),
      '',
      'a'.repeat(128),
    ]) {
      const answer = await atomic.request(
        `/__sandbox/files/0123456789abcdef01234567?expires=9999999999&signature=${signature}`,
      );
      expect(answer.status, signature).toBeGreaterThanOrEqual(400);
      expect(answer.status, signature).toBeLessThan(500);
    }
  });
});

describe('webhook signature checks never throw and accept only the exact MAC', () => {
  const body = '{"eventType":"task-status-updated","data":{"status":"completed"}}';
  const secret = 'whsec_c2VjcmV0LWZvci10ZXN0cw';
  const t = 1_741_618_800;

  it('core: Atomic and Atelio verification, for the right MAC and near misses of it', () => {
    const atomicMac = signAtomic(body, secret);
    expect(verifyAtomic(body, secret, atomicMac)).toBe(true);
    expect(verifyAtomic(body, secret, atomicMac.toUpperCase())).toBe(true);
    for (const guess of nearMisses(atomicMac)) expect(verifyAtomic(body, secret, guess), guess).toBe(false);
    const header = atelioSignatureHeader(body, secret, t);
    expect(verifyAtelio(body, secret, header, { nowSeconds: t })).toMatchObject({ ok: true });
    const mac = header.split('v1=')[1]!;
    for (const guess of nearMisses(mac))
      expect(verifyAtelio(body, secret, `t=${t},v1=${guess}`, { nowSeconds: t }).ok, guess).toBe(false);
  });

  it('the stitcher: Atomic and Atelio verification, for the right MAC and near misses of it', () => {
    const raw = new TextEncoder().encode(body);
    const atomicMac = createHmac('sha256', secret).update(body).digest('hex');
    expect(verifyAtomicSignature(raw, atomicMac, secret)).toEqual({ ok: true });
    for (const guess of nearMisses(atomicMac))
      expect(verifyAtomicSignature(raw, guess, secret).ok, guess).toBe(false);
    const mac = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(verifyAtelioSignature(raw, `t=${t},v1=${mac}`, [secret], t * 1000)).toEqual({ ok: true });
    for (const guess of nearMisses(mac))
      expect(verifyAtelioSignature(raw, `t=${t},v1=${guess}`, [secret], t * 1000).ok, guess).toBe(false);
  });

  it('arbitrary header values are refused without an exception, by all four checks', () => {
    const raw = new TextEncoder().encode(body);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.stringMatching(/^[0-9a-fA-F]{0,130}$/),
          fc.stringMatching(/^t=\d{1,12}(,v1=[0-9a-f]{0,70}){1,3}$/),
        ),
        (header) => {
          expect(verifyAtomic(body, secret, header)).toBe(false);
          expect(verifyAtelio(body, secret, header, { nowSeconds: t }).ok).toBe(false);
          expect(verifyAtomicSignature(raw, header, secret).ok).toBe(false);
          expect(verifyAtelioSignature(raw, header, [secret], t * 1000).ok).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
