/** Timestamps from both vendors, parsed once into epoch milliseconds. */

export const DAY_MS = 86_400_000;

// Atelio writes some timestamps as "2024-12-18 21:11:49+00" (space separator, hour-only offset);
// Date.parse rejects those, so they are normalised to ISO-8601 first.
const LOOSE = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Epoch ms for an ISO-8601-ish timestamp, or null when it cannot be read. */
export function parseTimestamp(value: string | null | undefined): number | null {
  if (!value) return null;
  const canonical = parseCanonicalIso(value);
  if (canonical !== null) return canonical;
  // Other ISO forms; the date-shape check keeps Date.parse's looser guesses out.
  if (value.length >= 10 && value.charCodeAt(4) === 45 && value.charCodeAt(7) === 45) {
    const direct = Date.parse(value);
    if (!Number.isNaN(direct)) return direct;
  }
  const match = LOOSE.exec(value.trim());
  if (!match) return null;
  const [, date, time, zone] = match;
  let offset = zone ?? 'Z';
  if (/^[+-]\d{2}$/.test(offset)) offset += ':00';
  else if (/^[+-]\d{4}$/.test(offset)) offset = `${offset.slice(0, 3)}:${offset.slice(3)}`;
  const parsed = Date.parse(`${date}T${time}${offset.toUpperCase()}`);
  return Number.isNaN(parsed) ? null : parsed;
}

/** The UTC calendar day number of an instant (days since 1970-01-01). */
export const utcDay = (ms: number): number => Math.floor(ms / DAY_MS);

/** "2024-10-20" for an instant. */
export const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

const digit = (value: string, at: number): number => {
  const code = value.charCodeAt(at) - 48;
  return code >= 0 && code <= 9 ? code : NaN;
};
const twoDigits = (value: string, at: number) => digit(value, at) * 10 + digit(value, at + 1);

/**
 * The two forms the vendors write almost every timestamp in, `2024-02-01T11:11:45.753Z` (Atomic)
 * and `2024-02-02T14:39:17.645+00:00` (Atelio), read digit by digit: a large batch has hundreds of
 * thousands of them, and this is several times quicker than Date.parse. It gives exactly what
 * Date.parse gives (a test checks that on random input); anything else, or any field out of its usual
 * range, is null here and left to Date.parse.
 */
export function parseCanonicalIso(value: string): number | null {
  const length = value.length;
  if (length !== 24 && length !== 29) return null;
  if (
    value.charCodeAt(4) !== 45 || // -
    value.charCodeAt(7) !== 45 ||
    value.charCodeAt(10) !== 84 || // T
    value.charCodeAt(13) !== 58 || // :
    value.charCodeAt(16) !== 58 ||
    value.charCodeAt(19) !== 46 // .
  )
    return null;
  const year = twoDigits(value, 0) * 100 + twoDigits(value, 2);
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  const hour = twoDigits(value, 11);
  const minute = twoDigits(value, 14);
  const second = twoDigits(value, 17);
  const millis = digit(value, 20) * 100 + twoDigits(value, 21);
  let offsetMinutes = 0;
  if (length === 24) {
    if (value.charCodeAt(23) !== 90) return null; // Z
  } else {
    const sign = value.charCodeAt(23);
    if ((sign !== 43 && sign !== 45) || value.charCodeAt(26) !== 58) return null; // + - :
    const offsetHours = twoDigits(value, 24);
    const offsetMins = twoDigits(value, 27);
    if (!(offsetHours <= 23 && offsetMins <= 59)) return null;
    offsetMinutes = (sign === 45 ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  // NaN fails every comparison, so a non-digit anywhere ends here too.
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 59))
    return null;
  // Date.UTC reads years 0-99 as 1900-1999, so those (never seen) go to Date.parse.
  if (!(millis >= 0) || !(year >= 1000)) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
}
