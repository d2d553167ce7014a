import type { Hono } from 'hono';
import type { Clock } from '../../core/clock';
import type { DeliveryEngine } from '../../core/webhooks';
import type { AtelioStore } from '../../mock-atelio';
import type { AtomicStore } from '../../mock-atomic';
import type { ScenarioRunner } from '../../scenarios';
import type { StitcherService } from '../../stitcher';
import { createLiveFeed, eventRoutes } from './events';
import { viewRoutes } from './views';
import { dashboardSite } from './site';

export { dashboardSite, CONTENT_SECURITY_POLICY, PUBLIC_DIR } from './site';

export interface DashboardDeps {
  /** The platform clock itself (heartbeats, batching), not the ScopedClock runs use. */
  clock: Clock;
  engine: DeliveryEngine;
  scenarios: ScenarioRunner;
  atomic: AtomicStore;
  atelio: AtelioStore;
  /** The reference stitcher and the URL it listens on, when the platform runs it. */
  stitcher?: { service: Pick<StitcherService, 'app' | 'idle'>; url: string } | undefined;
  /** Live streams open at once (default 64). */
  maxLiveSubscribers?: number;
  /** The Transact stand-in's origin, which the page frames when it launches Transact. */
  transactUrl?: string;
}

/**
 * Everything the dashboard adds to the control plane: the live feed (`/api/events`), the read
 * models (`/api/users`, `/api/stitcher/...`) and the page itself (`/`, `/assets/...`).
 * `api` goes into `createControlApp`'s `extraApi`, `site` into its `site`.
 */
export function dashboardRoutes(deps: DashboardDeps): { api: Record<string, Hono>; site: Hono } {
  const { stitcher } = deps;
  const feed = createLiveFeed({
    clock: deps.clock,
    engine: deps.engine,
    scenarios: deps.scenarios,
    atomic: deps.atomic,
    atelio: deps.atelio,
    stitcher: stitcher ? { url: stitcher.url, idle: () => stitcher.service.idle() } : undefined,
  });
  return {
    api: {
      '/events': eventRoutes(feed, {
        clock: deps.clock,
        ...(deps.maxLiveSubscribers === undefined ? {} : { maxSubscribers: deps.maxLiveSubscribers }),
      }),
      ...viewRoutes({
        atomic: deps.atomic,
        atelio: deps.atelio,
        stitcher: stitcher ? { app: stitcher.service.app } : undefined,
      }),
    },
    site: dashboardSite(deps.transactUrl ? { transactOrigin: deps.transactUrl } : {}),
  };
}
