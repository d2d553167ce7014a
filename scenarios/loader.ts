import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  openSync,
  readSync,
  readdirSync,
  statSync,
} from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { formatDuration, parseDuration } from './duration';
import {
  BASE_STEP_FIELDS,
  ScenarioFileSchema,
  type BlockEntry,
  type ScenarioFile,
  type StepEntry,
} from './schema';
import { STEP_REGISTRY, STEP_TYPES } from './steps';
import { TemplateError, findReferences } from './templates';

/**
 * Reads scenario files (YAML or JSON), validates them against the one scenario schema, expands
 * repeated blocks and checks every `${…}` reference points at an earlier step. Every problem is
 * reported with the file, the step and the field, so a tester can fix a file without reading code.
 */

/** When a step runs: `at` counts from the run's start, `after` from the end of the previous step. */
export type StepTiming = { kind: 'at'; ms: number } | { kind: 'after'; ms: number };

export interface ScenarioStep {
  name: string;
  type: string;
  timing: StepTiming;
  note?: string;
  /** The step's own fields as written (references unresolved). */
  params: Record<string, unknown>;
  /** Where it came from in the file, e.g. `steps[4]` or `steps[6].steps[1] (repeat 3)`. */
  source: string;
}

export interface Scenario {
  name: string;
  description: string;
  version: number;
  /** Absolute path of the file it was read from, when it came from a file. */
  file?: string;
  vendors: ('atomic' | 'atelio')[];
  steps: ScenarioStep[];
}

/** Names a run may refer to besides its steps. */
export const RUN_VARIABLES = ['identifier', 'seed', 'startTime'] as const;

export const SCENARIO_FILE_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;

/**
 * Limits checked before a file is parsed or expanded, so a small file cannot make a large run: a
 * 2 KB repeat block of 50 steps × 10,000 iterations would otherwise expand to half a million steps.
 * The shipped library's largest file is 9 KB and its longest expansion 70 steps.
 */
export const SCENARIO_LIMITS = { fileBytes: 256 * 1024, steps: 5_000 } as const;

/** The folder of scenarios shipped with the platform. */
export const BUILTIN_SCENARIO_DIR = fileURLToPath(new URL('./library', import.meta.url));

export interface ScenarioProblem {
  /** `step "settle-1" (steps[3])`, or absent for file-level problems. */
  step?: string;
  /** Dotted path inside the step (or the file), e.g. `orders.2.lastFour`. */
  field?: string;
  message: string;
}

/** A scenario file that cannot be used, with every problem found. */
export class ScenarioFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ScenarioProblem[],
  ) {
    const lines = problems.map((p) => {
      const where = [p.step, p.field === undefined ? undefined : `field "${p.field}"`]
        .filter(Boolean)
        .join(' ');
      return `  ${where ? `${where}: ` : ''}${p.message}`;
    });
    super(`${file}: invalid scenario file\n${lines.join('\n')}\nValid step types: ${STEP_TYPES.join(', ')}`);
    this.name = 'ScenarioFileError';
  }
}

/** A scenario name that no file defines. */
export class UnknownScenarioError extends Error {
  constructor(
    readonly scenario: string,
    readonly available: readonly string[],
  ) {
    super(`unknown scenario "${scenario}"; valid scenarios: ${available.join(', ') || '(none found)'}`);
    this.name = 'UnknownScenarioError';
  }
}

// ------------------------------------------------------------------------------------ parsing

function parseText(file: string, text: string): unknown {
  if (extname(file).toLowerCase() === '.json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new ScenarioFileError(file, [{ message: `not valid JSON: ${(error as Error).message}` }]);
    }
  }
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0)
    throw new ScenarioFileError(
      file,
      document.errors.map((e) => ({ message: `not valid YAML: ${e.message.split('\n')[0] ?? e.message}` })),
    );
  return document.toJS() as unknown;
}

// ------------------------------------------------------------------------------------ validation

