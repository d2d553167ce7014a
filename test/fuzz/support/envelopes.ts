import { z } from 'zod';

/**
 * The error bodies each server promises, written here independently of the servers' own schemas so
 * the fuzz suite is an outside check: Atomic `{code, message}` (code = status × 100 + n, `errors[]`
 * only on 422), Atelio `{Message, Status, Code, Type}`, control plane `{error: {code, message}}`.
 */

const FieldProblem = z.object({ path: z.string(), message: z.string() }).strict();

export const ENVELOPES = {
  atomic: z
    .object({ code: z.number().int(), message: z.string().min(1), errors: z.array(FieldProblem).optional() })
    .strict(),
  atelio: z
    .object({
      Message: z.string().min(1),
      Status: z.number().int(),
      Code: z.string().regex(/^[a-z][a-z0-9_]*$/),
      Type: z.enum(['Request Error', 'Process Error', 'Server Error']),
    })
    .strict(),
  control: z
    .object({
      error: z
        .object({
          code: z.string().regex(/^[a-z][a-z0-9_]*$/),
          message: z.string().min(1),
          details: z.array(FieldProblem).optional(),
        })
        .strict(),
    })
    .strict(),
} as const;

export type EnvelopeKind = keyof typeof ENVELOPES;

/**
 * What is wrong with an error answer, or undefined when it is a proper envelope for its status.
 * Reads the body text given (so callers can report it).
 */
export function envelopeProblem(
  kind: EnvelopeKind,
  status: number,
  contentType: string | null,
  text: string,
): string | undefined {
  if (!contentType?.startsWith('application/json'))
    return `content-type is ${contentType ?? 'missing'}, not application/json`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'body is not JSON';
  }
  const parsed = ENVELOPES[kind].safeParse(body);
  if (!parsed.success)
    return `body is not the ${kind} envelope: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
  if (kind === 'atomic') {
    const { code, errors } = parsed.data as z.infer<(typeof ENVELOPES)['atomic']>;
    if (Math.floor(code / 100) !== status) return `code ${code} does not belong to status ${status}`;
    if (errors !== undefined && status !== 422) return `errors[] on a ${status}`;
  }
  if (kind === 'atelio') {
    const { Status } = parsed.data as z.infer<(typeof ENVELOPES)['atelio']>;
    if (Status !== status) return `Status ${Status} differs from the HTTP status ${status}`;
  }
  return undefined;
}
