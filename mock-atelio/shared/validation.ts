import type { z } from '@hono/zod-openapi';
import { type AtelioStoreError, invalidRequest } from '../store/errors';

/**
 * Turns zod issues into one readable sentence for the envelope's `Message`, naming each field:
 * "Invalid request body: amount: amount must be a decimal string …; mcc: …".
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const parts = issues.slice(0, 10).map((issue) => {
    const path = issue.path.map(String).join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  if (issues.length > 10) parts.push(`and ${issues.length - 10} more`);
  return parts.join('; ');
}

const TARGET_NAMES: Record<string, string> = {
  json: 'request body',
  query: 'query parameters',
  param: 'path parameters',
  header: 'headers',
};

export function validationError(issues: readonly z.core.$ZodIssue[], target?: string): AtelioStoreError {
  const where = target ? (TARGET_NAMES[target] ?? target) : 'request';
  return invalidRequest(`Invalid ${where}: ${describeIssues(issues)}`);
}

/** Parses with a schema or throws the same 400 the HTTP layer would give. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, target?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error.issues, target);
  return result.data;
}