const valueAt = (root: unknown, path: readonly PropertyKey[]): unknown => {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key as string];
  }
  return current;
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Describes the step an issue path lands in: label, and the rest of the path as the field. */
function locate(data: unknown, path: readonly PropertyKey[]): { step?: string; field?: string } {
  if (path[0] !== 'steps' || typeof path[1] !== 'number') return path.length ? { field: path.join('.') } : {};
  const entry = valueAt(data, path.slice(0, 2));
  let rest = path.slice(2);
  let label = `steps[${path[1]}]`;
  let step = entry;
  if (isObject(entry) && 'repeat' in entry && rest[0] === 'steps' && typeof rest[1] === 'number') {
    label += `.steps[${rest[1]}]`;
    step = valueAt(entry, rest.slice(0, 2));
    rest = rest.slice(2);
  } else if (isObject(entry) && 'repeat' in entry) {
    label = `repeat block ${label}`;
    return rest.length ? { step: label, field: rest.join('.') } : { step: label };
  }
  const name =
    isObject(step) && typeof step['name'] === 'string'
      ? `step "${step['name']}" (${label})`
      : `step ${label}`;
  return rest.length ? { step: name, field: rest.join('.') } : { step: name };
}

const humanise = (issue: z.core.$ZodIssue, value: unknown): string => {
  if (issue.code === 'invalid_type' && value === undefined) return `is required (${issue.expected})`;
  return issue.message;
};

/** Flattens zod issues into problems, picking the branch a union entry was meant to be. */
function problemsFrom(data: unknown, issues: readonly z.core.$ZodIssue[]): ScenarioProblem[] {
  const out: ScenarioProblem[] = [];
  const visit = (issue: z.core.$ZodIssue, prefix: readonly PropertyKey[]) => {
    const path = [...prefix, ...issue.path];
    const value = valueAt(data, path);
    if (issue.code === 'invalid_union') {
      if ('note' in issue && issue.note === 'No matching discriminator') {
        const { step } = locate(data, path);
        const given = value;
        out.push({
          ...(step ? { step } : {}),
          field: 'type',
          message:
            given === undefined
              ? `type is missing; every step needs a type`
              : `unknown step type ${JSON.stringify(given)}`,
        });
        return;
      }
      // steps[i] is a block when it has `repeat`, else a step: report only that branch's issues.
      const branches = issue.errors;
      const chosen = isObject(value) && 'repeat' in value ? branches[0] : branches[branches.length - 1];
      for (const inner of chosen ?? []) visit(inner, path);
      return;
    }
    const where = locate(data, path);
    // A `${…}` reference in a step's own field stands for a value only known when the run gets
    // there; the runner checks the resolved value against the same schema before the step runs.
    const ownField =
      where.field !== undefined &&
      !(BASE_STEP_FIELDS as readonly string[]).includes(where.field.split('.')[0]!);
    if (ownField && where.step?.startsWith('step') && typeof value === 'string' && value.includes('${'))
      return;
    if (issue.code === 'unrecognized_keys') {
      const stepType = isObject(value) && typeof value['type'] === 'string' ? value['type'] : undefined;
      const definition = stepType === undefined ? undefined : STEP_REGISTRY.get(stepType);
      const fields = definition ? Object.keys(definition.params.shape) : [];
      out.push({
        ...where,
        message:
          `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` +
          (definition ? `; ${stepType} takes: ${[...fields, 'name', 'at', 'after', 'note'].join(', ')}` : ''),
      });
      return;
    }
    out.push({ ...where, message: humanise(issue, value) });
  };
  for (const issue of issues) visit(issue, []);
  return out;
}

// ------------------------------------------------------------------------------------ expansion

const REPEAT_VARIABLE = /\$\{\s*repeat\.(index|previous)\s*\}/g;

