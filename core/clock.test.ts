import { describe, expect, it } from 'vitest';
import { PlatformClock, ScopedClock, VirtualClock } from './clock';

describe('VirtualClock', () => {
  it('fires timers in due order, FIFO for equal times, and only when advanced', async () => {
    const clock = new VirtualClock('2024-01-01T00:00:00Z');
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@20'), 20);
    clock.setTimeout(() => fired.push('a@10'), 10);
    clock.setTimeout(() => fired.push('c@20'), 20);
    expect(fired).toEqual([]);
    await clock.advance(15);
    expect(fired).toEqual(['a@10']);
    expect(clock.now()).toBe(Date.parse('2024-01-01T00:00:00.015Z'));
    await clock.advance(5);
    expect(fired).toEqual(['a@10', 'b@20', 'c@20']);
  });

  it('runs timers scheduled by timers, at their own virtual time', async () => {
    const clock = new VirtualClock(0);
    const times: number[] = [];
    const tick = (n: number) => {
      times.push(clock.now());
      if (n > 0) clock.setTimeout(() => tick(n - 1), 30_000);
    };
    clock.setTimeout(() => tick(3), 0);
    await clock.runUntilIdle();
    expect(times).toEqual([0, 30_000, 60_000, 90_000]);
  });

  it('waits for tracked real work before jumping to the next timer', async () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    clock.setTimeout(() => {
      void clock.track(
        new Promise<void>((resolve) => setTimeout(resolve, 20)).then(() => {
          clock.setTimeout(() => seen.push(clock.now()), 5_000);
        }),
      );
    }, 1_000);
    await clock.runUntilIdle();
    expect(seen).toEqual([6_000]);
  });

  it('cancelled timers never fire', async () => {
    const clock = new VirtualClock(0);
    let fired = false;
    const id = clock.setTimeout(() => (fired = true), 10);
    clock.clearTimeout(id);
    await clock.advance(100);
    expect(fired).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it('sleep resolves at the virtual deadline', async () => {
    const clock = new VirtualClock(1_000);
    const woke = clock.sleep(3 * 24 * 3600 * 1000).then(() => clock.now());
    await clock.runUntilIdle();
    expect(await woke).toBe(1_000 + 3 * 24 * 3600 * 1000);
  });
});

describe('PlatformClock', () => {
  it('advance moves now forward and fires the timers that became due', () => {
    let wall = 1_000_000;
    const clock = new PlatformClock(() => wall);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 30_000);
    clock.setTimeout(() => fired.push(-1), 90_000);
    clock.advance(30_000);
    expect(fired).toEqual([1_030_000]);
    wall += 10;
    expect(clock.now()).toBe(1_030_010);
    clock.stop();
  });

  it('fires each timer of a jump with now at its own instant, so what it schedules falls in its place', () => {
    const clock = new PlatformClock(() => 1_000_000);
    const fired: string[] = [];
    clock.setTimeout(() => {
      fired.push(`a@${clock.now()}`);
      // Scheduled from inside the jump: due before b, so it fires before b.
      clock.setTimeout(() => fired.push(`a2@${clock.now()}`), 5_000);
    }, 10_000);
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20_000);
    clock.advance(60_000);
    expect(fired).toEqual(['a@1010000', 'a2@1015000', 'b@1020000']);
    expect(clock.now()).toBe(1_060_000);
    clock.stop();
  });
});

describe('ScopedClock', () => {
  it('uses the clock in scope, including inside async continuations', async () => {
    const base = new VirtualClock(0);
    const run = new VirtualClock(5_000);
    const scoped = new ScopedClock(base);
    expect(scoped.now()).toBe(0);
    const inside = await scoped.runWith(run, async () => {
      await Promise.resolve();
      return scoped.now();
    });
    expect(inside).toBe(5_000);
    let firedAt = -1;
    scoped.runWith(run, () => scoped.setTimeout(() => (firedAt = scoped.now()), 100));
    await base.advance(1_000);
    expect(firedAt).toBe(-1);
    await run.advance(100);
    expect(firedAt).toBe(5_100);
  });
});
