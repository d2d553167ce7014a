import { afterEach, describe, expect, it, vi } from 'vitest';

/**
 * The page's own modules that need no DOM, run in Node as the browser runs them. They are plain
 * JavaScript served as is (no build), so they are imported by path and typed here.
 */

interface FormatModule {
  formatMoney(value: string | number | null | undefined): string;
  formatDateTime(value: string | number | null | undefined): string;
  formatDate(value: string | number | null | undefined): string;
  formatLatency(ms: number | undefined): string;
  formatConfidence(value: number | null | undefined): string;
  formatPaymentMethod(
    method: { type?: string; brand?: string; lastFour?: string } | null | undefined,
  ): string;
}

interface Refresher {
  define(name: string, run: () => Promise<void>): void;
  mark(...names: string[]): void;
  markAll(): void;
}

const load = <T>(path: string): Promise<T> => import(/* @vite-ignore */ path as string) as Promise<T>;
const format = await load<FormatModule>('./public/assets/js/format.js');
const { createRefresher } = await load<{ createRefresher(gapMs?: number): Refresher }>(
  './public/assets/js/refresh.js',
);

describe('format.js', () => {
  it('writes money with two decimals and a real minus sign, from numbers and signed strings', () => {
    expect(format.formatMoney('-35.93')).toBe('−$35.93');
    expect(format.formatMoney(30.49)).toBe('$30.49');
    expect(format.formatMoney('5.4')).toBe('$5.40');
    expect(format.formatMoney(0)).toBe('$0.00');
    expect(format.formatMoney(null)).toBe('—');
    expect(format.formatMoney('n/a')).toBe('n/a');
  });

  it("writes times in UTC, including Atelio's settlement dates with a bare +00 offset", () => {
    expect(format.formatDateTime('2024-12-16T03:47:27+00')).toBe('Dec 16, 03:47 UTC');
    expect(format.formatDateTime('2023-12-16T19:42:05.721000+00:00')).toBe('Dec 16, 19:42 UTC');
    expect(format.formatDate('2025-03-10T23:30:00-05:00')).toBe('Mar 11, 2025');
    expect(format.formatDateTime('not a date')).toBe('—');
    expect(format.formatDateTime(undefined)).toBe('—');
  });

  it('writes latency, confidence and payment methods the way the panels show them', () => {
    expect(format.formatLatency(12.4)).toBe('12 ms');
    expect(format.formatLatency(1340)).toBe('1.3 s');
    expect(format.formatConfidence(0.95)).toBe('95%');
    expect(format.formatConfidence(null)).toBe('—');
    expect(format.formatPaymentMethod({ type: 'card', brand: 'Visa', lastFour: '4242' })).toBe('Visa ••4242');
    expect(format.formatPaymentMethod({ type: 'card', brand: 'Visa' })).toBe('Visa (no last four)');
    expect(format.formatPaymentMethod({ type: 'gift card' })).toBe('gift card');
    expect(format.formatPaymentMethod(undefined)).toBe('none shown');
  });
});

describe('refresh.js', () => {
  afterEach(() => vi.useRealTimers());

  /** A task whose runs can be finished by hand, to see what happens while one is in flight. */
  function task() {
    const finishers: (() => void)[] = [];
    return {
      runs: () => finishers.length,
      run: () => new Promise<void>((resolve) => finishers.push(resolve)),
      finish: async () => {
        finishers.at(-1)?.();
        await Promise.resolve();
        await Promise.resolve();
      },
    };
  }

  it('runs a quiet task at once, then at most once per gap however often it is marked', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const refresher = createRefresher(300);
    const deliveries = task();
    refresher.define('deliveries', deliveries.run);

    refresher.mark('deliveries');
    await vi.advanceTimersByTimeAsync(0);
    expect(deliveries.runs()).toBe(1);
    await deliveries.finish();

    for (let i = 0; i < 50; i++) refresher.mark('deliveries');
    await vi.advanceTimersByTimeAsync(299);
    expect(deliveries.runs()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(deliveries.runs()).toBe(2);
  });

  it('never runs a task twice at once, and runs it again after a mark that came during a run', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const refresher = createRefresher(300);
    const users = task();
    refresher.define('users', users.run);

    refresher.mark('users');
    await vi.advanceTimersByTimeAsync(0);
    refresher.mark('users'); // the data changed again while it was being read
    await vi.advanceTimersByTimeAsync(5_000);
    expect(users.runs()).toBe(1);
    await users.finish();
    await vi.advanceTimersByTimeAsync(300);
    expect(users.runs()).toBe(2);
    await users.finish();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(users.runs()).toBe(2);
  });

  it('marks every task with markAll and ignores names it does not know', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const refresher = createRefresher(300);
    const a = task();
    const b = task();
    refresher.define('a', a.run);
    refresher.define('b', b.run);
    refresher.mark('nothing-by-this-name');
    refresher.markAll();
    await vi.advanceTimersByTimeAsync(0);
    expect([a.runs(), b.runs()]).toEqual([1, 1]);
  });
});
