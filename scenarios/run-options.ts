import { resolve } from 'node:path';
import { z } from 'zod';
import { ChaosRuleInputSchema, type ChaosRuleInput } from '../core/webhooks';
import type { Scenario } from './loader';

/** A run's options: what `start` accepts, and how they are filled in and checked. */

export type RunSpeed = 'instant' | number;

/** What `start` accepts (the control plane passes its JSON body through). */
export const RunOptionsSchema = z
  .object({
    seed: z.number().int().min(0).max(0xffffffff).optional(),
    /** `instant`, or N × real time (1 = real time). */
    speed: z.union([z.literal('instant'), z.number().positive().max(1_000_000)]).optional(),
    /** The user: Atomic `identifier` (and Atelio `customer_id`). Visible ASCII, no spaces. */
    identifier: z
      .string()
      .regex(/^[\x21-\x7e]{1,200}$/, 'identifier must be 1-200 visible ASCII characters (no spaces)')
      .optional(),
    /** When the run's timeline starts: ISO date-time or epoch ms. Default: now. */
    startTime: z.union([z.iso.datetime({ offset: true }), z.number().int().min(0)]).optional(),
    /** Write every webhook attempt to this NDJSON file. */
    record: z.string().min(1).optional(),
    /** Delivery chaos rules for the whole run; each touches only the run's user unless it names one. */
    chaos: z.array(ChaosRuleInputSchema).max(20).optional(),
  })
  .strict();

export type RunOptions = z.input<typeof RunOptionsSchema>;

export interface ResolvedRunOptions {
  seed: number;
  speed: RunSpeed;
  identifier: string;
  startTime: string;
  record?: string;
  chaos?: ChaosRuleInput[];
}

/** `start` refused its input (unknown scenario, bad option, identifier in use). */
export class RunOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunOptionsError';
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** What the platform says about identifiers and defaults when a run's options are resolved. */
export interface RunOptionsContext {
  /** The seed when the options give none: the platform's. */
  defaultSeed: number;
  /** The platform clock's now, in ms: a run starts then unless the options say otherwise. */
  nowMs: number;
  /** Identifiers of runs still running. */
  busy: ReadonlySet<string>;
  /** Whether either vendor already holds data for this identifier. */
  hasData: (identifier: string) => boolean;
}

/**
 * Fills in a run's options: the seed, the start time (whole seconds), and the identifier, which
 * must be free — a fresh one is derived from the scenario and the seed when none is given.
 */
export function resolveRunOptions(
  scenario: Scenario,
  given: z.output<typeof RunOptionsSchema>,
  context: RunOptionsContext,
): ResolvedRunOptions {
  const seed = given.seed ?? context.defaultSeed;
  const startMs =
    given.startTime === undefined
      ? Math.floor(context.nowMs / 1000) * 1000
      : typeof given.startTime === 'number'
        ? given.startTime
        : Date.parse(given.startTime);
  const busy = context.busy;
  const taken = (identifier: string) => busy.has(identifier) || context.hasData(identifier);
  let identifier = given.identifier;
  if (identifier === undefined) {
    // A fresh user per run by default: ids are seeded by the identifier too, so two runs of one
    // seed never collide.
    const base = `${scenario.name}-${seed}`;
    identifier = base;
    for (let n = 2; taken(identifier); n++) identifier = `${base}-${n}`;
  } else if (busy.has(identifier)) {
    throw new RunOptionsError(
      `identifier ${identifier} is in use by a running run; runs need their own identifier`,
    );
  } else if (taken(identifier)) {
    throw new RunOptionsError(
      `identifier ${identifier} already has data on this platform (an Atomic user or Atelio customer); ` +
        'use another identifier, or reset the platform to replay a run byte for byte',
    );
  }
  return {
    seed,
    speed: given.speed ?? 'instant',
    identifier,
    startTime: iso(startMs),
    ...(given.record === undefined ? {} : { record: resolve(given.record) }),
    ...(given.chaos === undefined ? {} : { chaos: given.chaos }),
  };
}
