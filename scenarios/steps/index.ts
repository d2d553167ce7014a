import { ATELIO_STEPS } from './atelio';
import { ATOMIC_STEPS } from './atomic';
import { RUN_STEPS } from './run';
import type { StepDefinition } from './types';

/** Every step type a scenario file may use, by name. */
export const STEP_DEFINITIONS: readonly StepDefinition[] = [...ATOMIC_STEPS, ...ATELIO_STEPS, ...RUN_STEPS];

export const STEP_REGISTRY: ReadonlyMap<string, StepDefinition> = new Map(
  STEP_DEFINITIONS.map((definition) => [definition.type, definition]),
);

export const STEP_TYPES: readonly string[] = STEP_DEFINITIONS.map((d) => d.type);

export { MERCHANT_PRESETS } from './atelio';
export type { StepContext, StepDefinition, StepResult } from './types';
export { StepFailure } from './types';
