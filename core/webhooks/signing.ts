import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The two vendors' webhook signatures. Both are HMAC-SHA256 over the RAW body bytes: whoever verifies
 * must do so on the bytes as received, before parsing JSON, because re-serialising a parsed body
 * rarely reproduces the exact bytes (key order, spacing, unicode escapes).
 *
 * A string body is signed as its UTF-8 encoding, which is exactly what goes on the wire.
 */
export type RawBody = string | Uint8Array;

const hmacSha256 = (secret: string, ...parts: RawBody[]): Buffer => {
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return mac.digest();
};

const HEX = /^[0-9a-fA-F]+$/;

/** Compares a hex string against expected digest bytes in constant time; malformed hex is simply unequal. */
function hexDigestMatches(candidateHex: string, expected: Buffer): boolean {
  if (candidateHex.length !== expected.length * 2 || !HEX.test(candidateHex)) return false;
  return timingSafeEqual(Buffer.from(candidateHex, 'hex'), expected);
}

// ---------------------------------------------------------------------------------------------------
// Atomic: X-HMAC-Signature-Sha-256 = lowercase hex HMAC-SHA256(raw body), keyed with the secret token.
// Nothing else is signed (no timestamp), so every retry of one event carries the same signature.
// ---------------------------------------------------------------------------------------------------

export const ATOMIC_SIGNATURE_HEADER = 'X-HMAC-Signature-Sha-256';

/** The value of Atomic's `X-HMAC-Signature-Sha-256` header for this body and secret token. */
export function signAtomic(body: RawBody, secret: string): string {
  return hmacSha256(secret, body).toString('hex');
}

/**
 * Checks an `X-HMAC-Signature-Sha-256` value against the raw body, in constant time. Hex case is not
 * significant (the digest bytes are compared); anything that is not a 64-character hex string fails.
 */
export function verifyAtomic(body: RawBody, secret: string, signature: string | null | undefined): boolean {
  if (typeof signature !== 'string') return false;
  return hexDigestMatches(signature.trim(), hmacSha256(secret, body));
}

// ---------------------------------------------------------------------------------------------------
// Atelio: Bond-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256("<t>.<raw body>")>, keyed with the
// subscription's whole `whsec_...` secret. `t` is the time of the attempt, so each attempt is re-signed.
// ---------------------------------------------------------------------------------------------------

export const ATELIO_SIGNATURE_HEADER = 'Bond-Signature';

/** Receivers reject signatures whose `t` is further than this from their clock. */
export const ATELIO_DEFAULT_TOLERANCE_SECONDS = 300;

/** The hex `v1` value: HMAC-SHA256 of `"<t>.<raw body>"`. */
export function atelioSignature(body: RawBody, secret: string, unixSeconds: number): string {
  return hmacSha256(secret, `${unixSeconds}.`, body).toString('hex');
}

/** The whole `Bond-Signature` header value for one attempt made at `unixSeconds`. */
export function atelioSignatureHeader(body: RawBody, secret: string, unixSeconds: number): string {
  if (!Number.isSafeInteger(unixSeconds) || unixSeconds < 0) {
    throw new RangeError(
      `atelioSignatureHeader: unixSeconds must be a non-negative integer, got ${unixSeconds}`,
    );
  }
  return `t=${unixSeconds},v1=${atelioSignature(body, secret, unixSeconds)}`;
}

export interface ParsedAtelioSignature {
  timestamp: number;
  /** Every `v1` value present (a sender may list several while rotating secrets). */
  signatures: string[];
}

/** Splits a `Bond-Signature` header; undefined when it has no integer `t` or no `v1`. */
export function parseAtelioSignatureHeader(
  header: string | null | undefined,
): ParsedAtelioSignature | undefined {
  if (typeof header !== 'string') return undefined;
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value) || timestamp !== undefined) return undefined;
      timestamp = Number(value);
    } else if (key === 'v1' && value.length > 0) {
      signatures.push(value);
    }
  }
  if (timestamp === undefined || signatures.length === 0) return undefined;
  return { timestamp, signatures };
}

export type AtelioVerifyResult =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'malformed-header' | 'timestamp-out-of-tolerance' | 'signature-mismatch' };

/**
 * Verifies a `Bond-Signature` header against the raw body: the HMAC must match (constant-time) and `t`
 * must lie within `toleranceSeconds` of `nowSeconds` (both directions, to bound replay windows).
 */
export function verifyAtelio(
  body: RawBody,
  secret: string,
  header: string | null | undefined,
  options: { nowSeconds: number; toleranceSeconds?: number },
): AtelioVerifyResult {
  const parsed = parseAtelioSignatureHeader(header);
  if (!parsed) return { ok: false, reason: 'malformed-header' };
  const tolerance = options.toleranceSeconds ?? ATELIO_DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(options.nowSeconds - parsed.timestamp) > tolerance) {
    return { ok: false, reason: 'timestamp-out-of-tolerance' };
  }
  const expected = hmacSha256(secret, `${parsed.timestamp}.`, body);
  // Check every candidate so the time taken does not reveal which one matched.
  let matched = false;
  for (const candidate of parsed.signatures) matched = hexDigestMatches(candidate, expected) || matched;
  return matched ? { ok: true, timestamp: parsed.timestamp } : { ok: false, reason: 'signature-mismatch' };
}
