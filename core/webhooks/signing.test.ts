import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  atelioSignatureHeader,
  parseAtelioSignatureHeader,
  signAtomic,
  verifyAtelio,
  verifyAtomic,
} from './signing';

const hmacHex = (key: string, data: string | Buffer) => createHmac('sha256', key).update(data).digest('hex');

const body = '{"eventType":"task-status-updated","note":"café ☕"}';

describe('signAtomic', () => {
  it('matches the RFC 4231 HMAC-SHA256 test vector (case 2) as lowercase hex', () => {
    expect(signAtomic('what do ya want for nothing?', 'Jefe')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('signs the UTF-8 bytes of the body, so string and Buffer forms agree', () => {
    const secret = '03e87171-cadc-43a7-8c31-a9459d94eb10';
    expect(signAtomic(body, secret)).toBe(hmacHex(secret, Buffer.from(body, 'utf8')));
    expect(signAtomic(Buffer.from(body, 'utf8'), secret)).toBe(signAtomic(body, secret));
  });
});

describe('verifyAtomic', () => {
  const secret = 'token-1';
  const signature = hmacHex(secret, body);

  it('accepts the signature of the exact body, whatever the hex case', () => {
    expect(verifyAtomic(body, secret, signature)).toBe(true);
    expect(verifyAtomic(Buffer.from(body), secret, signature.toUpperCase())).toBe(true);
  });

  it('rejects a tampered body, a different secret, a truncated or non-hex signature, and a missing one', () => {
    expect(verifyAtomic(body.replace('café', 'cafe'), secret, signature)).toBe(false);
    expect(verifyAtomic(body, 'token-2', signature)).toBe(false);
    expect(verifyAtomic(body, secret, signature.slice(0, 62))).toBe(false);
    expect(verifyAtomic(body, secret, `${signature.slice(0, 62)}zz`)).toBe(false);
    expect(verifyAtomic(body, secret, undefined)).toBe(false);
    expect(verifyAtomic(body, secret, '')).toBe(false);
  });
});

describe('atelioSignatureHeader', () => {
  it('is t=<seconds>,v1=<hex HMAC of "t.body"> keyed with the whole whsec_ secret', () => {
    const secret = 'whsec_abc123';
    const t = 1_717_171_717;
    expect(atelioSignatureHeader(body, secret, t)).toBe(`t=${t},v1=${hmacHex(secret, `${t}.${body}`)}`);
  });

  it('refuses a timestamp that is not a whole number of seconds', () => {
    expect(() => atelioSignatureHeader(body, 'whsec_x', 1.5)).toThrow(RangeError);
    expect(() => atelioSignatureHeader(body, 'whsec_x', -1)).toThrow(RangeError);
  });
});

describe('parseAtelioSignatureHeader', () => {
  it('reads t and every v1, tolerating spaces and unknown keys', () => {
    expect(parseAtelioSignatureHeader('t=12, v1=aa, v0=zz, v1=bb')).toEqual({
      timestamp: 12,
      signatures: ['aa', 'bb'],
    });
  });

  it('gives undefined without t, without v1, with a non-integer or repeated t', () => {
    expect(parseAtelioSignatureHeader('v1=aa')).toBeUndefined();
    expect(parseAtelioSignatureHeader('t=12')).toBeUndefined();
    expect(parseAtelioSignatureHeader('t=1.5,v1=aa')).toBeUndefined();
    expect(parseAtelioSignatureHeader('t=1,t=2,v1=aa')).toBeUndefined();
    expect(parseAtelioSignatureHeader(null)).toBeUndefined();
  });
});

describe('verifyAtelio', () => {
  const secret = 'whsec_subscription';
  const t = 1_700_000_000;
  const header = `t=${t},v1=${hmacHex(secret, `${t}.${body}`)}`;

  it('accepts a correct signature within the tolerance, from either side of now', () => {
    expect(verifyAtelio(body, secret, header, { nowSeconds: t + 300 })).toEqual({ ok: true, timestamp: t });
    expect(verifyAtelio(Buffer.from(body), secret, header, { nowSeconds: t - 300 })).toEqual({
      ok: true,
      timestamp: t,
    });
  });

  it('rejects a timestamp older than the 5-minute default tolerance', () => {
    expect(verifyAtelio(body, secret, header, { nowSeconds: t + 301 })).toEqual({
      ok: false,
      reason: 'timestamp-out-of-tolerance',
    });
    expect(verifyAtelio(body, secret, header, { nowSeconds: t + 1000, toleranceSeconds: 1000 }).ok).toBe(
      true,
    );
  });

  it('rejects a tampered body, a signature made for another t, and the wrong secret', () => {
    expect(verifyAtelio(`${body} `, secret, header, { nowSeconds: t }).ok).toBe(false);
    const shifted = `t=${t + 1},v1=${hmacHex(secret, `${t}.${body}`)}`;
    expect(verifyAtelio(body, secret, shifted, { nowSeconds: t })).toEqual({
      ok: false,
      reason: 'signature-mismatch',
    });
    expect(verifyAtelio(body, 'whsec_other', header, { nowSeconds: t }).ok).toBe(false);
  });

  it('accepts when any one of several v1 values matches (secret rotation)', () => {
    const good = hmacHex(secret, `${t}.${body}`);
    const withStale = `t=${t},v1=${hmacHex('whsec_old', `${t}.${body}`)},v1=${good}`;
    expect(verifyAtelio(body, secret, withStale, { nowSeconds: t }).ok).toBe(true);
  });

  it('reports a malformed header as such', () => {
    expect(verifyAtelio(body, secret, 'sha256=abc', { nowSeconds: t })).toEqual({
      ok: false,
      reason: 'malformed-header',
    });
  });
});
