import { timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { credentialPairDigest } from './credentials';

describe('credentialPairDigest', () => {
  it('gives the same 32 bytes for the same pair, whatever its length', () => {
    expect(credentialPairDigest('key', 'secret')).toHaveLength(32);
    expect(credentialPairDigest('k'.repeat(5000), '')).toHaveLength(32);
    expect(
      timingSafeEqual(credentialPairDigest('key', 'secret'), credentialPairDigest('key', 'secret')),
    ).toBe(true);
  });

  it('tells apart pairs whose concatenations are the same', () => {
    expect(credentialPairDigest('ab', 'c').equals(credentialPairDigest('a', 'bc'))).toBe(false);
    expect(credentialPairDigest('', 'abc').equals(credentialPairDigest('abc', ''))).toBe(false);
  });
});
