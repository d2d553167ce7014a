import fc from 'fast-check';
import type { EnvelopeKind } from './envelopes';
import { requestArbitrary, type FuzzRequest, type RequestSpace } from './requests';
import { answerProblem, describeRequest, sendInProcess, type Answer, type InProcessApp } from './transport';

/** Fixed so a run is reproducible; fast-check prints the seed and the shrunk case on failure. */
export const FUZZ_SEED = 20_251_121;

export interface FuzzTally {
  cases: number;
  byStatus: Map<number, number>;
}

/**
 * Throws `numRuns` generated requests at an app in-process. Each one must answer below 500 and,
 * when it is an error, in the app's envelope. Returns the status histogram so tests can also check
 * that the generator got past authentication and validation (a fuzzer that only ever earns 401s
 * proves little).
 */
export async function fuzzInProcess(
  kind: EnvelopeKind,
  app: InProcessApp,
  space: RequestSpace | fc.Arbitrary<FuzzRequest>,
  numRuns: number,
  /** Recording hook: sees every request and its whole answer (successful bodies included). */
  onAnswer?: (request: FuzzRequest, answer: Answer) => void,
): Promise<FuzzTally> {
  const tally: FuzzTally = { cases: 0, byStatus: new Map() };
  const requests = space instanceof fc.Arbitrary ? space : requestArbitrary(space);
  await fc.assert(
    fc.asyncProperty(requests, async (request) => {
      const answer = await sendInProcess(app, request, { wholeBody: onAnswer !== undefined });
      if (!answer) return;
      onAnswer?.(request, answer);
      tally.cases++;
      tally.byStatus.set(answer.status, (tally.byStatus.get(answer.status) ?? 0) + 1);
      const problem = answerProblem(kind, request, answer);
      if (problem) throw new Error(`${describeRequest(request)} → ${problem}`);
    }),
    { numRuns, seed: FUZZ_SEED },
  );
  return tally;
}

export const countWhere = (tally: FuzzTally, predicate: (status: number) => boolean): number =>
  [...tally.byStatus].filter(([status]) => predicate(status)).reduce((n, [, count]) => n + count, 0);
