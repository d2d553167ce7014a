import { describe, expect, it } from 'vitest';
import { renderMarkdown, type ResultsDocument, type SuiteRecord } from './report';

const record = (suite: string, result: unknown, ok = true): SuiteRecord => ({
  suite,
  command: `npx tsx bench/${suite}.ts`,
  ranAt: '2025-03-10T15:00:00.000Z',
  durationSec: 12.5,
  loadAverage1m: { before: 0.5, after: 1.5 },
  ok,
  ...(ok ? { result } : { error: 'exited with 1: boom' }),
});

const document = (suites: SuiteRecord[]): ResultsDocument => ({
  generatedAt: '2025-03-10T15:00:00.000Z',
  machine: { cpu: 'Test CPU', cores: 2, memoryGB: 8, os: 'linux', node: 'v20.0.0' },
  suites: Object.fromEntries(suites.map((s) => [s.suite, s])),
});

describe('renderMarkdown', () => {
  it('shows each HTTP endpoint with both servers, the ratio and whether the goal was met', () => {
    const http = {
      results: [
        {
          path: '/task/:id/status',
          bodyBytes: 120,
          stitchSandbox: { medianRequestsPerSec: 9000, medianP99Ms: 12 },
          wiremock: { medianRequestsPerSec: 3000, medianP99Ms: 40 },
          throughputRatio: 3,
          goalMet: true,
        },
      ],
      settings: { rounds: 3, secondsPerRun: 5, connections: 50, warmupSecondsEach: 5 },
      goal: 'at least 1.5x',
      goalMet: true,
    };
    const markdown = renderMarkdown(document([record('http', http)]));
    expect(markdown).toContain(
      '| `/task/:id/status` | 120 B | 9,000 | 3,000 | **3×** | 12 ms | 40 ms | yes |',
    );
    expect(markdown).toContain('`npx tsx bench/http.ts` — ran 2025-03-10 15:00 UTC for 12.5 s');
    expect(markdown).toContain('Test CPU, 2 cores');
  });

  it('reports a failed suite with its error instead of figures', () => {
    expect(renderMarkdown(document([record('startup', undefined, false)]))).toContain(
      '**Failed:** exited with 1: boom',
    );
  });

  it('lists the top-level figures of a suite it has no table for', () => {
    const markdown = renderMarkdown(
      document([record('custom', { rssGrowthMB: 12.345, goalMet: true, detail: {} })]),
    );
    expect(markdown).toContain('- rssGrowthMB: 12.35');
    expect(markdown).toContain('- goalMet: true');
    expect(markdown).not.toContain('detail');
  });
});

describe('renderMarkdown for the stitching suite', () => {
  it('shows precision and recall overall and per case type beside the naive baseline', () => {
    const score = (precision: number, recall: number, labelled: number) => ({ precision, recall, labelled });
    const stitching = {
      orders: 100000,
      transactions: 283039,
      matcher: {
        precision: 0.9989,
        recall: 0.996,
        wrong: 93,
        perCase: { 'split-shipment': score(0.9992, 0.9986, 3592) },
        refunds: score(0.9979, 0.9912, 4331),
      },
      naiveBaseline: {
        precision: 0.87,
        recall: 0.2205,
        wrong: 2600,
        perCase: { 'split-shipment': score(1, 0, 3592) },
        refunds: score(0.6119, 0.6779, 4331),
      },
      performance: { stitchMsFirstRun: 1500, stitchMsMedianOf3: 1300, peakRssMb: 1100, wholeProcess: null },
    };
    const markdown = renderMarkdown(document([record('stitching', stitching)]));
    expect(markdown).toContain('| precision | 0.9989 | 0.87 |');
    expect(markdown).toContain('| split-shipment | 3,592 | 0.9992 / 0.9986 | 1 / 0 |');
    expect(markdown).toContain('| refunds linked | 4,331 | 0.9979 / 0.9912 | 0.6119 / 0.6779 |');
    expect(markdown).not.toContain('Whole process');
  });

  it('shows the whole-process time beside the parse-only peer when the suite timed it', () => {
    const spread = (median: number, min: number, max: number) => ({ median, min, max });
    const stitching = {
      orders: 100000,
      transactions: 283039,
      matcher: { precision: 0.9997, recall: 0.9957, wrong: 30, perCase: {} },
      naiveBaseline: { precision: 0.87, recall: 0.2205, wrong: 2600, perCase: {} },
      performance: {
        stitchMsFirstRun: 1500,
        stitchMsMedianOf3: 1300,
        peakRssMb: 1100,
        wholeProcess: {
          runs: 5,
          npxMs: spread(2600, 2490, 2680),
          nodeBinMs: spread(2050, 2000, 2150),
          parseOnlyMs: spread(1150, 1100, 1210),
          npxToParseOnly: 2.26,
        },
      },
    };
    const markdown = renderMarkdown(document([record('stitching', stitching)]));
    expect(markdown).toContain(
      'Whole process, median of 5 alternating rounds: `npx stitch-sandbox stitch FILE` 2,600 ms (2,490–2,680), ' +
        '`node bin/stitch-sandbox.mjs stitch FILE` 2,050 ms (2,000–2,150); the peer that only reads and parses the file ' +
        '1,150 ms (1,100–1,210): npx takes 2.26× the peer.',
    );
  });
});

