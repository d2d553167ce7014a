import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { providerStates, PROVIDERS } from './provider/mock-provider';

const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');

describe('contracts/README.md', () => {
  for (const provider of PROVIDERS) {
    it(`lists every provider state of the ${provider} mock, with its exact name`, () => {
      const missing = providerStates(provider)
        .map((s) => s.name)
        .filter((name) => !readme.includes(`\`${name}\``));
      expect(missing).toEqual([]);
    });
  }
});
