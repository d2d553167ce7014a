import { z } from 'zod';
import { DURATION_HINT, parseDuration } from './duration';
import { STEP_DEFINITIONS } from './steps';

/**
 * The scenario file format, one zod schema for the whole file. Each step type contributes its own
 * fields (from the step registry), so a misspelt or mistyped field is reported against that step
 * type. Values may be `${step.field}` references; the loader tells those apart from real mistakes,
 * and the runner checks the resolved values against the same step schemas before each step runs.
 */

export const SCENARIO_FORMAT_VERSION = 1;

/** Fields every step has; a step type's own fields may not reuse these names. */
export const BASE_STEP_FIELDS = ['name', 'type', 'at', 'after', 'note'] as const;

export const StepNameSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,62}$/,
    'step names are lower-case letters, digits and "-", starting with a letter (at most 63)',
  );

export const ScenarioNameSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,62}$/,
    'scenario names are lower-case letters, digits and "-", starting with a letter',
  );

/** A non-negative relative time such as `+1d2h`. */
export const OffsetSchema = z
  .string()
  .refine((value) => (parseDuration(value) ?? -1) >= 0, { error: `must be ${DURATION_HINT}` });

const baseFields = {
  name: StepNameSchema,
  /** When, counted from the run's start. */
  at: OffsetSchema.optional(),
  /** When, counted from the end of the previous step (default: right after it). */
  after: OffsetSchema.optional(),
  /** Shown in timelines; for people reading the file. */
  note: z.string().max(500).optional(),
};

for (const definition of STEP_DEFINITIONS)
  for (const field of Object.keys(definition.params.shape))
    if ((BASE_STEP_FIELDS as readonly string[]).includes(field))
      throw new Error(`step type ${definition.type} may not define a field named ${field}`);

/** One step: the shared fields plus exactly the fields of its type. */
export const StepSchema = z.discriminatedUnion(
  'type',
  STEP_DEFINITIONS.map((definition) =>
    z.object({ ...baseFields, type: z.literal(definition.type), ...definition.params.shape }).strict(),
  ) as unknown as [z.ZodObject, ...z.ZodObject[]],
);

/**
 * A block of steps played once per index: for `from`..`to`, each inner step `x` becomes `x-<index>`,
 * `${repeat.index}` / `${repeat.previous}` are replaced by the numbers, and `${x.…}` inside the block
 * means this iteration's `x`. Iteration `i` starts at `at + (i - from) × every`; inner `at` counts
 * from the iteration's start.
 */
export const BlockSchema = z
  .object({
    repeat: z
      .object({
        from: z.number().int().min(0).max(10_000).optional(),
        to: z.number().int().min(0).max(10_000),
        every: OffsetSchema.refine((value) => (parseDuration(value) ?? 0) > 0, {
          error: 'every must be longer than zero',
        }),
        at: OffsetSchema,
      })
      .strict(),
    note: z.string().max(500).optional(),
    steps: z.array(StepSchema).min(1).max(50),
  })
  .strict();

export const ScenarioFileSchema = z
  .object({
    version: z.literal(SCENARIO_FORMAT_VERSION, {
      error: `version must be ${SCENARIO_FORMAT_VERSION} (the only scenario format so far)`,
    }),
    name: ScenarioNameSchema,
    description: z.string().min(1).max(2000),
    steps: z
      .array(z.union([BlockSchema, StepSchema]))
      .min(1)
      .max(5000),
  })
  .strict();

/** A step as validated: the shared fields typed, its own fields checked by its type's schema. */
export interface StepEntry {
  name: string;
  type: string;
  at?: string | undefined;
  after?: string | undefined;
  note?: string | undefined;
  [field: string]: unknown;
}

export interface BlockEntry {
  repeat: { from?: number | undefined; to: number; every: string; at: string };
  note?: string | undefined;
  steps: StepEntry[];
}

export interface ScenarioFile {
  version: typeof SCENARIO_FORMAT_VERSION;
  name: string;
  description: string;
  steps: (StepEntry | BlockEntry)[];
}
