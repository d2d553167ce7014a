import type { JsonSchema, SchemaContext } from './schema-arbitrary';

/** One operation of an OpenAPI document, as much of it as the fuzzer needs. */
export interface Operation {
  method: string;
  /** Path template as written in the document, e.g. `/pay-link/accounts/{id}`. */
  template: string;
  pathParams: { name: string; schema: JsonSchema }[];
  queryParams: { name: string; required: boolean; schema: JsonSchema }[];
  /** The JSON request body schema, when the operation takes one. */
  body: JsonSchema | undefined;
}

export interface ApiDescription extends SchemaContext {
  operations: Operation[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: JsonSchema;
}

/**
 * Every operation of a served `/openapi.json`. The fuzzer takes its route list from here rather
 * than from a hand-kept list, so a route added to a mock is fuzzed without anyone remembering to.
 */
export function describeApi(document: unknown): ApiDescription {
  const doc = document as {
    paths?: Record<
      string,
      Record<
        string,
        { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }
      >
    >;
    components?: { schemas?: Record<string, JsonSchema> };
  };
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const parameters = op.parameters ?? [];
      operations.push({
        method: method.toUpperCase(),
        template,
        pathParams: parameters
          .filter((p) => p.in === 'path')
          .map((p) => ({ name: p.name, schema: p.schema ?? { type: 'string' } })),
        queryParams: parameters
          .filter((p) => p.in === 'query')
          .map((p) => ({
            name: p.name,
            required: p.required === true,
            schema: p.schema ?? { type: 'string' },
          })),
        body: op.requestBody?.content?.['application/json']?.schema,
      });
    }
  }
  return { operations, components: doc.components?.schemas ?? {} };
}

/** Fills a template's `{param}` slots in order. */
export const fillTemplate = (template: string, values: readonly string[]): string => {
  let i = 0;
  return template.replace(/\{[^}]+\}/g, () => values[i++] ?? '');
};
