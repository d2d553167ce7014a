/**
 * Money as integer cents. Atomic sends amounts as JSON numbers (13.37), Atelio as signed decimal
 * strings ("-30.49"); comparing either as floats invites 0.1 + 0.2 mistakes, so everything the
 * matcher compares is an integer number of cents.
 */

const DECIMAL = /^\s*([+-])?(\d+)(?:\.(\d*))?\s*$/;

/** Parses "-30.49", "5.3", "12", 13.37 into signed cents. Returns null for "", null or garbage. */
export function toCents(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    // Numbers with at most two decimals: scaling then rounding removes the binary-fraction error.
    return Math.round(value * 100);
  }
  const match = DECIMAL.exec(value);
  if (!match) return null;
  const [, sign, whole, fraction = ''] = match;
  const padded = (fraction + '000').slice(0, 3);
  // Round half away from zero on the third decimal, like the vendors' own 2-dp rounding.
  let cents = Number(whole) * 100 + Number(padded.slice(0, 2));
  if (Number(padded[2]) >= 5) cents += 1;
  return sign === '-' && cents !== 0 ? -cents : cents;
}

/** 1337 → "13.37"; -3049 → "-30.49". */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