describe('renderMarkdown for the load and memory suites', () => {
  it('shows the mixed load per target with errors and 5xx', () => {
    const load = {
      connections: 200,
      durationSec: 60.1,
      requests: 600000,
      requestsPerSec: 9984,
      errors: 0,
      server5xx: 0,
      perVendor: [
        {
          vendor: 'atomic',
          connections: 100,
          requests: 300000,
          requestsPerSec: 4992,
          latencyMs: { p50: 18, p99: 60 },
          establishedConnectionsMs: { p50: 17, p99: 42, max: 180 },
          connectionRampUpMs: { p50: 300, p99: 900, max: 950 },
          errors: 0,
          server5xx: 0,
        },
      ],
      webhooks: {
        scenarioRuns: { started: 12, completed: 12, failed: 0, webhooks: 400 },
        authorizationsSimulated: 345,
        failedDeliveries: 0,
      },
      platformHealthyAfter: true,
    };
    const markdown = renderMarkdown(document([record('load', load)]));
    expect(markdown).toContain(
      '| atomic | 100 | 300,000 | 4,992 | 18 ms | 60 ms | 42 / 180 ms | 900 / 950 ms | 0 | 0 |',
    );
    expect(markdown).toContain('**0 errors, 0 5xx**');
    expect(markdown).toContain(
      'scenario runs (12 completed, 0 failed, 400 webhooks) and 345 card authorisations',
    );
  });

  it('shows the paced rates, the flood and the saturation pass of the mixed load', () => {
    const pass = (requestsPerSec: number, p99: number) => ({
      connections: 200,
      durationSec: 60,
      requests: requestsPerSec * 60,
      requestsPerSec,
      errors: 0,
      server5xx: 0,
      perVendor: [
        {
          vendor: 'atelio',
          connections: 100,
          requests: 1,
          requestsPerSec: 1,
          latencyMs: { p50: 1, p99: 1 },
          establishedConnectionsMs: { p50: 3, p99, max: 40 },
          connectionRampUpMs: { p50: 1, p99: 1, max: 1 },
          errors: 0,
          server5xx: 0,
        },
      ],
      flood: { connections: 10, establishedConnectionsMs: { p50: 2, p99: 12, max: 30 } },
      webhooks: { scenarioRuns: {}, authorizationsSimulated: 9000, failedDeliveries: 0 },
      stitcherBacklog: { max: 812, mean: 300 },
    });
    const load = {
      ...pass(1000, 20),
      ratePerClient: 5,
      floodPerSec: 150,
      saturated: pass(2200, 120),
      platformHealthyAfter: true,
    };
    const markdown = renderMarkdown(document([record('load', load)]));
    expect(markdown).toContain(
      "Paced: each client sends 5 requests/s (one short run a second, the clients' runs spread over the second); the flood posts 150 authorisations/s on 10 connections of its own (p99 12 ms, max 30 ms); the stitcher's inbox backlog peaked at 812.",
    );
    expect(markdown).toContain(
      'Saturated (capacity; every client sends again as soon as it is answered): 2,200 requests/s, 0 errors, 0 5xx; established atelio p50 3 ms, p99 120 ms.',
    );
  });

  it('shows the RSS before and after with the growth against the budget', () => {
    const memory = {
      rssMB: { afterFirst10kRequests: 120.4, afterAll: 131.2, growth: 10.8, budget: 50 },
      withinBudget: true,
      requests: { measuredPhase: 1000000, errors: 0, server5xx: 0 },
      webhookDeliveries: { measuredPhase: 100000, failedEvents: 0 },
      bounded: {
        journal: { recorded: 1010000, capacity: 1000 },
        deliveryLog: { size: 1000, capacity: 1000 },
      },
    };
    const markdown = renderMarkdown(document([record('memory', memory)]));
    expect(markdown).toContain('| 120.4 MB | 131.2 MB | **10.8 MB** | 50 MB | yes |');
    expect(markdown).toContain('1,000,000 requests and 100,000 webhook deliveries');
  });
});
