/**
 * One consumer contract (stitcher → atomic, stitcher → atelio) as a vitest suite: each interaction is
 * a test that drives the stitcher's real code against Pact, and the suite ends by comparing the
 * regenerated pact with the committed one. The pact is written to a scratch directory first, so a
 * run never merges into (and so never hides a removal from) the committed file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PactV4 } from '@pact-foundation/pact';
import { afterAll, expect, it } from 'vitest';
import { committedPactPath, CONSUMER, pactFileName } from '../pact-file';
import { checkAgainstCommitted } from './committed';

export interface ConsumerContract {
  pact: PactV4;
  /** Declares one interaction test; `body` must run a Pact interaction to completion. */
  interaction(name: string, body: () => Promise<unknown>): void;
  /** Declares the final test: the regenerated pact must equal the committed one. */
  matchesCommittedPact(): void;
}

export function consumerContract(provider: 'atomic' | 'atelio'): ConsumerContract {
  const dir = mkdtempSync(join(tmpdir(), `stitcher-${provider}-pact-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const pact = new PactV4({ consumer: CONSUMER, provider, dir, logLevel: 'error' });
  const declared: string[] = [];
  const passed = new Set<string>();

  return {
    pact,
    interaction(name, body) {
      declared.push(name);
      it(name, async () => {
        await body();
        passed.add(name);
      });
    },
    matchesCommittedPact() {
      const committed = committedPactPath(provider);
      it(`contracts/pacts/${pactFileName(CONSUMER, provider)} is the pact these tests generate, committed`, () => {
        // A partial pact (a filtered run, a failing interaction) must never replace the reviewed one.
        const missing = declared.filter((name) => !passed.has(name));
        expect(missing, 'interaction tests that did not pass in this run; the pact was not compared').toEqual(
          [],
        );
        const result = checkAgainstCommitted(join(dir, pactFileName(CONSUMER, provider)), committed);
        if (!result.ok) expect.fail(result.message);
      });
    },
  };
}
