import { resolve } from 'node:path';
import { z } from 'zod';
import { VirtualClock, type ScopedClock } from '../core/clock';
import { Emitter } from '../core/emitter';
import { createRandom } from '../core/random';
import { runInContext, type RunContext, type RunWebhook } from '../core/run-context';
import { ChaosRuleInputSchema, type ChaosRuleInput, type DeliveryEngine } from '../core/webhooks';
import type { AtelioStore } from '../mock-atelio';
import type { AtomicStore } from '../mock-atomic';
import { formatDuration } from './duration';
import { GroundTruthRecorder, type GroundTruth } from './ground-truth';
import {
  BUILTIN_SCENARIO_DIR,
  SCENARIO_FILE_EXTENSIONS,
  UnknownScenarioError,
  listScenarioFiles,
  loadScenarioFile,
  type Scenario,
  type ScenarioStep,
} from './loader';
import { RecordingWriter } from './recording';
import { STEP_REGISTRY, StepFailure, type StepContext, type StepResult } from './steps';
import { TemplateError, resolveTemplates } from './templates';

/**
 * Runs scenarios against the platform's stores. Each run has its own VirtualClock starting at the
 * run's `startTime` and executes inside `ScopedClock.runWith(runClock, …)` and a run context, so
 * every timestamp, webhook time and retry it causes lands on its own timeline and every id it
 * creates comes from a generator seeded by its inputs: the same name, seed, identifier and start
 * time give the same API data and webhook bodies byte for byte. Runs for different identifiers
 * can go on at once.
 */

export type RunSpeed = 'instant' | number;
export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled';

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

/** A webhook a step caused: its delivery event id (null when nobody subscribes), vendor, type, targets. */
export type TimelineWebhook = RunWebhook;

export interface TimelineEntry {
  step: string;
  type: string;
  /** Virtual time the step started. */
  at: string;
  /** Offset from the run's start, e.g. `+1d6h`. */
  offset: string;
  status: 'running' | 'completed' | 'failed';
  note?: string;
  result?: StepResult;
  error?: string;
  webhooks: TimelineWebhook[];
}

export interface RunView {
  id: string;
  name: string;
  status: RunStatus;
  options: ResolvedRunOptions;
  /** Real time the run was started. */
  startedAt: string;
  finishedAt?: string;
  /** The run's virtual time now. */
  virtualNow: string;
  /** Steps in the scenario (the timeline grows as they run). */
  stepCount: number;
  timeline: TimelineEntry[];
  webhookCount: number;
  error?: { step?: string; message: string };
  /** Which order became which card transaction (orders and card transactions created in the run). */
  groundTruth?: GroundTruth;
  recording?: { file: string; attempts: number; warning?: string };
}

export interface Run {
  readonly id: string;
  readonly name: string;
  readonly status: RunStatus;
  readonly options: ResolvedRunOptions;
  /** Resolves with the final view once the run has completed, failed or been cancelled. */
  readonly done: Promise<RunView>;
  toJSON(): RunView;
  /** Stops after the current step; what it already caused is still delivered. */
  cancel(): Promise<RunView>;
}

export type ScenarioRunnerEvents = {
  'run-started': { runId: string; name: string; options: ResolvedRunOptions };
  'step-started': { runId: string; step: string; type: string; at: string };
  'step-completed': { runId: string; step: string; type: string; at: string; result: StepResult };
  webhook: { runId: string; step: string } & TimelineWebhook;
  'run-completed': { runId: string; run: RunView };
  'run-failed': { runId: string; error: { step?: string; message: string }; run: RunView };
};

export interface ScenarioSummary {
  name: string;
  description: string;
  file: string;
  vendors: ('atomic' | 'atelio')[];
  steps: { name: string; type: string; at?: string; after?: string; note?: string }[];
  /** Set when the file cannot be used; `load` gives the details. */
  error?: string;
}

export interface ScenarioRunnerDeps {
  atomic: AtomicStore;
  atelio: AtelioStore;
  engine: DeliveryEngine;
  clock: ScopedClock;
  /** More folders of scenario files, after the shipped ones (a later file of the same name wins). */
  scenarioDirs?: string[];
  /** Real-time waits for paced runs; default the base clock's sleep. */
  sleep?: (ms: number) => Promise<void>;
  /** Finished runs kept for `get`/`runs` (oldest dropped first). Default 200. */
  keepRuns?: number;
}

