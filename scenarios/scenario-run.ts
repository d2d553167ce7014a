import { VirtualClock, type ScopedClock } from '../core/clock';
import type { Emitter } from '../core/emitter';
import { createRandom } from '../core/random';
import { runInContext, type RunContext, type RunWebhook } from '../core/run-context';
import type { ChaosRuleInput, DeliveryEngine } from '../core/webhooks';
import type { AtelioStore } from '../mock-atelio';
import type { AtomicStore } from '../mock-atomic';
import { formatDuration } from './duration';
import { GroundTruthRecorder, type GroundTruth } from './ground-truth';
import type { Scenario, ScenarioStep } from './loader';
import { RecordingWriter } from './recording';
import type { ResolvedRunOptions } from './run-options';
import { STEP_REGISTRY, StepFailure, type StepContext, type StepResult } from './steps';
import { TemplateError, resolveTemplates } from './templates';

/**
 * One scenario run: its own VirtualClock from the run's start time, its steps in order with the
 * webhooks each caused, its ground truth and recording, then its deliveries played out.
 */

export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled';

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

/** What a run drives: the stores, the delivery engine and the platform's scoped clock. */
export interface ScenarioRunDeps {
  atomic: AtomicStore;
  atelio: AtelioStore;
  engine: DeliveryEngine;
  clock: ScopedClock;
  /** Real-time waits for paced runs; default the base clock's sleep. */
  sleep?: (ms: number) => Promise<void>;
}

class Cancelled extends Error {}

/** How far past its last step a run plays out its clock (deliveries and retries): 4 days. */
const DRAIN_HORIZON_MS = 4 * 86_400_000;
/** At most this much real time between updates of a paced run's clock. */
const MAX_REAL_WAIT_MS = 250;

const iso = (ms: number) => new Date(ms).toISOString();

export class ScenarioRun implements Run {
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
    private readonly deps: ScenarioRunDeps,
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
