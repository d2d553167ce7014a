/**
 * Matchers for what the stitcher relies on, and nothing more: a type where any value of that type
 * works, a pattern where the stitcher parses the text (amounts, timestamps, last four), and a literal
 * only where the stitcher branches on the exact word (`connected`, `pending`, `card`, ...).
 * Every matcher is given its example, so the pact files never contain generated values.
 */
import { MatchersV3 } from '@pact-foundation/pact';

export const { string: text, integer, number, eachLike, fromProviderState } = MatchersV3;

/** Atomic's timestamps: ISO 8601 in UTC with milliseconds (`2025-03-09T06:00:00.000Z`). */
export const isoDateTime = (example: string) => MatchersV3.datetime("yyyy-MM-dd'T'HH:mm:ss.SSSX", example);

/**
 * Atelio's timestamps, which the stitcher parses itself: ISO 8601 with optional fractions of up to
 * six digits and an offset written `Z`, `+00`, `+0000` or `+00:00` (settlement dates use `+00`).
 */
export const atelioTimestamp = (example: string) =>
  MatchersV3.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2})?)$/, example);

/** Atelio amounts: signed decimal strings with two decimals (`-30.49`), read into integer cents. */
export const decimalString = (example: string) => MatchersV3.regex(/^-?\d+\.\d{2}$/, example);

/** A card's last four, which the stitcher compares with the order's. */
export const lastFour = (example: string) => MatchersV3.regex(/^\d{4}$/, example);

/**
 * An array of at least `examples.length` items, each like the first example. Pact's own `atLeastLike`
 * repeats one example; distinct examples keep the consumer test realistic (30.49 + 5.44 is not 2 × 30.49).
 */
export function atLeastLike<T>(examples: [T, ...T[]]) {
  return { 'pact:matcher:type': 'type', min: examples.length, value: examples } as const;
}
