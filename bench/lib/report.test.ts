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
      document([record('memory', { rssGrowthMB: 12.345, goalMet: true, detail: {} })]),
    );
    expect(markdown).toContain('- rssGrowthMB: 12.35');
    expect(markdown).toContain('- goalMet: true');
    expect(markdown).not.toContain('detail');
  });
});