export interface ScenarioRunner {
  /** Scenarios available by name, with their steps. */
  list(): ScenarioSummary[];
  /**
   * A scenario by name, or a file path (anything ending in .yaml, .yml or .json). With `namesOnly`
   * (requests from the network) only the names of the shipped and configured folders resolve.
   */
  load(nameOrPath: string, lookup?: ScenarioLookup): Scenario;
  /** Starts a run and returns at once; `run.done` resolves when it ends. Bad input throws here. */
  start(nameOrPath: string, options?: RunOptions, lookup?: ScenarioLookup): Run;
  get(runId: string): Run | undefined;
  /** Runs, newest first. */
  runs(): Run[];
  readonly events: Emitter<ScenarioRunnerEvents>;
  /** Cancels every running run and waits for them to end. */
  cancelAll(): Promise<void>;
}

export interface ScenarioLookup {
  /** Resolve names only, never a file path (default false: the CLI runs files by path). */
  namesOnly?: boolean;
}

/** `start` refused its input (unknown scenario, bad option, identifier in use). */
export class RunOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunOptionsError';
  }
}

class Cancelled extends Error {}

/** How far past its last step a run plays out its clock (deliveries and retries): 4 days. */
const DRAIN_HORIZON_MS = 4 * 86_400_000;
/** At most this much real time between updates of a paced run's clock. */
const MAX_REAL_WAIT_MS = 250;

const iso = (ms: number) => new Date(ms).toISOString();

export function createScenarioRunner(deps: ScenarioRunnerDeps): ScenarioRunner {
  return new Runner(deps);
}

class Runner implements ScenarioRunner {
  readonly events = new Emitter<ScenarioRunnerEvents>();
  private readonly dirs: string[];
  private readonly all = new Map<string, ScenarioRun>();
  private counter = 0;

  constructor(private readonly deps: ScenarioRunnerDeps) {
    this.dirs = [BUILTIN_SCENARIO_DIR, ...(deps.scenarioDirs ?? []).map((d) => resolve(d))];
  }

