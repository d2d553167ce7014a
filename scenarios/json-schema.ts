import { z } from 'zod';
import { BASE_STEP_FIELDS, ScenarioFileSchema } from './schema';

/**
 * The scenario file format as a JSON Schema, generated from the zod schema the loader validates
 * with, so editors (yaml-language-server: `# yaml-language-server: $schema=…`) complete step types
 * and their fields and flag mistakes as you type. Checks zod cannot express in JSON Schema (an
 * offset's syntax, references pointing at earlier steps) are left to the engine:
 * `stitch-sandbox scenario validate FILE`.
 *
 * `scenarios/scenario.schema.json` is this, written by `npm run build` and checked against the
 * zod schema by a test; the control plane serves it at `/api/scenarios/schema.json`.
 */

export const SCENARIO_SCHEMA_FILE = 'scenario.schema.json';

/** A `${step.field}` reference: stands for a value known only when the run gets there. */
const REFERENCE = { type: 'string', pattern: '\\$\\{[^}]+\\}' } as const;

type JsonSchema = Record<string, unknown>;

/** Each step type's own fields also accept a reference in place of their value. */
function allowReferences(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(allowReferences);
  if (typeof node !== 'object' || node === null) return;
  const schema = node as JsonSchema;
  const properties = schema['properties'] as Record<string, JsonSchema> | undefined;
  const type = (properties?.['type'] as JsonSchema | undefined)?.['const'];
  if (properties && typeof type === 'string') {
    for (const [field, fieldSchema] of Object.entries(properties)) {
      if ((BASE_STEP_FIELDS as readonly string[]).includes(field)) continue;
      properties[field] = { anyOf: [fieldSchema, { $ref: '#/$defs/reference' }] };
    }
  }
  Object.values(schema).forEach(allowReferences);
}

export function scenarioJsonSchema(): JsonSchema {
  const generated = z.toJSONSchema(ScenarioFileSchema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  allowReferences(generated['properties']);
  return {
    $schema: generated['$schema'],
    $id: 'https://stitch-sandbox.local/scenario.schema.json',
    title: 'stitch-sandbox scenario',
    description:
      'A scenario file: named steps at relative times that drive the Atomic and Atelio mocks. Format: scenarios/README.md.',
    ...Object.fromEntries(Object.entries(generated).filter(([key]) => key !== '$schema')),
    $defs: { ...((generated['$defs'] as JsonSchema | undefined) ?? {}), reference: REFERENCE },
  };
}
