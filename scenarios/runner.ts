import { resolve } from 'node:path';
import { Emitter } from '../core/emitter';
import { formatDuration } from './duration';
import {
  BUILTIN_SCENARIO_DIR,
  SCENARIO_FILE_EXTENSIONS,
  UnknownScenarioError,
  listScenarioFiles,
  loadScenarioFile,
  type Scenario,
} from './loader';
import { RunOptionsError, RunOptionsSchema, resolveRunOptions, type RunOptions } from './run-options';
import { ScenarioRun, type Run, type ScenarioRunDeps, type ScenarioRunnerEvents } from './scenario-run';

/**
 * Runs scenarios against the platform's stores. Each run has its own VirtualClock starting at the
 * run's `startTime` and executes inside `ScopedClock.runWith(runClock, …)` and a run context, so
 * every timestamp, webhook time and retry it causes lands on its own timeline and every id it
 * creates comes from a generator seeded by its inputs: the same name, seed, identifier and start
 * time give the same API data and webhook bodies byte for byte. Runs for different identifiers
 * can go on at once.
 */

export {
  RunOptionsError,
  RunOptionsSchema,
  type ResolvedRunOptions,
  type RunOptions,
  type RunSpeed,
} from './run-options';
export {
  type Run,
  type RunStatus,
  type RunView,
  type ScenarioRunDeps,
  type ScenarioRunnerEvents,
  type TimelineEntry,
  type TimelineWebhook,
} from './scenario-run';

export interface ScenarioSummary {
  name: string;
  description: string;
  file: string;
  vendors: ('atomic' | 'atelio')[];
  steps: { name: string; type: string; at?: string; after?: string; note?: string }[];
  /** Set when the file cannot be used; `load` gives the details. */
  error?: string;
}

export interface ScenarioRunnerDeps extends ScenarioRunDeps {
  /** More folders of scenario files, after the shipped ones (a later file of the same name wins). */
  scenarioDirs?: string[];
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
    const options = resolveRunOptions(scenario, parsed.data, {
      defaultSeed: this.deps.atomic.seed,
      nowMs: this.deps.clock.base.now(),
      busy: new Set(
        [...this.all.values()].filter((r) => r.status === 'running').map((r) => r.options.identifier),
      ),
      hasData: (identifier) =>
        this.deps.atomic.findUser(identifier) !== undefined ||
        this.deps.atelio.getCustomer(identifier) !== undefined,
    });
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

  private prune(): void {
    const keep = this.deps.keepRuns ?? 200;
    for (const [id, run] of this.all) {
      if (this.all.size <= keep) break;
      if (run.status !== 'running') this.all.delete(id);
    }
  }
}
