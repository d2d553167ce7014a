import { createRequire } from 'node:module';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { detectClonesAndStatistic as DetectClonesAndStatistic } from 'jscpd';

/**
 * The duplicate-code scan of the two mocks against each other: whatever both need (the middleware
 * chain, credential hashing, the JSON error response, OpenAPI content helpers, store options) lives
 * in `core/`, so no run of production code should stand in both `mock-atomic/` and `mock-atelio/`.
 * Clones inside one mock are that mock's business and are not reported here.
 *
 * `npm run scan:duplicates` prints the figures; `test/mock-duplicates.test.ts` fails on any
 * cross-mock clone.
 */

// jscpd's ES module build cannot resolve one of its own imports (colors/safe) on Node 20; its
// CommonJS build can.
const { detectClonesAndStatistic } = createRequire(import.meta.url)('jscpd') as {
  detectClonesAndStatistic: typeof DetectClonesAndStatistic;
};

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MOCKS = ['mock-atomic', 'mock-atelio'] as const;

/**
 * Lower than jscpd's defaults (5 lines, 50 tokens) so that a small helper written twice — a
 * four-line response helper, a ten-line hash comparison — is caught. `weak` skips comments, so
 * two doc comments saying the same thing are not a clone.
 */
export const SCAN_OPTIONS = { minLines: 3, minTokens: 25, mode: 'weak' } as const;

export interface CrossMockClone {
  lines: number;
  atomic: string;
  atelio: string;
  fragment: string;
}

export interface ScanResult {
  files: number;
  lines: number;
  /** Every clone jscpd found, within one mock or across both. */
  clones: number;
  crossMock: CrossMockClone[];
}

const mockOf = (file: string) => MOCKS.find((mock) => file.startsWith(`${mock}/`));
/** Import lists of the same core modules are not logic. */
const onlyImports = (fragment: string) =>
  fragment
    .split('\n')
    .every((line) => /^\s*(import\b|export\s+\{[^}]*\}\s+from\b|\}\s+from\s|[\w\s,{}]*,?\s*$)/.test(line));

export async function scanMocks(root = ROOT): Promise<ScanResult> {
  const { clones, statistic } = await detectClonesAndStatistic({
    path: MOCKS.map((mock) => `${root}/${mock}`),
    pattern: '**/*.ts',
    // Tests and their helpers may repeat each other; production code may not.
    ignore: ['**/*.test.ts', '**/testing.ts'],
    format: ['typescript'],
    ...SCAN_OPTIONS,
    silent: true,
    reporters: [],
    gitignore: false,
  });
  const crossMock: CrossMockClone[] = [];
  for (const clone of clones) {
    const a = relative(root, clone.duplicationA.sourceId);
    const b = relative(root, clone.duplicationB.sourceId);
    const [mockA, mockB] = [mockOf(a), mockOf(b)];
    if (!mockA || !mockB || mockA === mockB) continue;
    const fragment = clone.duplicationA.fragment ?? '';
    if (onlyImports(fragment)) continue;
    const at = (file: string, d: typeof clone.duplicationA) => `${file}:${d.start.line}-${d.end.line}`;
    const [atomic, atelio] =
      mockA === 'mock-atomic'
        ? [at(a, clone.duplicationA), at(b, clone.duplicationB)]
        : [at(b, clone.duplicationB), at(a, clone.duplicationA)];
    crossMock.push({
      lines: clone.duplicationA.end.line - clone.duplicationA.start.line + 1,
      atomic,
      atelio,
      fragment,
    });
  }
  return {
    files: statistic.total.sources,
    lines: statistic.total.lines,
    clones: clones.length,
    crossMock,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await scanMocks();
  console.log(
    `jscpd (min ${SCAN_OPTIONS.minLines} lines, ${SCAN_OPTIONS.minTokens} tokens, ${SCAN_OPTIONS.mode} mode) over ` +
      `${MOCKS.join(' and ')}: ${result.files} files, ${result.lines} lines, ${result.clones} clones, ` +
      `${result.crossMock.length} shared by both mocks`,
  );
  for (const clone of result.crossMock)
    console.log(`  ${clone.lines} lines: ${clone.atomic} ~ ${clone.atelio}`);
  process.exitCode = result.crossMock.length === 0 ? 0 : 1;
}