  list(): ScenarioSummary[] {
    return [...listScenarioFiles(this.dirs).values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((listing) => {
        const s = listing.scenario;
        return {
          name: listing.name,
          description: s?.description ?? '',
          file: listing.file,
          vendors: s?.vendors ?? [],
          steps: (s?.steps ?? []).map((step) => ({
            name: step.name,
            type: step.type,
            [step.timing.kind]: formatDuration(step.timing.ms),
            ...(step.note === undefined ? {} : { note: step.note }),
          })),
          ...(listing.error === undefined ? {} : { error: listing.error }),
        };
      });
  }

  load(nameOrPath: string, lookup: ScenarioLookup = {}): Scenario {
    const isPath = (SCENARIO_FILE_EXTENSIONS as readonly string[]).some((ext) =>
      nameOrPath.toLowerCase().endsWith(ext),
    );
    if (isPath && !lookup.namesOnly) return loadScenarioFile(nameOrPath);
    const listings = listScenarioFiles(this.dirs);
    const listing = listings.get(nameOrPath);
    if (!listing) throw new UnknownScenarioError(nameOrPath, [...listings.keys()].sort());
    if (listing.scenario) return listing.scenario;
    // Re-read to throw the file's own error with its details.
    return loadScenarioFile(listing.file);
  }

  start(nameOrPath: string, input: RunOptions = {}, lookup: ScenarioLookup = {}): Run {
    const scenario = this.load(nameOrPath, lookup);
    const parsed = RunOptionsSchema.safeParse(input);
    if (!parsed.success)
      throw new RunOptionsError(
        `invalid run options: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ')}`,
      );
    const options = this.resolveOptions(scenario, parsed.data);
    const id = `run-${++this.counter}`;
    const run = new ScenarioRun(id, scenario, options, this.deps, this.events);
    this.all.set(id, run);
    this.prune();
    run.begin();
    return run;
  }

  get(runId: string): Run | undefined {
    return this.all.get(runId);
  }

  runs(): Run[] {
    return [...this.all.values()].reverse();
  }

  async cancelAll(): Promise<void> {
    await Promise.all([...this.all.values()].filter((r) => r.status === 'running').map((r) => r.cancel()));
  }

  private resolveOptions(scenario: Scenario, given: z.output<typeof RunOptionsSchema>): ResolvedRunOptions {
    const seed = given.seed ?? this.deps.atomic.seed;
    const startMs =
      given.startTime === undefined
        ? Math.floor(this.deps.clock.base.now() / 1000) * 1000
        : typeof given.startTime === 'number'
          ? given.startTime
          : Date.parse(given.startTime);
    const busy = new Set(
      [...this.all.values()].filter((r) => r.status === 'running').map((r) => r.options.identifier),
    );
    const taken = (identifier: string) =>
      busy.has(identifier) ||
      this.deps.atomic.findUser(identifier) !== undefined ||
      this.deps.atelio.getCustomer(identifier) !== undefined;
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

  private prune(): void {
    const keep = this.deps.keepRuns ?? 200;
    for (const [id, run] of this.all) {
      if (this.all.size <= keep) break;
      if (run.status !== 'running') this.all.delete(id);
    }
  }
}

class ScenarioRun implements Run {
  status: RunStatus = 'running';
  readonly done: Promise<RunView>;
  private readonly clock: VirtualClock;
  private readonly startMs: number;
  private readonly startedAt: string;
  private finishedAt: string | undefined;
  private readonly timeline: TimelineEntry[] = [];
  private readonly truth = new GroundTruthRecorder();
  private readonly recorder: RecordingWriter | undefined;
  private webhookCount = 0;
  private publishedWithTargets = 0;
  private error: RunView['error'];
  private cancelRequested = false;
  private wakeCancel: (() => void) | undefined;
  private resolveDone!: (view: RunView) => void;

  constructor(
    readonly id: string,
    private readonly scenario: Scenario,
    readonly options: ResolvedRunOptions,
    private readonly deps: ScenarioRunnerDeps,
    private readonly events: Emitter<ScenarioRunnerEvents>,
  ) {
    this.startMs = Date.parse(options.startTime);
    this.clock = new VirtualClock(this.startMs);
    this.startedAt = iso(deps.clock.base.now());
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.recorder =
      options.record === undefined
        ? undefined
        : new RecordingWriter(
            options.record,
            { scenario: scenario.name, runId: id, options: { ...options } },
            (vendor, targetId, eventType) =>
              vendor === 'atomic'
                ? deps.atomic.webhookTargets(eventType as never).find((t) => t.endpointId === targetId)
                    ?.secret
                : deps.atelio.getWebhookSubscription(targetId)?.secret,
          );
  }

  get name(): string {
    return this.scenario.name;
  }

  begin(): void {
    for (const rule of this.options.chaos ?? []) this.addChaos(rule);
    this.emit('run-started', { runId: this.id, name: this.name, options: this.options });
    const random = createRandom(
      `${this.name}:${this.options.seed}:${this.options.identifier}:${this.startMs}`,
    );
    const eventIds = random.fork('webhook-events');
    const context: RunContext = {
      runId: this.id,
      random,
      nextEventId: () => eventIds.uuid(),
      onWebhook: (webhook) => this.onWebhook(webhook),
      ...(this.recorder ? { onDeliveryAttempt: (r) => this.recorder!.record(r) } : {}),
    };
    // Everything the run does, including timers it schedules, sees its own clock and context.
    const work = this.deps.clock.runWith(this.clock, () => runInContext(context, () => this.execute(random)));
    work.catch((error: unknown) => {
      // Only a fault in the runner itself gets here; the run still ends, as failed.
      this.status = 'failed';
      this.error = {
        message: `the scenario runner failed: ${error instanceof Error ? error.message : String(error)}`,
      };
      this.deps.engine.chaos.clear(this.id);
      this.finishedAt = iso(this.deps.clock.base.now());
      this.recorder?.close(this.status);
      const view = this.toJSON();
      this.emit('run-failed', { runId: this.id, error: this.error, run: view });
      this.resolveDone(view);
    });
  }

  /** A chaos rule of this run: it touches only the run's user unless it names one; gone when the run ends. */
  private addChaos(rule: ChaosRuleInput) {
    return this.deps.engine.chaos.add({ user: this.options.identifier, ...rule }, this.id);
  }

  async cancel(): Promise<RunView> {
    if (this.status === 'running') {
      this.cancelRequested = true;
      this.wakeCancel?.();
    }
    return this.done;
  }

  toJSON(): RunView {
    // Ground truth is about orders becoming card transactions: only runs that drive both vendors.
    const crossVendor = this.scenario.vendors.length === 2;
    const truth = crossVendor && !this.truth.isEmpty ? this.truth.build(this.deps.atelio) : undefined;
    return {
      id: this.id,
      name: this.name,
      status: this.status,
      options: { ...this.options },
      startedAt: this.startedAt,
      ...(this.finishedAt === undefined ? {} : { finishedAt: this.finishedAt }),
      virtualNow: iso(this.clock.now()),
      stepCount: this.scenario.steps.length,
      timeline: structuredClone(this.timeline),
      webhookCount: this.webhookCount,
      ...(this.error === undefined ? {} : { error: { ...this.error } }),
      ...(truth === undefined ? {} : { groundTruth: truth }),
      ...(this.recorder === undefined
        ? {}
        : {
            recording: {
              file: this.recorder.file,
              attempts: this.recorder.attemptCount,
              ...(this.recorder.attemptCount === 0 &&
              this.publishedWithTargets > 0 &&
              this.status !== 'running'
                ? {
                    warning:
                      'no delivery attempt reached the recording: create the delivery engine with ' +
                      '`recorder: recordAttemptInRunContext` (core/run-context)',
                  }
                : {}),
            },
          }),
    };
  }

  // ------------------------------------------------------------------------------ execution

  private async execute(random: ReturnType<typeof createRandom>): Promise<void> {
    const scope: Record<string, unknown> = {
      identifier: this.options.identifier,
      seed: this.options.seed,
      startTime: this.options.startTime,
    };
    let failedStep: string | undefined;
    try {
      for (const step of this.scenario.steps) {
        const due =
          step.timing.kind === 'at' ? this.startMs + step.timing.ms : this.clock.now() + step.timing.ms;
        await this.driveTo(due);
        this.checkCancelled();
        failedStep = step.name;
        const result = await this.runStep(step, scope, random);
        scope[step.name] = result;
        failedStep = undefined;
      }
    } catch (error) {
      if (error instanceof Cancelled) {
        this.status = 'cancelled';
        this.error = { message: 'cancelled' };
      } else {
        this.status = 'failed';
        this.error = {
          ...(failedStep === undefined ? {} : { step: failedStep }),
          message: error instanceof Error ? error.message : String(error),
        };
      }
    }
    // What the run caused is delivered (retries included) before it ends, so nothing is left
    // waiting on a clock nobody moves any more. A cancelled run plays its remainder out at once.
    try {
      await this.drain();
    } catch (error) {
      if (!(error instanceof Cancelled)) throw error;
      await this.clock.runUntilIdle(DRAIN_HORIZON_MS);
    }
    this.deps.engine.chaos.clear(this.id);
    if (this.status === 'running') this.status = 'completed';
    this.finishedAt = iso(this.deps.clock.base.now());
    this.recorder?.close(this.status);
    const view = this.toJSON();
    if (this.status === 'completed') this.emit('run-completed', { runId: this.id, run: view });
    else
      this.emit('run-failed', { runId: this.id, error: view.error ?? { message: this.status }, run: view });
    this.resolveDone(view);
  }

  private async runStep(
    step: ScenarioStep,
    scope: Record<string, unknown>,
    random: ReturnType<typeof createRandom>,
  ): Promise<StepResult> {
    const definition = STEP_REGISTRY.get(step.type)!;
    const entry: TimelineEntry = {
      step: step.name,
      type: step.type,
      at: iso(this.clock.now()),
      offset: formatDuration(this.clock.now() - this.startMs),
      status: 'running',
      ...(step.note === undefined ? {} : { note: step.note }),
      webhooks: [],
    };
    this.timeline.push(entry);
    this.emit('step-started', { runId: this.id, step: step.name, type: step.type, at: entry.at });
    const label = `step "${step.name}" (${step.source})`;
    try {
      let resolved: Record<string, unknown>;
      try {
        resolved = resolveTemplates(step.params, scope);
      } catch (error) {
        if (error instanceof TemplateError)
          throw new StepFailure(`${label} field "${error.field}": ${error.message}`);
        throw error;
      }
      const params = definition.params.safeParse(resolved);
      if (!params.success) {
        const issue = params.error.issues[0]!;
        throw new StepFailure(`${label} field "${issue.path.join('.')}": ${issue.message}`);
      }
      const stepRandom = random.fork(`step:${step.name}`);
      const context: StepContext = {
        atomic: this.deps.atomic.withRandom(stepRandom.fork('atomic')),
        atelio: this.deps.atelio,
        random: stepRandom,
        identifier: this.options.identifier,
        stepName: step.name,
        now: () => this.clock.now(),
        waitFor: (work) => this.waitFor(work),
        truth: this.truth,
        chaos: {
          add: (rule) => this.addChaos(rule),
          clear: () => {
            const before = this.deps.engine.chaos.size;
            this.deps.engine.chaos.clear(this.id);
            return before - this.deps.engine.chaos.size;
          },
        },
      };
      let result: StepResult;
      try {
        result = await definition.run(context, params.data);
      } catch (error) {
        if (error instanceof Cancelled) throw error;
        const message = error instanceof Error ? error.message : String(error);
        throw new StepFailure(message.startsWith(label) ? message : `${label} failed: ${message}`);
      }
      entry.status = 'completed';
      entry.result = result;
      this.emit('step-completed', {
        runId: this.id,
        step: step.name,
        type: step.type,
        at: entry.at,
        result: structuredClone(result),
      });
      return result;
    } catch (error) {
      if (!(error instanceof Cancelled)) {
        entry.status = 'failed';
        entry.error = error instanceof Error ? error.message : String(error);
      }
      throw error;
    }
  }

  private onWebhook(webhook: RunWebhook): void {
    const entry = this.timeline[this.timeline.length - 1];
    this.webhookCount++;
    if (webhook.eventId !== null) this.publishedWithTargets++;
    entry?.webhooks.push({ ...webhook });
    this.emit('webhook', { runId: this.id, step: entry?.step ?? '', ...webhook });
  }

  // ------------------------------------------------------------------------------ the clock

  private get instant(): boolean {
    return this.options.speed === 'instant';
  }

  private checkCancelled(): void {
    if (this.cancelRequested) throw new Cancelled('cancelled');
  }

  /** Real-time wait for a paced run, cut short by a cancel. */
  private async sleepReal(ms: number): Promise<void> {
    if (ms <= 0) return;
    const sleep = this.deps.sleep ?? ((wait: number) => this.deps.clock.base.sleep(wait));
    await Promise.race([sleep(ms), new Promise<void>((resolve) => (this.wakeCancel = resolve))]);
    this.wakeCancel = undefined;
  }

  /** Moves the run's clock to `target`, firing what falls due on the way, paced by the speed. */
  private async driveTo(target: number): Promise<void> {
    if (this.instant) {
      this.checkCancelled();
      await this.clock.advanceTo(target);
      return;
    }
    const speed = this.options.speed as number;
    while (this.clock.now() < target) {
      this.checkCancelled();
      const next = Math.min(
        target,
        this.clock.nextTimerAt() ?? target,
        this.clock.now() + MAX_REAL_WAIT_MS * speed,
      );
      await this.sleepReal((next - this.clock.now()) / speed);
      this.checkCancelled();
      await this.clock.advanceTo(next);
    }
    await this.clock.advanceTo(target);
  }

  /** Waits for work that needs the run's clock to move (a task playing out), moving it meanwhile. */
  private async waitFor<T>(work: Promise<T>): Promise<T> {
    let finished = false;
    const tracked = work.finally(() => {
      finished = true;
    });
    tracked.catch(() => undefined);
    await this.clock.settle();
    while (!finished) {
      const next = this.clock.nextTimerAt();
      if (next === undefined) {
        await this.clock.settle();
        if (!finished)
          throw new StepFailure('the step waits for something that nothing scheduled will finish');
        break;
      }
      await this.driveTo(next);
    }
    return tracked;
  }

  /** After the last step: let deliveries and their retries play out. */
  private async drain(): Promise<void> {
    const limit = this.clock.now() + DRAIN_HORIZON_MS;
    if (this.instant || this.status !== 'running') {
      await this.clock.runUntilIdle(DRAIN_HORIZON_MS);
      return;
    }
    for (;;) {
      await this.clock.settle();
      const next = this.clock.nextTimerAt();
      if (next === undefined || next > limit) return;
      await this.driveTo(next);
    }
  }

  private emit<K extends keyof ScenarioRunnerEvents>(name: K, payload: ScenarioRunnerEvents[K]): void {
    try {
      this.events.emit(name, payload);
    } catch {
      // A listener's failure is the listener's problem; the run goes on.
    }
  }
}
