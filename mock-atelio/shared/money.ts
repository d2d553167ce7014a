import { centsToDecimalString } from '../../core/random';
import { invalidAmount } from '../store/errors';

/**
 * Money is integer cents inside the store and a signed two-decimal string on the wire ("-30.49"),
 * so running sums of settlements are exact.
 */

/** Positive amount with exactly two decimals, as Atelio's simulation endpoints require ("45.50"). */
export const TWO_DP_AMOUNT = /^(0|[1-9]\d{0,8})\.\d{2}$/;

/** Signed two-decimal amount as Atelio sends it. */
export const SIGNED_AMOUNT = /^-?\d+\.\d{2}$/;

export const formatCents = centsToDecimalString;

/**
 * Parses an amount given to the store API: a decimal string ("35.93", "35.9", "36") or a number
 * with at most two decimals. Rejects anything that is not a finite, positive amount of whole cents.
 */
export function parsePositiveAmount(value: string | number, field = 'amount'): number {
  let cents: number | undefined;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) {
      const scaled = Math.round(value * 100);
      if (Math.abs(scaled - value * 100) < 1e-6) cents = scaled;
    }
  } else if (/^\d{1,9}(\.\d{1,2})?$/.test(value)) {
    const [whole = '0', fraction = ''] = value.split('.');
    cents = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  }
  if (cents === undefined || cents <= 0 || cents > 99_999_999_999) {
    throw invalidAmount(
      `${field} must be a positive amount with at most two decimals, e.g. "45.50"; got ${JSON.stringify(value)}`,
    );
  }
  return cents;
}
