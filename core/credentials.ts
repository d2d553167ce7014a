import { hash } from 'node:crypto';

/**
 * How both mocks hash the credential pair a request carries (Atomic's key and secret, Atelio's
 * Identity and Authorization) before comparing it with timingSafeEqual. Hashing gives
 * equal-length buffers, so neither the content nor the length of the expected pair shows in the time
 * a comparison takes (and timingSafeEqual never throws on a length mismatch). One hash per request,
 * over both values at once: a wrong first half takes as long as a wrong second half. The length
 * prefix keeps the pair unambiguous ("ab" + "c" and "a" + "bc" differ).
 */
export const credentialPairDigest = (first: string, second: string): Buffer =>
  // One-shot hash: about half the cost of createHash().update().digest(), paid on every request.
  hash('sha256', `${first.length}:${first}${second}`, 'buffer');