function substituteRepeat(value: unknown, index: number, innerNames: ReadonlySet<string>): unknown {
  if (typeof value === 'string')
    return value
      .replace(REPEAT_VARIABLE, (_m, which: string) => String(which === 'index' ? index : index - 1))
      .replace(/\$\{\s*([A-Za-z_][\w-]*)([.}\s])/g, (match, root: string, next: string) =>
        innerNames.has(root) ? `\${${root}-${index}${next}` : match,
      );
  if (Array.isArray(value)) return value.map((v) => substituteRepeat(v, index, innerNames));
  if (isObject(value))
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteRepeat(v, index, innerNames)]),
    );
  return value;
}

function splitStep(entry: StepEntry): { params: Record<string, unknown> } {
  const { name: _n, type: _t, at: _a, after: _f, note: _o, ...params } = entry as Record<string, unknown>;
  return { params };
}

function timingOf(entry: { at?: string | undefined; after?: string | undefined }): StepTiming | undefined {
  if (entry.at !== undefined) return { kind: 'at', ms: parseDuration(entry.at)! };
  if (entry.after !== undefined) return { kind: 'after', ms: parseDuration(entry.after)! };
  return undefined;
}

function expand(file: ScenarioFile, raw: unknown): { steps: ScenarioStep[]; problems: ScenarioProblem[] } {
  const steps: ScenarioStep[] = [];
  const problems: ScenarioProblem[] = [];
  const rawSteps = valueAt(raw, ['steps']) as unknown[];
  file.steps.forEach((entry, i) => {
    if ('repeat' in entry) {
      const block = entry as BlockEntry;
      const from = block.repeat.from ?? 1;
      if (block.repeat.to < from) {
        problems.push({
          step: `repeat block steps[${i}]`,
          field: 'repeat.to',
          message: `to (${block.repeat.to}) is before from (${from})`,
        });
        return;
      }
      const innerNames = new Set(block.steps.map((s) => s.name));
      const start = parseDuration(block.repeat.at)!;
      const every = parseDuration(block.repeat.every)!;
      for (let index = from; index <= block.repeat.to; index++) {
        const iterationStart = start + (index - from) * every;
        block.steps.forEach((inner, j) => {
          const written = (rawSteps[i] as { steps: unknown[] }).steps[j] as Record<string, unknown>;
          const { params } = splitStep(substituteRepeat(written, index, innerNames) as StepEntry);
          const own = timingOf(inner);
          const timing: StepTiming =
            own?.kind === 'at'
              ? { kind: 'at', ms: iterationStart + own.ms }
              : (own ?? (j === 0 ? { kind: 'at', ms: iterationStart } : { kind: 'after', ms: 0 }));
          steps.push({
            name: `${inner.name}-${index}`,
            type: inner.type,
            timing,
            ...(inner.note === undefined ? {} : { note: inner.note }),
            params,
            source: `steps[${i}].steps[${j}] (repeat ${index})`,
          });
        });
      }
      return;
    }
    const step = entry as StepEntry;
    // Params as written (not as parsed): references and defaults are dealt with when the step runs.
    const { params } = splitStep(rawSteps[i] as StepEntry);
    steps.push({
      name: step.name,
      type: step.type,
      timing: timingOf(step) ?? { kind: 'after', ms: 0 },
      ...(step.note === undefined ? {} : { note: step.note }),
      params,
      source: `steps[${i}]`,
    });
  });
  return { steps, problems };
}

