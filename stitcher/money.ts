/**
 * Money as integer cents. Atomic sends amounts as JSON numbers (13.37), Atelio as signed decimal
 * strings ("-30.49"); comparing either as floats invites 0.1 + 0.2 mistakes, so everything the
 * matcher compares is an integer number of cents.
 */

/** Parses "-30.49", "5.3", "12", 13.37 into signed cents. Returns null for "", null or garbage. */
export function toCents(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    // Numbers with at most two decimals: scaling then rounding removes the binary-fraction error.
    return Math.round(value * 100);
  }
  return parseDecimalCents(value);
}

/**
 * Hand-rolled decimal reader (this runs for every amount of every transaction): optional sign,
 * digits, optional fraction; surrounding spaces allowed. Rounds half away from zero at the third decimal.
 */
function parseDecimalCents(value: string): number | null {
  let i = 0;
  let end = value.length;
  while (i < end && value.charCodeAt(i) === 32) i++;
  while (end > i && value.charCodeAt(end - 1) === 32) end--;
  let negative = false;
  const first = value.charCodeAt(i);
  if (first === 45 || first === 43) {
    negative = first === 45;
    i++;
  }
  let whole = 0;
  let digits = 0;
  while (i < end) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) break;
    whole = whole * 10 + (c - 48);
    digits++;
    i++;
  }
  if (digits === 0) return null;
  let fraction = 0;
  if (i < end && value.charCodeAt(i) === 46) {
    i++;
    let place = 0;
    while (i < end) {
      const c = value.charCodeAt(i);
      if (c < 48 || c > 57) return null;
      if (place < 2) fraction = fraction * 10 + (c - 48);
      else if (place === 2 && c >= 53) fraction += 1;
      place++;
      i++;
    }
    if (place === 1) fraction *= 10;
  }
  if (i !== end) return null;
  const cents = whole * 100 + fraction;
  return negative && cents !== 0 ? -cents : cents;
}

/** 1337 → "13.37"; -3049 → "-30.49". */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
