/**
 * Writes scenarios/scenario.schema.json from the zod schema (scenarios/json-schema.ts). Run after
 * changing a step type or the file format: `npx tsx scripts/write-scenario-schema.ts`.
 * scenarios/json-schema.test.ts fails while the committed file differs from what this writes.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SCENARIO_SCHEMA_FILE, scenarioJsonSchema } from '../scenarios/json-schema';

const target = fileURLToPath(new URL(`../scenarios/${SCENARIO_SCHEMA_FILE}`, import.meta.url));
writeFileSync(target, `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${target}\n`);
