import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['+30s', 30_000],
    ['+2h', 7_200_000],
    ['+1d', 86_400_000],
    ['+1d2h', 93_600_000],
    ['+1d2h30m15s', 95_415_000],
    ['+250ms', 250],
    ['+1m500ms', 60_500],
    ['15m', 900_000],
    ['-3d', -259_200_000],
    ['0', 0],
    ['+0s', 0],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '+', '1 day', '+2h1d', '+1d1d', '+1.5h', '+5w', 'P1D', '+1dd', '2024-01-01'])(
    'rejects %j',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

describe('formatDuration', () => {
  it('writes offsets largest unit first and round-trips', () => {
    expect(formatDuration(95_415_000)).toBe('+1d2h30m15s');
    expect(formatDuration(0)).toBe('+0s');
    expect(formatDuration(-60_500)).toBe('-1m500ms');
    for (const ms of [1, 999, 61_001, 86_400_000 * 30 + 5])
      expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});
