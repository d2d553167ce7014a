import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoDay, parseCanonicalIso, parseTimestamp, utcDay } from './dates';

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

describe('parseCanonicalIso (the digit-by-digit fast path)', () => {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  // Each field ranges a little past its valid values, so out-of-range input is generated too.
  const field = (max: number, width: number) => fc.integer({ min: 0, max }).map((n) => pad(n, width));
  const timestamp = fc
    .tuple(
      field(9999, 4),
      field(13, 2),
      field(32, 2),
      field(25, 2),
      field(61, 2),
      field(61, 2),
      field(999, 3),
      fc.oneof(
        fc.constant('Z'),
        fc.tuple(fc.constantFrom('+', '-'), field(24, 2), field(60, 2)).map(([s, h, m]) => `${s}${h}:${m}`),
      ),
    )
    .map(([y, mo, d, h, mi, s, ms, zone]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}${zone}`);

  it('gives exactly what Date.parse gives, or leaves the string to it', () => {
    fc.assert(
      fc.property(timestamp, (value) => {
        const fast = parseCanonicalIso(value);
        const parsed = Date.parse(value);
        if (Number.isNaN(parsed)) expect(fast).toBeNull();
        else expect(parseTimestamp(value)).toBe(parsed);
        if (fast !== null) expect(fast).toBe(parsed);
      }),
      { numRuns: 20_000 },
    );
  });

  it("reads both vendors' usual forms itself", () => {
    expect(parseCanonicalIso('2024-02-01T11:11:45.753Z')).toBe(Date.UTC(2024, 1, 1, 11, 11, 45, 753));
    expect(parseCanonicalIso('2024-02-02T14:39:17.645+00:00')).toBe(Date.UTC(2024, 1, 2, 14, 39, 17, 645));
    expect(parseCanonicalIso('2024-02-02T14:39:17.645-05:30')).toBe(Date.UTC(2024, 1, 2, 20, 9, 17, 645));
  });

  it.each([
    '2024-02-01T11:11:45Z',
    '2024-02-01 11:11:45.753Z',
    '0099-02-01T11:11:45.753Z',
    '2024-02-01T11:11:45.7a3Z',
  ])('leaves %s to Date.parse', (value) => {
    expect(parseCanonicalIso(value)).toBeNull();
  });
});
