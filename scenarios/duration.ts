/**
 * Relative times in scenario files: `+1d`, `+30s`, `+1d2h30m`, `-3d` (order dates in the past),
 * `0`. Units d, h, m, s and ms, largest first, each at most once. Kept to whole milliseconds so a
 * timeline computed from them is exact and the same on every machine.
 */

const UNITS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
const DURATION = /^([+-])?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

export const DURATION_HINT = 'a relative time like +30s, +2h, +1d or +1d2h30m (units d, h, m, s, ms)';

/** Milliseconds of a relative time, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  if (text === '0' || text === '+0' || text === '-0') return 0;
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const [, sign, d, h, m, s, ms] = match;
  if (d === undefined && h === undefined && m === undefined && s === undefined && ms === undefined)
    return undefined;
  const total =
    Number(d ?? 0) * UNITS.d +
    Number(h ?? 0) * UNITS.h +
    Number(m ?? 0) * UNITS.m +
    Number(s ?? 0) * UNITS.s +
    Number(ms ?? 0) * UNITS.ms;
  if (!Number.isSafeInteger(total)) return undefined;
  return sign === '-' ? -total : total;
}

/** `90061000` → `+1d1h1m1s`: how the runner names offsets in timelines and errors. */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  let left = Math.abs(ms);
  let out = '';
  for (const [unit, size] of Object.entries(UNITS)) {
    const n = Math.floor(left / size);
    if (n > 0) out += `${n}${unit}`;
    left -= n * size;
  }
  return `${sign}${out || '0s'}`;
}
