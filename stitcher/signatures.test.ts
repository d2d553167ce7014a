import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { parseBondSignature, verifyAtelioSignature, verifyAtomicSignature } from './signatures';

const body = Buffer.from('{"eventType":"pay-link-accounts-updated","note":"caf\u00e9"}', 'utf8');
const atomicSecret = 'test-api-secret';
const atelioSecret = 'whsec_abc123';
const hex = (secret: string, data: string | Buffer) =>
  createHmac('sha256', secret).update(data).digest('hex');

describe('verifyAtomicSignature', () => {
  const good = hex(atomicSecret, body);

  it('accepts the hex HMAC-SHA256 of the raw body keyed with the API secret', () => {
    expect(verifyAtomicSignature(body, good, atomicSecret)).toEqual({ ok: true });
    expect(verifyAtomicSignature(body, good.toUpperCase(), atomicSecret)).toEqual({ ok: true });
  });

  it('rejects a missing header, a wrong secret, a changed body and a malformed value', () => {
    expect(verifyAtomicSignature(body, undefined, atomicSecret)).toMatchObject({
      ok: false,
      reason: /missing/,
    });
    expect(verifyAtomicSignature(body, hex('other', body), atomicSecret).ok).toBe(false);
    expect(verifyAtomicSignature(Buffer.concat([body, Buffer.from(' ')]), good, atomicSecret).ok).toBe(false);
    expect(verifyAtomicSignature(body, good.slice(0, 63), atomicSecret).ok).toBe(false);
    expect(verifyAtomicSignature(body, `sha256=${good}`, atomicSecret).ok).toBe(false);
  });

  it('fails closed when no secret is configured', () => {
    expect(verifyAtomicSignature(body, hex('', body), '')).toMatchObject({
      ok: false,
      reason: /no Atomic webhook secret/,
    });
  });
});

describe('verifyAtelioSignature', () => {
  const now = Date.UTC(2024, 9, 20, 12, 0, 0);
  const t = Math.floor(now / 1000);
  const signed = (time: number, secret = atelioSecret) =>
    `t=${time},v1=${hex(secret, `${time}.${body.toString('utf8')}`)}`;

  it('accepts t=<seconds>,v1=<hex HMAC of "t.body">', () => {
    expect(verifyAtelioSignature(body, signed(t), [atelioSecret], now)).toEqual({ ok: true });
  });

  it('accepts any of several secrets and any of several v1 values (rotation)', () => {
    const header = `${signed(t, 'whsec_old')},v1=${'0'.repeat(64)}`;
    expect(verifyAtelioSignature(body, header, ['whsec_new', 'whsec_old'], now)).toEqual({ ok: true });
  });

  it('accepts a timestamp exactly 5 minutes old and rejects one a second older', () => {
    expect(verifyAtelioSignature(body, signed(t - 300), [atelioSecret], now)).toEqual({ ok: true });
    expect(verifyAtelioSignature(body, signed(t - 301), [atelioSecret], now)).toEqual({
      ok: false,
      reason: 'Bond-Signature timestamp is 301 s old (limit 300 s)',
    });
  });

  it('rejects a signature whose t was changed after signing', () => {
    const header = signed(t).replace(`t=${t}`, `t=${t + 1}`);
    expect(verifyAtelioSignature(body, header, [atelioSecret], now).ok).toBe(false);
  });

  it('rejects missing, malformed and wrong signatures, and an empty secret list', () => {
    expect(verifyAtelioSignature(body, undefined, [atelioSecret], now)).toMatchObject({
      ok: false,
      reason: /missing/,
    });
    expect(verifyAtelioSignature(body, 'v1=abc', [atelioSecret], now)).toMatchObject({
      ok: false,
      reason: /t=<unix/,
    });
    expect(verifyAtelioSignature(body, signed(t, 'whsec_other'), [atelioSecret], now).ok).toBe(false);
    expect(verifyAtelioSignature(body, signed(t), [], now)).toMatchObject({
      ok: false,
      reason: /no Atelio webhook secret/,
    });
  });
});

describe('parseBondSignature', () => {
  it('reads t and every v1, tolerating spaces and unknown keys', () => {
    expect(parseBondSignature(' t=17 , v1=aa, v0=zz ,v1=bb')).toEqual({ t: 17, v1: ['aa', 'bb'] });
    expect(parseBondSignature('t=abc,v1=aa')).toBeNull();
    expect(parseBondSignature('t=17')).toBeNull();
  });
});
