import { createConfig, lintFromString } from '@redocly/openapi-core';
import { describe, expect, it } from 'vitest';
import { createScenarioPlatform } from '../../scenarios/testing';

/**
 * Both published documents pass Redocly's standard OpenAPI linter with its `recommended` rule set
 * (structure, references, unique operationIds, declared path parameters, security schemes …). Any
 * problem fails, warnings included.
 */

async function lint(document: unknown) {
  const config = await createConfig({ extends: ['recommended'] });
  const problems = await lintFromString({
    source: JSON.stringify(document),
    absoluteRef: 'openapi.json',
    config,
  });
  return problems.map((p) => ({
    severity: p.severity,
    rule: p.ruleId,
    message: p.message,
    at: p.location[0]?.pointer,
  }));
}

describe('the published OpenAPI documents pass the Redocly linter (recommended rules) with no error or warning', () => {
  it.each(['atomic', 'atelio'] as const)('%s', async (vendor) => {
    const platform = await createScenarioPlatform({ receiver: false });
    try {
      const app = vendor === 'atomic' ? platform.atomicApp : platform.atelioApp;
      const document = (await (await app.request('/openapi.json')).json()) as { webhooks?: object };
      expect(Object.keys(document.webhooks ?? {}).length).toBeGreaterThan(0);
      const problems = await lint(document);
      expect(problems).toEqual([]);
    } finally {
      await platform.close();
    }
  });

  it('and the linter does find errors: a document with a broken reference and a duplicate operationId', async () => {
    const problems = await lint({
      openapi: '3.1.0',
      info: { title: 't', version: '1', license: { name: 'MIT' } },
      servers: [{ url: 'http://127.0.0.1' }],
      security: [],
      paths: {
        '/a': {
          get: {
            operationId: 'same',
            responses: {
              '200': {
                description: 'ok',
                content: { 'application/json': { schema: { $ref: '#/components/schemas/Missing' } } },
              },
            },
          },
        },
        '/b': { get: { operationId: 'same', responses: { '200': { description: 'ok' } } } },
      },
    });
    expect(problems.filter((p) => p.severity === 'error').map((p) => p.rule)).toEqual(
      expect.arrayContaining(['no-unresolved-refs', 'operation-operationId-unique']),
    );
  });
});
