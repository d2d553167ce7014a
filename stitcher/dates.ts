/** Timestamps from both vendors, parsed once into epoch milliseconds. */

export const DAY_MS = 86_400_000;

// Atelio writes some timestamps as "2024-12-18 21:11:49+00" (space separator, hour-only offset);
// Date.parse rejects those, so they are normalised to ISO-8601 first.
const LOOSE = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Epoch ms for an ISO-8601-ish timestamp, or null when it cannot be read. */
export function parseTimestamp(value: string | null | undefined): number | null {
  if (!value) return null;
  // Fast path for the usual ISO form; the date-shape check keeps Date.parse's looser guesses out.
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
