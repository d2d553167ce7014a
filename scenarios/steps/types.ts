import type { z } from 'zod';
import type { SeededRandom } from '../../core/random';
import type { ChaosRule, ChaosRuleInput } from '../../core/webhooks';
import type { AtelioStore } from '../../mock-atelio';
import type { AtomicStore } from '../../mock-atomic';
import type { GroundTruthRecorder } from '../ground-truth';

/** What a step's code can use while it runs. */
export interface StepContext {
  /** The Atomic store, creating ids and data from this step's seeded generator. */
  atomic: AtomicStore;
  atelio: AtelioStore;
  /** Seeded by the run and the step's name: ids and generated data of this step come from here. */
  random: SeededRandom;
  /** The run's user: Atomic `identifier`, and Atelio `customer_id` in cross-vendor scenarios. */
  identifier: string;
  stepName: string;
  /** The run's virtual time now (ms). */
  now(): number;
  /** Waits for work that plays out on the run's clock (a task running), driving the clock meanwhile. */
  waitFor<T>(work: Promise<T>): Promise<T>;
  truth: GroundTruthRecorder;
  /**
   * Delivery chaos for the rest of the run: rules added here touch only this run's user unless they
   * name another, and are removed when the run ends.
   */
  chaos: { add(rule: ChaosRuleInput): ChaosRule; clear(): number };
}

/** A step's result: plain JSON, shown in the run's timeline and referable as `${step.field}`. */
export type StepResult = Record<string, unknown>;

export interface StepDefinition<Params extends z.ZodObject = z.ZodObject> {
  type: string;
  /** Which mock it drives (`run` for time and checks). */
  vendor: 'atomic' | 'atelio' | 'run';
  /** One line for `scenario list` and the README. */
  summary: string;
  /** The step's own fields (beside name/type/at/after/repeat/note), concrete values only. */
  params: Params;
  /** What the result holds, for the README and error messages. */
  resultFields: readonly string[];
  run(context: StepContext, params: z.infer<Params>): Promise<StepResult> | StepResult;
}

/** Keeps the params type attached to `run` while the registry holds mixed definitions. */
export function defineStep<Params extends z.ZodObject>(definition: StepDefinition<Params>): StepDefinition {
  return definition as unknown as StepDefinition;
}

/** A store refused what a step asked for; the message says why in the store's words. */
export class StepFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepFailure';
  }
}
