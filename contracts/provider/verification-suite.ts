/**
 * A vitest suite verifying one committed pact against its mock: a single Pact run before the tests,
 * then one test per interaction, so a broken shape is reported under the interaction it breaks.
 */
import { beforeAll, expect, it } from 'vitest';
import { committedPactPath, readPact } from '../pact-file';
import type { ProviderName } from './mock-provider';
import { verifyPact } from './verify';
import type { VerificationReport } from './verify';

export function verifyCommittedPact(provider: ProviderName): void {
  const pactFile = committedPactPath(provider);
  const pact = readPact(pactFile);
  let report: VerificationReport;
  beforeAll(async () => {
    report = await verifyPact({ pactFile });
  });

  it(`the pact names the ${provider} mock and has interactions`, () => {
    expect(pact.provider).toBe(provider);
    expect(pact.interactions.length).toBeGreaterThan(0);
    expect(report.unknownStates).toEqual([]);
  });

  for (const interaction of pact.interactions) {
    const kind = interaction.kind === 'http' ? 'HTTP' : 'message';
    it(`${kind}: ${interaction.description}`, () => {
      const outcome = report.outcomes.find((o) => o.description === interaction.description);
      expect(outcome?.problems).toEqual([]);
      expect(outcome?.status).toBe('passed');
    });
  }
}
