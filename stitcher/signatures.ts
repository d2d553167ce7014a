/**
 * Webhook signature verification, written from the vendors' documentation. Both checks run over the
 * raw request bytes, before any JSON parsing, and compare MACs in constant time.
 *
 * - Atomic: `X-HMAC-Signature-Sha-256` = hex HMAC-SHA256(raw body), keyed with the API secret.
 * - Atelio: `Bond-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256("<t>.<raw body>")>`, keyed with the
 *   subscription's `whsec_` secret. Several `v1` entries are allowed (secret rotation); one must match.
 *   A `t` older than the tolerance (5 minutes) is rejected so a captured delivery cannot be replayed later.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type VerifyResult = { ok: true } | { ok: false; reason: string };

export const ATOMIC_SIGNATURE_HEADER = 'x-hmac-signature-sha-256';
export const ATELIO_SIGNATURE_HEADER = 'bond-signature';
export const ATELIO_TOLERANCE_SECONDS = 300;

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

function hmac(secret: string, ...parts: Uint8Array[]): Buffer {
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** Constant-time equality of a presented hex MAC and the expected digest. */
function sameMac(presentedHex: string, expected: Buffer): boolean {
  if (!HEX_SHA256.test(presentedHex)) return false;
  return timingSafeEqual(Buffer.from(presentedHex, 'hex'), expected);
}

export function verifyAtomicSignature(
  rawBody: Uint8Array,
  header: string | null | undefined,
  secret: string,
): VerifyResult {
  if (!header) return { ok: false, reason: 'missing X-HMAC-Signature-Sha-256 header' };
  if (!secret) return { ok: false, reason: 'no Atomic webhook secret is configured' };
  return sameMac(header.trim(), hmac(secret, rawBody))
    ? { ok: true }
    : { ok: false, reason: 'X-HMAC-Signature-Sha-256 does not match the body' };
}

export interface ParsedBondSignature {
  t: number;
  v1: string[];
}

/** Splits `t=1700000000,v1=abc,v1=def`; null when there is no integer `t` or no `v1`. */
export function parseBondSignature(header: string): ParsedBondSignature | null {
  let t: number | null = null;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (key === 'v1' && value) v1.push(value);
  }
  return t === null || v1.length === 0 ? null : { t, v1 };
}

export function verifyAtelioSignature(
  rawBody: Uint8Array,
  header: string | null | undefined,
  secrets: readonly string[],
  nowMs: number,
  toleranceSeconds = ATELIO_TOLERANCE_SECONDS,
): VerifyResult {
  if (!header) return { ok: false, reason: 'missing Bond-Signature header' };
  const parsed = parseBondSignature(header);
  if (!parsed) return { ok: false, reason: 'Bond-Signature must look like t=<unix seconds>,v1=<hex>' };
  const usable = secrets.filter((s) => s.length > 0);
  if (usable.length === 0) return { ok: false, reason: 'no Atelio webhook secret is configured' };
  // Check every secret × v1 pair without stopping early, so timing does not tell which one matched.
  const prefix = Buffer.from(`${parsed.t}.`, 'utf8');
  let matched = false;
  for (const secret of usable) {
    const expected = hmac(secret, prefix, rawBody);
    for (const presented of parsed.v1) matched = sameMac(presented, expected) || matched;
  }
  if (!matched) return { ok: false, reason: 'Bond-Signature does not match the body' };
  const ageSeconds = Math.floor(nowMs / 1000) - parsed.t;
  if (ageSeconds > toleranceSeconds)
    return {
      ok: false,
      reason: `Bond-Signature timestamp is ${ageSeconds} s old (limit ${toleranceSeconds} s)`,
    };
  return { ok: true };
}
