import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The folder boundaries live in eslint.config.js (`no-restricted-imports` per folder). These lint
 * fixture sources as if they sat in a given folder, with the repository's own configuration: a
 * deliberate cross-boundary import must fail the lint, and the allowed form of it must pass.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function restrictedImports(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: `${root}${filePath}` });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('folder boundaries (eslint no-restricted-imports)', () => {
  it('refuses a mock importing the other mock', async () => {
    const fromAtomic = await restrictedImports(
      'mock-atomic/fixture.ts',
      "import { createAtelioStore } from '../mock-atelio';\nexport const make = createAtelioStore;\n",
    );
    expect(fromAtomic).toHaveLength(1);
    expect(fromAtomic[0]).toContain('never the other mock');
    const fromAtelioTest = await restrictedImports(
      'mock-atelio/store/fixture.test.ts',
      "import type { AtomicStore } from '../../mock-atomic/store/store';\nexport type S = AtomicStore;\n",
    );
    expect(fromAtelioTest).toHaveLength(1);
  });

  it('refuses the stitcher importing anything of the platform, tests included', async () => {
    for (const target of [
      '../core/clock',
      '../mock-atomic',
      '../../mock-atelio',
      '../scenarios',
      '../control/platform',
    ]) {
      const messages = await restrictedImports(
        'stitcher/clients/fixture.test.ts',
        `import * as platform from '${target}';\nexport const p = platform;\n`,
      );
      expect(messages, target).toHaveLength(1);
      expect(messages[0]).toContain('imports nothing of the platform');
    }
  });

  it('refuses reaching into a mock from outside it, and accepts its index', async () => {
    const deep = await restrictedImports(
      'scenarios/steps/fixture.ts',
      "import { CONNECTION_STATUSES } from '../../mock-atomic/pay-link/schema';\nexport const s = CONNECTION_STATUSES;\n",
    );
    expect(deep).toHaveLength(1);
    expect(deep[0]).toContain('through its index.ts');
    const viaIndex = await restrictedImports(
      'scenarios/steps/fixture.ts',
      "import { CONNECTION_STATUSES } from '../../mock-atomic';\nexport const s = CONNECTION_STATUSES;\n",
    );
    expect(viaIndex).toEqual([]);
  });

  it('lets a mock import core and its own modules', async () => {
    const messages = await restrictedImports(
      'mock-atelio/store/fixture.ts',
      "import { Emitter } from '../../core/emitter';\nimport { AtelioContext } from './context';\nexport const x = [Emitter, AtelioContext];\n",
    );
    expect(messages).toEqual([]);
  });
});
