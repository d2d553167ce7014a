import type { z } from 'zod';

/**
 * Bounds for every number in an imported state document (`PUT /api/state`, `--state-file`).
 *
 * A schema checks the fields it knows, but a state holds hundreds of numeric fields (amounts,
 * counts, rates, tax figures inside payroll payloads it keeps as opaque JSON). One of them at
 * `1e20`, `1e308` or `Infinity` (which `JSON.parse` makes of `1e400`) used to be stored as is and
 * made the routes that print or add it fail. So after the schema, every number in the document is
 * held to a bound picked by its key: generous for real data, small enough that sums and
 * formatting stay exact and every route keeps answering.
 */

/** Amounts, counts, rates: any finite number within ±10^12 (a trillion dollars, or 10 billion in cents). */
export const MAX_IMPORTED_MAGNITUDE = 1e12;
/** The last millisecond of year 9999: the furthest time an ISO timestamp can print. */
export const MAX_EPOCH_MS = 253_402_300_799_999;

export interface NumberBound {
  min: number;
  max: number;
  integer: boolean;
  /** How the bound reads in an error message. */
  describe: string;
}

const ANY_AMOUNT: NumberBound = {
  min: -MAX_IMPORTED_MAGNITUDE,
  max: MAX_IMPORTED_MAGNITUDE,
  integer: false,
  describe: `a finite number within ±${MAX_IMPORTED_MAGNITUDE}`,
};
const TIME_MS: NumberBound = {
  min: 0,
  max: MAX_EPOCH_MS,
  integer: true,
  describe: 'an integer time in milliseconds within years 1970–9999',
};

/** Keys ending in `Ms` are times or durations in milliseconds; every other number is an amount or count. */
export function boundForKey(key: string | number | undefined): NumberBound {
  return typeof key === 'string' && key.endsWith('Ms') ? TIME_MS : ANY_AMOUNT;
}

export interface NumberOutOfBounds {
  path: (string | number)[];
  value: number;
  bound: NumberBound;
}

/** The first number in `value` outside its bound (depth-first), or undefined when all are within. */
export function firstNumberOutOfBounds(
  value: unknown,
  boundFor: (key: string | number | undefined) => NumberBound = boundForKey,
  path: (string | number)[] = [],
): NumberOutOfBounds | undefined {
  if (typeof value === 'number') {
    // Array items are judged by the field that holds them: `amounts: [1e20]` is an amount.
    const bound = boundFor(path.findLast((key) => typeof key === 'string'));
    const ok =
      Number.isFinite(value) &&
      value >= bound.min &&
      value <= bound.max &&
      (!bound.integer || Number.isInteger(value));
    return ok ? undefined : { path, value, bound };
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : Object.entries(value);
  for (const [key, item] of entries) {
    const found = firstNumberOutOfBounds(item, boundFor, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

/**
 * `schema`, plus the check that every number in what it parsed is within its bound. The issue names
 * the path and the bound, e.g. `transactions.3.amountCents: 1e+20 is out of bounds (…)`.
 */
export function withBoundedNumbers<S extends z.ZodType>(schema: S): S {
  return schema.superRefine((parsed, context) => {
    const found = firstNumberOutOfBounds(parsed);
    if (!found) return;
    context.addIssue({
      code: 'custom',
      path: found.path,
      message: `${String(found.value)} is out of bounds (must be ${found.bound.describe})`,
    });
  }) as S;
}
