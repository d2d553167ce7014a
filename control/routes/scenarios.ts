import { Hono } from 'hono';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  RunOptionsError,
  RunOptionsSchema,
  UnknownScenarioError,
  scenarioJsonSchema,
  type ScenarioRunner,
} from '../../scenarios';
import { ControlError } from '../errors';
import type { RecordingStore } from '../recordings';
import { jsonInput, queryInput } from '../validation';

/**
 * Over HTTP a scenario is named, never a path: only the shipped library and the folders the
 * operator configured at start (`--scenarios DIR`) resolve. A run may be recorded, but the file
 * name is ours: letting a request name a path would let any caller write anywhere the platform can.
 * Recordings land in one private folder and are downloaded with `GET /api/runs/{runId}/recording`.
 */
export const StartRunSchema = RunOptionsSchema.omit({ record: true })
  .extend({ record: z.boolean().optional() })
  .strict();

export const RunListQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(1000).optional() });

/** Generated once, on first request: the zod schema does not change while the platform runs. */
let cachedSchema: Record<string, unknown> | undefined;
const scenarioSchema = () => (cachedSchema ??= scenarioJsonSchema());

export function scenarioRoutes(runner: ScenarioRunner, recordings: RecordingStore) {
  const findRun = (runId: string) => {
    const run = runner.get(runId);
    if (!run) throw new ControlError(404, 'run_not_found', `No run ${runId}. GET /api/runs lists the runs.`);
    return run;
  };

  return (
    new Hono()
      .get('/scenarios', (c) => c.json({ scenarios: runner.list() }))
      // For editors: `# yaml-language-server: $schema=http://127.0.0.1:4000/api/scenarios/schema.json`.
      .get('/scenarios/schema.json', (c) => c.json(scenarioSchema()))
      .post('/scenarios/:name/runs', jsonInput(StartRunSchema, { optional: true }), (c) => {
        const name = c.req.param('name');
        const { record, ...options } = c.req.valid('json');
        try {
          runner.load(name, { namesOnly: true });
        } catch (error) {
          if (error instanceof UnknownScenarioError)
            throw new ControlError(404, 'scenario_not_found', error.message);
          throw new ControlError(422, 'scenario_invalid', (error as Error).message);
        }
        try {
          let run;
          if (record) {
            const file = recordings.allocate();
            run = runner.start(name, { ...options, record: file }, { namesOnly: true });
            recordings.remember(run.id, file);
          } else {
            run = runner.start(name, options, { namesOnly: true });
          }
          return c.json({ runId: run.id, status: run.status, run: run.toJSON() }, 202);
        } catch (error) {
          if (error instanceof RunOptionsError) throw new ControlError(400, 'invalid_request', error.message);
          throw error;
        }
      })
      .get('/runs', queryInput(RunListQuerySchema), (c) => {
        const { limit } = c.req.valid('query');
        return c.json({
          runs: runner
            .runs()
            .slice(0, limit ?? 50)
            .map((run) => run.toJSON()),
        });
      })
      .get('/runs/:runId', (c) => c.json(findRun(c.req.param('runId')).toJSON()))
      .post('/runs/:runId/cancel', async (c) => c.json(await findRun(c.req.param('runId')).cancel()))
      .get('/runs/:runId/recording', (c) => {
        const run = findRun(c.req.param('runId'));
        const file = recordings.fileOf(run.id);
        if (!file)
          throw new ControlError(
            404,
            'recording_not_found',
            `Run ${run.id} was not recorded (start it with {"record": true}).`,
          );
        return c.body(readFileSync(file, 'utf8'), 200, { 'content-type': 'application/x-ndjson' });
      })
  );
}
