import { AtelioStoreError } from '../store/errors';

/**
 * Atelio's timestamp formats. Transaction times are ISO-8601 with microseconds and an explicit
 * offset ("2023-12-16T19:42:05.721337+00:00"); settlement dates carry an hour-only offset
 * ("2024-12-16T03:47:27+00"), exactly as vendor-docs 003 shows them. The mock keeps that quirk on
 * purpose: a client whose parser chokes on it should find out here, not in production.
 */

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function parts(ms: number) {
  const d = new Date(ms);
  return {
    date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
    micros: `${pad(d.getUTCMilliseconds(), 3)}000`,
  };
}

/** "2023-12-16T19:42:05.721000+00:00" */
export function formatTimestamp(ms: number): string {
  const { date, time, micros } = parts(ms);
  return `${date}T${time}.${micros}+00:00`;
}

/** "2024-12-16T03:47:27+00" */
export function formatSettlementDate(ms: number): string {
  const { date, time } = parts(ms);
  return `${date}T${time}+00`;
}

/** "2024-12-16" (UTC), the granularity of the list endpoint's date filters. */
export function formatDate(ms: number): string {
  return parts(ms).date;
}

/** Accepts ISO-8601 with offset, with or without fractional seconds, and Atelio's "+00" form. */
export const TIMESTAMP_PATTERN =
  /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2})?)$/;

/** Parses an Atelio timestamp, including the "+00" offset form Date.parse rejects. */
export function parseTimestamp(value: string): number {
  const normalised = value.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00');
  return Date.parse(normalised);
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const SIMULATE_DATETIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/;

function utc(year: number, month: number, day: number, hour = 0, minute = 0): number | undefined {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute);
  const d = new Date(ms);
  // Date.UTC rolls 2024-02-30 over to March; a real calendar date survives the round trip.
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day)
    return undefined;
  return ms;
}

/** "YYYY-MM-DD" → start of that UTC day in ms, or undefined for anything that is not a real date. */
export function parseDateOnly(value: string): number | undefined {
  const m = DATE_ONLY.exec(value);
  if (!m) return undefined;
  return utc(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** "YYYY-MM-DD HH:MM" (the simulation endpoint's format, read as UTC) → ms, or undefined. */
export function parseSimulateDatetime(value: string): number | undefined {
  const m = SIMULATE_DATETIME.exec(value);
  if (!m) return undefined;
  return utc(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/** A time given to the store API: epoch ms, a Date, or any string Date.parse (or parseTimestamp) understands. */
export type TimeInput = number | Date | string;

export function toMs(value: TimeInput): number {
  const ms =
    typeof value === 'number'
      ? value
      : value instanceof Date
        ? value.getTime()
        : (parseSimulateDatetime(value) ?? parseTimestamp(value));
  if (!Number.isFinite(ms)) throw new AtelioStoreError('invalid_date', `Not a valid time: ${String(value)}`);
  return ms;
}
