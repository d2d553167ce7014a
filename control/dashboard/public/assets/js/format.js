// @ts-check

/**
 * How the page writes money, times and durations. Every time shown is a platform or scenario time,
 * which is UTC; it is written as UTC so a timeline reads the same on every screen.
 */

const dateTime = new Intl.DateTimeFormat('en-US', {
  timeZone: 'UTC',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

const dateOnly = new Intl.DateTimeFormat('en-US', {
  timeZone: 'UTC',
  month: 'short',
  day: 'numeric',
  year: 'numeric',
});

const clock = new Intl.DateTimeFormat('en-US', {
  timeZone: 'UTC',
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** @param {string | number | null | undefined} value */
const toDate = (value) => {
  if (value === null || value === undefined || value === '') return undefined;
  // Atelio writes settlement dates with a bare "+00" offset.
  const text = typeof value === 'string' ? value.replace(/([+-]\d\d)$/, '$1:00') : value;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
};

/** "Mar 10, 15:04 UTC" */
export function formatDateTime(/** @type {string | number | null | undefined} */ value) {
  const date = toDate(value);
  return date ? `${dateTime.format(date)} UTC` : '—';
}

/** "Mar 10, 2025" */
export function formatDate(/** @type {string | number | null | undefined} */ value) {
  const date = toDate(value);
  return date ? dateOnly.format(date) : '—';
}

/** "Mar 10, 2025, 15:04:05 UTC" */
export function formatClock(/** @type {number} */ ms) {
  return `${clock.format(new Date(ms))} UTC`;
}

/**
 * Money as the vendors send it (Atomic numbers, Atelio signed decimal strings), written with two
 * decimals and a real minus sign: "$35.93", "−$30.49".
 *
 * @param {string | number | null | undefined} value
 */
export function formatMoney(value) {
  if (value === null || value === undefined || value === '') return '—';
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(number)) return String(value);
  const text = `$${Math.abs(number).toFixed(2)}`;
  return number < 0 ? `−${text}` : text;
}

/** "12 ms", "1.3 s" */
export function formatLatency(/** @type {number | undefined} */ ms) {
  if (ms === undefined || ms === null) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** "0.95" → "95%" */
export function formatConfidence(/** @type {number | undefined | null} */ value) {
  return typeof value === 'number' ? `${Math.round(value * 100)}%` : '—';
}

/** How a payment method reads: "Visa ••4242", "gift card", "card (no last four)", "none shown". */
export function formatPaymentMethod(
  /** @type {{type?: string, brand?: string, lastFour?: string} | null | undefined} */ method,
) {
  if (!method) return 'none shown';
  if (method.type === 'card') {
    const brand = method.brand ?? 'Card';
    return method.lastFour ? `${brand} ••${method.lastFour}` : `${brand} (no last four)`;
  }
  return method.type ?? 'unknown';
}
