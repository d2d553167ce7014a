/**
 * The scenario engine: named, versioned scenario files that drive both mocks on a virtual clock,
 * deterministic runs with timelines and ground truth, and NDJSON recordings that can be replayed.
 * See README.md for the file format and the step types.
 */
export {
  createScenarioRunner,
  RunOptionsSchema,
  RunOptionsError,
  type Run,
  type RunOptions,
  type ResolvedRunOptions,
  type RunSpeed,
  type RunStatus,
  type RunView,
  type ScenarioRunner,
  type ScenarioRunnerDeps,
  type ScenarioRunnerEvents,
  type ScenarioSummary,
  type TimelineEntry,
  type TimelineWebhook,
} from './runner';
export {
  BUILTIN_SCENARIO_DIR,
  RUN_VARIABLES,
  ScenarioFileError,
  UnknownScenarioError,
  listScenarioFiles,
  loadScenarioFile,
  parseScenario,
  type Scenario,
  type ScenarioListing,
  type ScenarioProblem,
  type ScenarioStep,
  type StepTiming,
} from './loader';
export { SCENARIO_FORMAT_VERSION, ScenarioFileSchema } from './schema';
export { SCENARIO_SCHEMA_FILE, scenarioJsonSchema } from './json-schema';
export { STEP_DEFINITIONS, STEP_TYPES, MERCHANT_PRESETS, type StepDefinition } from './steps';
export type {
  GroundTruth,
  GroundTruthMatch,
  GroundTruthUnmatchedOrder,
  GroundTruthUnrelatedTransaction,
} from './ground-truth';
export {
  replayRecording,
  readRecording,
  RecordingError,
  RECORDING_FORMAT,
  RECORDING_VERSION,
  type Recording,
  type RecordedAttempt,
  type ReplayOptions,
  type ReplayResult,
} from './recording';
export { recordAttemptInRunContext } from '../core/run-context';
export { parseDuration, formatDuration } from './duration';
export { createPlatform, type Platform, type PlatformOptions } from './platform';
export {
  createStateOperations,
  MAX_CLOCK_OFFSET_MS,
  RESET_KEEPABLE,
  type PendingWebhook,
  type PlatformState,
  type PlatformStateOperations,
  type ResetKeep,
  type ResetOptions,
  type StateHost,
} from './platform-state';
export { atelioBaselineForAtomic, amazonCharges, amazonShoppers, type AmazonShopper } from './seeded-world';