/** Names unique, `at` and `after` not both, `at` never going back, references to earlier steps only. */
function checkSteps(file: ScenarioFile, steps: readonly ScenarioStep[]): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  const label = (s: ScenarioStep) => `step "${s.name}" (${s.source})`;
  const forEachWritten = (visit: (entry: StepEntry, where: string) => void) =>
    file.steps.forEach((entry, i) => {
      if ('repeat' in entry)
        (entry as BlockEntry).steps.forEach((inner, j) => visit(inner, `steps[${i}].steps[${j}]`));
      else visit(entry as StepEntry, `steps[${i}]`);
    });
  forEachWritten((entry, where) => {
    if (entry.at !== undefined && entry.after !== undefined)
      problems.push({
        step: `step "${entry.name}" (${where})`,
        field: 'at',
        message: 'give at (from the run start) or after (from the previous step), not both',
      });
  });
  const seen = new Map<string, ScenarioStep>();
  let lastAt: ScenarioStep | undefined;
  for (const step of steps) {
    const earlier = seen.get(step.name);
    if (earlier)
      problems.push({
        step: label(step),
        field: 'name',
        message: `the name "${step.name}" is already used by ${label(earlier)}; step names must be unique`,
      });
    if (step.timing.kind === 'at') {
      if (lastAt && lastAt.timing.ms > step.timing.ms)
        problems.push({
          step: label(step),
          field: 'at',
          message: `at ${formatDuration(step.timing.ms)} is before ${label(lastAt)} at ${formatDuration(lastAt.timing.ms)}; steps run in file order`,
        });
      lastAt = step;
    }
    try {
      for (const ref of findReferences(step.params)) {
        if ((RUN_VARIABLES as readonly string[]).includes(ref.root)) continue;
        const target = seen.get(ref.root);
        if (!target) {
          problems.push({
            step: label(step),
            field: ref.field,
            message:
              `\${${ref.expression}} refers to "${ref.root}", which is not an earlier step; ` +
              `earlier steps: ${[...seen.keys()].join(', ') || '(none)'}; run variables: ${RUN_VARIABLES.join(', ')}`,
          });
          continue;
        }
        const fields = STEP_REGISTRY.get(target.type)?.resultFields ?? [];
        const first = ref.path[0];
        if (first !== undefined && !fields.includes(first))
          problems.push({
            step: label(step),
            field: ref.field,
            message: `\${${ref.expression}}: a ${target.type} step's result has ${fields.length ? fields.join(', ') : 'no fields'}, not "${first}"`,
          });
      }
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      problems.push({ step: label(step), field: error.field, message: error.message });
    }
    seen.set(step.name, step);
  }
  return problems;
}

// ------------------------------------------------------------------------------------ public

/** How many steps the file becomes once its repeat blocks are expanded, counted without expanding. */
function countExpandedSteps(file: ScenarioFile): number {
  let total = 0;
  for (const entry of Array.isArray(file.steps) ? file.steps : []) {
    if (isObject(entry) && 'repeat' in entry) {
      const block = entry as unknown as Partial<BlockEntry>;
      const iterations = Math.max(0, (block.repeat?.to ?? 0) - (block.repeat?.from ?? 1) + 1);
      total += iterations * (Array.isArray(block.steps) ? block.steps.length : 0);
    } else total += 1;
  }
  return total;
}

/**
 * The file's text, refusing before reading anything that is not a regular file (a FIFO would block
 * the whole process on open or read) or is larger than the limit. Opened non-blocking so that even
 * a FIFO swapped in after a check cannot block the open.
 */
function readScenarioText(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new ScenarioFileError(file, [{ message: `cannot read the file: ${(error as Error).message}` }]);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new ScenarioFileError(file, [{ message: 'is not a regular file' }]);
    if (stats.size > SCENARIO_LIMITS.fileBytes)
      throw new ScenarioFileError(file, [
        {
          message: `is ${stats.size} bytes; scenario files may be at most ${SCENARIO_LIMITS.fileBytes} bytes`,
        },
      ]);
    // One byte more than allowed: a file that grew since fstat is still caught.
    const buffer = Buffer.alloc(SCENARIO_LIMITS.fileBytes + 1);
    let length = 0;
    for (let read = -1; read !== 0 && length < buffer.length; length += read)
      read = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > SCENARIO_LIMITS.fileBytes)
      throw new ScenarioFileError(file, [
        { message: `is larger than ${SCENARIO_LIMITS.fileBytes} bytes, the limit for scenario files` },
      ]);
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

