import { describe, expect, it } from 'vitest';
import { formatCents, toCents } from './money';

describe('toCents', () => {
  it.each([
    ['-30.49', -3049],
    ['5.30', 530],
    ['5.3', 530],
    ['12', 1200],
    ['+7.01', 701],
    ['0.005', 1],
    ['-0.004', 0],
    [' 1.10 ', 110],
    ['1.', 100],
    ['-12.345', -1235],
  ])('reads the decimal string %j as %i cents', (input, cents) => {
    expect(toCents(input)).toBe(cents);
  });

  it.each([
    [13.37, 1337],
    [0.1 + 0.2, 30],
    [-35.93, -3593],
    [1e6, 100_000_000],
  ])('reads the number %f as %i cents', (input, cents) => {
    expect(toCents(input)).toBe(cents);
  });

  it.each([
    '',
    ' ',
    'abc',
    '1.2.3',
    '--1',
    '.5',
    '1e3',
    '0x10',
    '1,000.00',
    null,
    undefined,
    Number.NaN,
    Number.POSITIVE_INFINITY,
  ])('gives null for %j', (input) => {
    expect(toCents(input as string | number | null | undefined)).toBeNull();
  });
});

describe('formatCents', () => {
  it.each([
    [1337, '13.37'],
    [-3049, '-30.49'],
    [5, '0.05'],
    [0, '0.00'],
  ])('formats %i as %s', (cents, text) => {
    expect(formatCents(cents)).toBe(text);
  });
});
