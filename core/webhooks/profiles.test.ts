import { describe, expect, it } from 'vitest';
import { ATELIO_PROFILE, ATOMIC_PROFILE, attemptOffsetsMs } from './profiles';

const HOUR = 3600_000;

describe('vendor profiles', () => {
  it('Atomic succeeds on any 2xx and nothing else', () => {
    const statuses = [199, 200, 201, 202, 204, 299, 300, 301, 304, 400, 429, 500, 503];
    expect(statuses.filter((s) => ATOMIC_PROFILE.isSuccess(s))).toEqual([200, 201, 202, 204, 299]);
  });

  it('Atelio succeeds on 200 and 201 only', () => {
    const statuses = [199, 200, 201, 202, 204, 299, 301, 429, 500];
    expect(statuses.filter((s) => ATELIO_PROFILE.isSuccess(s))).toEqual([200, 201]);
  });

  it('Atomic makes 4 attempts at 0, 30, 60 and 90 s', () => {
    expect(attemptOffsetsMs(ATOMIC_PROFILE)).toEqual([0, 30_000, 60_000, 90_000]);
  });

  it('Atelio makes 9 attempts (1 + 8 retries), the last 55 h 35 min 5 s after the first, inside 3 days', () => {
    const offsets = attemptOffsetsMs(ATELIO_PROFILE);
    expect(offsets).toHaveLength(9);
    expect(offsets[8]).toBe(55 * HOUR + 35 * 60_000 + 5_000);
    expect(offsets[8]).toBeLessThan(72 * HOUR);
    // Backoff: every wait is longer than the one before.
    const delays = ATELIO_PROFILE.retryDelaysMs;
    expect(delays.every((d, i) => i === 0 || d > delays[i - 1]!)).toBe(true);
  });

  it('Atomic headers are CloudEvents binary mode with the event id and event time, not the attempt time', () => {
    const headers = ATOMIC_PROFILE.headers({
      body: '{}',
      secret: 's',
      eventId: 'evt-1',
      eventType: 'pay-link-accounts-updated',
      eventTimeMs: Date.parse('2024-10-20T18:00:54.761Z'),
      attemptTimeMs: Date.parse('2024-10-20T18:01:24.761Z'),
      sendTimeMs: Date.parse('2024-10-20T18:01:24.761Z'),
    });
    expect(headers).toMatchObject({
      'Content-Type': 'application/json',
      'ce-specversion': '1.0',
      'ce-source': 'com.atomicfi',
      'ce-type': 'com.atomicfi.pay-link-accounts-updated',
      'ce-id': 'evt-1',
      'ce-time': '2024-10-20T18:00:54.761Z',
    });
  });

  it('Atelio headers carry the real send time in whole seconds, not the virtual attempt time', () => {
    const headers = ATELIO_PROFILE.headers({
      body: '{}',
      secret: 'whsec_x',
      eventId: 'evt-1',
      eventType: 'transactions',
      eventTimeMs: 0,
      attemptTimeMs: 1_000_000_000_000,
      sendTimeMs: 1_700_000_000_999,
    });
    expect(headers['Bond-Signature']).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(Object.keys(headers).sort()).toEqual(['Bond-Signature', 'Content-Type']);
  });
});