/** Validates parsed scenario data; `file` names it in errors. */
export function parseScenario(data: unknown, file: string): Scenario {
  const parsed = ScenarioFileSchema.safeParse(data);
  if (!parsed.success) {
    const problems = problemsFrom(data, parsed.error.issues);
    if (problems.length > 0) throw new ScenarioFileError(file, problems);
  }
  // When the only issues were references standing in for values, the data is valid in every field
  // the loader reads (names, types, times); step fields are taken as written either way.
  const scenarioFile = (parsed.success ? parsed.data : data) as ScenarioFile;
  const expandedCount = countExpandedSteps(scenarioFile);
  if (expandedCount > SCENARIO_LIMITS.steps)
    throw new ScenarioFileError(file, [
      {
        field: 'steps',
        message:
          `expands to ${expandedCount} steps (repeat blocks included); at most ${SCENARIO_LIMITS.steps} ` +
          'are allowed in one scenario',
      },
    ]);
  const { steps, problems } = expand(scenarioFile, data);
  problems.push(...checkSteps(scenarioFile, steps));
  if (problems.length > 0) throw new ScenarioFileError(file, problems);
  const vendors = new Set<'atomic' | 'atelio'>();
  for (const step of steps) {
    const vendor = STEP_REGISTRY.get(step.type)?.vendor;
    if (vendor === 'atomic' || vendor === 'atelio') vendors.add(vendor);
  }
  return {
    name: scenarioFile.name,
    description: scenarioFile.description.trim(),
    version: scenarioFile.version,
    file,
    vendors: [...vendors].sort(),
    steps,
  };
}

/** Reads and validates one scenario file. */
export function loadScenarioFile(path: string): Scenario {
  const file = resolve(path);
  if (!(SCENARIO_FILE_EXTENSIONS as readonly string[]).includes(extname(file).toLowerCase()))
    throw new ScenarioFileError(file, [
      { message: `scenario files end in ${SCENARIO_FILE_EXTENSIONS.join(', ')}` },
    ]);
  return parseScenario(parseText(file, readScenarioText(file)), file);
}

export interface ScenarioListing {
  name: string;
  file: string;
  scenario?: Scenario;
  /** Why the file cannot be used. */
  error?: string;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

/** Parsed files by path, reused while the file's size and modification time stay the same. */
const parsed = new Map<string, { stamp: string; listing: ScenarioListing }>();

function listingOf(file: string): ScenarioListing {
  const stats = statSync(file);
  const stamp = `${stats.mtimeMs}:${stats.size}`;
  const cached = parsed.get(file);
  if (cached?.stamp === stamp) return cached.listing;
  let listing: ScenarioListing;
  try {
    // Frozen: every run of the scenario shares this one object.
    const scenario = deepFreeze(loadScenarioFile(file));
    listing = { name: scenario.name, file, scenario };
  } catch (error) {
    listing = {
      name: basename(file, extname(file)),
      file,
      error: error instanceof Error ? error.message : String(error),
    };
  }
  parsed.set(file, { stamp, listing });
  return listing;
}

/**
 * Every scenario file in `dirs`, by name. A later folder's file replaces an earlier one of the same
 * name, so a tester can override a shipped scenario; two files of one name in one folder is an error.
 */
export function listScenarioFiles(dirs: readonly string[]): Map<string, ScenarioListing> {
  const out = new Map<string, ScenarioListing>();
  for (const dir of dirs) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
    const inDir = new Map<string, string>();
    for (const entry of readdirSync(dir).sort()) {
      if (!(SCENARIO_FILE_EXTENSIONS as readonly string[]).includes(extname(entry).toLowerCase())) continue;
      const listing = listingOf(resolve(join(dir, entry)));
      const twin = inDir.get(listing.name);
      if (twin) {
        out.set(listing.name, {
          name: listing.name,
          file: listing.file,
          error: `two scenario files in ${dir} are named "${listing.name}": ${twin} and ${entry}`,
        });
        continue;
      }
      inDir.set(listing.name, entry);
      out.set(listing.name, listing);
    }
  }
  return out;
}
