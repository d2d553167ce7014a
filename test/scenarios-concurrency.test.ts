import { afterEach, describe, expect, it } from 'vitest';
import { createScenarioPlatform, deliveriesOf, type ScenarioPlatform } from '../scenarios/testing';

/** Runs for different identifiers at the same time on one platform do not disturb each other. */

const platforms: ScenarioPlatform[] = [];
afterEach(async () => {
  await Promise.all(platforms.splice(0).map((p) => p.close()));
});

const bytes = (platform: ScenarioPlatform, view: Parameters<typeof deliveriesOf>[1]) =>
  deliveriesOf(platform, view).map((d) => `${String(d.headers['ce-id'] ?? '')} ${d.raw.toString('utf8')}`);

describe('concurrent runs', () => {
  it('run side by side on their own timelines, each exactly as it would alone', async () => {
    const stitching = { seed: 3, identifier: 'cust-a', startTime: '2025-01-06T09:00:00Z' };
    const access = { seed: 4, identifier: 'cust-b', startTime: '2024-11-20T18:30:00Z' };

    const alone = await createScenarioPlatform();
    platforms.push(alone);
    const aloneView = await alone.runner.start('amazon-order-stitching', stitching).done;

    const shared = await createScenarioPlatform();
    platforms.push(shared);
    const a = shared.runner.start('amazon-order-stitching', stitching);
    const b = shared.runner.start('continuous-access', access);
    const c = shared.runner.start('account-disconnection', { seed: 5, identifier: 'cust-c' });
    expect([a.status, b.status, c.status]).toEqual(['running', 'running', 'running']);
    const [viewA, viewB, viewC] = await Promise.all([a.done, b.done, c.done]);
    expect([viewA.status, viewB.status, viewC.status]).toEqual(['completed', 'completed', 'completed']);

    // Each run's webhooks are its own user's only, and on its own timeline.
    for (const [view, identifier, start] of [
      [viewA, 'cust-a', stitching.startTime],
      [viewB, 'cust-b', access.startTime],
    ] as const) {
      const delivered = deliveriesOf(shared, view);
      expect(delivered).toHaveLength(view.webhookCount);
      for (const d of delivered) {
        if (d.vendor === 'atomic') {
          expect((d.body['user'] as { identifier: string }).identifier).toBe(identifier);
          expect(Date.parse(String(d.body['eventTime']))).toBeGreaterThanOrEqual(Date.parse(start));
        } else {
          expect(d.body['customer_id']).toBe(identifier);
        }
      }
      expect(Date.parse(view.virtualNow) - Date.parse(start)).toBeGreaterThanOrEqual(26 * 86_400_000);
    }
    // Byte for byte what the same run produced alone on a fresh platform.
    expect(bytes(shared, viewA)).toEqual(bytes(alone, aloneView));
    expect(viewA.groundTruth).toEqual(aloneView.groundTruth);
  });

  it('refuses a second run for an identifier that is still running', async () => {
    const platform = await createScenarioPlatform({ receiver: false });
    platforms.push(platform);
    const first = platform.runner.start('continuous-access', { identifier: 'cust-busy' });
    expect(() => platform.runner.start('order-monitoring', { identifier: 'cust-busy' })).toThrow(
      /identifier cust-busy is in use by a running run/,
    );
    expect((await first.done).status).toBe('completed');
  });
});
