import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BUILTIN_SCENARIO_DIR, SCENARIO_SCHEMA_FILE } from '../../scenarios';
import { startSandbox, type Sandbox } from '../platform';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ ports: 0, stitcher: false, env: {} });
});
afterAll(() => sandbox.stop());

it('GET /api/scenarios/schema.json serves the scenario JSON Schema that ships beside the scenarios', async () => {
  const response = await fetch(`${sandbox.urls.control}/api/scenarios/schema.json`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const shipped = JSON.parse(
    readFileSync(`${BUILTIN_SCENARIO_DIR}/../${SCENARIO_SCHEMA_FILE}`, 'utf8'),
  ) as unknown;
  expect(await response.json()).toEqual(shipped);
});
