import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanMocks } from '../scripts/mock-duplicates';

/** What both mocks need lives in core/: no run of production code stands in both mocks. */
describe('duplicate-code scan of mock-atomic against mock-atelio (jscpd)', () => {
  const fixture = mkdtempSync(join(tmpdir(), 'mock-duplicates-'));
  afterAll(() => rmSync(fixture, { recursive: true, force: true }));

  it('finds no production code shared by the two mocks', async () => {
    const result = await scanMocks();
    expect(result.files).toBeGreaterThan(50);
    expect(result.crossMock.map((clone) => `${clone.atomic} ~ ${clone.atelio}\n${clone.fragment}`)).toEqual(
      [],
    );
  });

  it('reports a helper written in both mocks, and neither tests nor import lists', async () => {
    const helper = [
      "import { hash, timingSafeEqual } from 'node:crypto';",
      "import type { Clock } from '../../core/clock';",
      "import { Emitter } from '../../core/emitter';",
      '',
      'export function sameCredential(given: string, expected: string): boolean {',
      "  const digest = (value: string) => hash('sha256', value, 'buffer');",
      '  const left = digest(given);',
      '  const right = digest(expected);',
      '  return left.length === right.length && timingSafeEqual(left, right);',
      '}',
      '',
    ].join('\n');
    const importsOnly = helper.split('\n').slice(0, 3).join('\n') + '\nexport const unique = 1;\n';
    for (const mock of ['mock-atomic', 'mock-atelio']) {
      mkdirSync(join(fixture, mock, 'shared'), { recursive: true });
      writeFileSync(join(fixture, mock, 'shared', 'auth.ts'), helper);
      writeFileSync(
        join(fixture, mock, 'shared', 'auth.test.ts'),
        helper.replace('sameCredential', 'inTest'),
      );
      writeFileSync(join(fixture, mock, 'index.ts'), importsOnly.replace('unique', mock.replace('-', '_')));
    }
    const result = await scanMocks(fixture);
    expect(result.crossMock).toHaveLength(1);
    expect(result.crossMock[0]).toMatchObject({
      atomic: expect.stringMatching(/^mock-atomic\/shared\/auth\.ts:/),
      atelio: expect.stringMatching(/^mock-atelio\/shared\/auth\.ts:/),
    });
  });
});
