/**
 * The human-readable verification report `verify-pact` prints: one block per interaction with its
 * states and what went wrong, the provider states the mock knows when the pact used others, and a
 * one-line verdict.
 */
import { formatState } from '../pact-file';
import type { InteractionOutcome, VerificationReport } from './verify';
import type { StateDescription } from './states/types';

const LABEL: Record<InteractionOutcome['status'], string> = {
  passed: '[passed]      ',
  failed: '[FAILED]      ',
  'not-verified': '[not verified]',
};

const KIND: Record<InteractionOutcome['kind'], string> = {
  http: 'HTTP',
  message: 'message',
  'synchronous-message': 'synchronous message',
};

/** A refused request usually means the pact was recorded with other credentials than the sandbox's. */
function hints(outcome: InteractionOutcome, report: VerificationReport): string[] {
  if (outcome.kind !== 'http' || !outcome.problems.some((p) => /\b(401|403)\b/.test(p))) return [];
  const headers = report.provider === 'atomic' ? 'x-api-key / x-api-secret' : 'Identity / Authorization';
  return [
    `hint: the mock refused the credentials in the pact; record ${headers} with the sandbox values, ` +
      'or run again with --replace-credentials',
  ];
}

function describeKnownState(state: StateDescription): string[] {
  const extras = [
    Object.keys(state.optionalParams).length > 0
      ? `optional: ${Object.entries(state.optionalParams)
          .map(([name, meaning]) => `${name}: ${meaning}`)
          .join('; ')}`
      : '',
    state.provides.length > 0 ? `provides for fromProviderState: ${state.provides.join(', ')}` : '',
  ].filter(Boolean);
  return [`  "${state.name}"`, `      ${state.summary}`, ...extras.map((line) => `      ${line}`)];
}

export function formatReport(report: VerificationReport): string {
  const lines: string[] = [
    `Pact verification: consumer "${report.consumer}" against the ${report.provider} mock`,
    `  pact: ${report.pactFile}`,
    '',
  ];
  for (const outcome of report.outcomes) {
    lines.push(`${LABEL[outcome.status]} ${outcome.description} (${KIND[outcome.kind]})`);
    for (const state of outcome.states) lines.push(`      given ${formatState(state)}`);
    for (const problem of [...outcome.problems, ...hints(outcome, report)]) lines.push(`      ${problem}`);
  }
  if (report.unknownStates.length > 0) {
    lines.push(
      '',
      `The ${report.provider} mock does not know these provider states: ${report.unknownStates.map((s) => `"${s}"`).join(', ')}.`,
      'Name one of the states it knows (exactly, with the parameters in braces), or leave the state out to run',
      'against the seeded baseline:',
      ...report.knownStates.flatMap(describeKnownState),
    );
  }
  const count = (status: InteractionOutcome['status']) =>
    report.outcomes.filter((o) => o.status === status).length;
  const total = report.outcomes.length;
  lines.push(
    '',
    `${total} interaction${total === 1 ? '' : 's'}: ${count('passed')} passed, ${count('failed')} failed, ` +
      `${count('not-verified')} not verified → ${report.passed ? 'VERIFIED' : 'NOT VERIFIED'}`,
  );
  return `${lines.join('\n')}\n`;
}
