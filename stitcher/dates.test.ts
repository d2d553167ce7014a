import { describe, expect, it } from 'vitest';
import { isoDay, parseTimestamp, utcDay } from './dates';

describe('parseTimestamp', () => {
  it.each([
    ['2024-10-20T18:00:54.761Z', Date.UTC(2024, 9, 20, 18, 0, 54, 761)],
    ['2023-12-16T19:42:05.721337+00:00', Date.UTC(2023, 11, 16, 19, 42, 5, 721)],
    ['2024-12-16T03:47:27+00', Date.UTC(2024, 11, 16, 3, 47, 27)],
    ['2024-12-18 21:11:49+00', Date.UTC(2024, 11, 18, 21, 11, 49)],
    ['2021-03-16T16:16:57', null],
    ['2024-10-20T01:00:00-05:00', Date.UTC(2024, 9, 20, 6)],
  ])('reads %s', (input, expected) => {
    if (expected === null) expect(parseTimestamp(input)).not.toBeNull();
    else expect(parseTimestamp(input)).toBe(expected);
  });

  it.each(['', 'yesterday', '20/10/2024', null, undefined])('gives null for %j', (input) => {
    expect(parseTimestamp(input)).toBeNull();
  });
});

describe('utcDay / isoDay', () => {
  it('puts 23:59 and 00:00 of the same UTC date on the same day number', () => {
    expect(utcDay(Date.UTC(2024, 9, 20, 23, 59))).toBe(utcDay(Date.UTC(2024, 9, 20, 0, 0)));
    expect(utcDay(Date.UTC(2024, 9, 21))).toBe(utcDay(Date.UTC(2024, 9, 20)) + 1);
    expect(isoDay(Date.UTC(2024, 9, 20, 23, 59))).toBe('2024-10-20');
  });
});
