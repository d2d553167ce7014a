import fc from 'fast-check';

/**
 * Turns the JSON Schemas of an OpenAPI 3.1 document into fast-check arbitraries of values that
 * mostly satisfy them. Valid-looking input gets past the first validation layer, so the fuzzer
 * reaches the handlers and the stores; the mutators in hostile.ts then break it in one place.
 *
 * Only the keywords the mocks' documents use are understood; anything else falls back to
 * arbitrary JSON, which is still useful input.
 */

export type JsonSchema = Record<string, unknown>;

export interface SchemaContext {
  /** `components.schemas` of the document, for `$ref`. */
  components: Record<string, JsonSchema>;
}

const MAX_DEPTH = 6;

const anyJson = fc.jsonValue({ maxDepth: 3 });

const asSchema = (value: unknown): JsonSchema =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonSchema) : {};

export function resolveRef(schema: JsonSchema, context: SchemaContext): JsonSchema {
  let current = schema;
  for (let hops = 0; typeof current['$ref'] === 'string' && hops < 20; hops++) {
    const name = (current['$ref'] as string).split('/').pop() ?? '';
    current = context.components[name] ?? {};
  }
  return current;
}

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = typeof schema['minLength'] === 'number' ? schema['minLength'] : 0;
  const maxLength = typeof schema['maxLength'] === 'number' ? Math.min(schema['maxLength'], 64) : 24;
  const options: fc.Arbitrary<string>[] = [];
  if (typeof schema['pattern'] === 'string') {
    try {
      // Patterns are anchored in the documents; stringMatching needs them anchored to stay in bounds.
      const pattern = schema['pattern'];
      const anchored = new RegExp(
        `${pattern.startsWith('^') ? '' : '^'}${pattern}${pattern.endsWith('$') ? '' : '$'}`,
      );
      options.push(fc.stringMatching(anchored).filter((s) => s.length <= Math.max(maxLength, 64)));
    } catch {
      // A pattern JavaScript cannot compile: plain strings instead.
    }
  }
  switch (schema['format']) {
    case 'date-time':
      options.push(
        fc
          .date({
            min: new Date('2000-01-01T00:00:00Z'),
            max: new Date('2099-12-31T00:00:00Z'),
            noInvalidDate: true,
          })
          .map((d) => d.toISOString()),
      );
      break;
    case 'date':
      options.push(
        fc
          .date({
            min: new Date('2000-01-01T00:00:00Z'),
            max: new Date('2099-12-31T00:00:00Z'),
            noInvalidDate: true,
          })
          .map((d) => d.toISOString().slice(0, 10)),
      );
      break;
    case 'uri':
    case 'url':
      // Webhook URLs get delivered to: keep them on this machine, on a port nothing listens on.
      options.push(
        fc.webPath().map((path) => `http://127.0.0.1:9${path.startsWith('/') ? path : `/${path}`}`),
      );
      break;
    case 'email':
      options.push(fc.emailAddress());
      break;
    case 'uuid':
      options.push(fc.uuid());
      break;
  }
  if (options.length === 0 || schema['format'] === undefined) {
    options.push(fc.string({ minLength, maxLength: Math.max(minLength, maxLength) }));
  }
  if (typeof schema['example'] === 'string') options.push(fc.constant(schema['example']));
  return fc.oneof(...options);
}

function numberArbitrary(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = typeof schema['minimum'] === 'number' ? schema['minimum'] : integer ? -1000 : -1e6;
  const max = typeof schema['maximum'] === 'number' ? schema['maximum'] : integer ? 1_000_000 : 1e6;
  if (integer) {
    const lo = Math.max(Math.ceil(min), Number.MIN_SAFE_INTEGER);
    const hi = Math.min(Math.floor(max), Number.MAX_SAFE_INTEGER);
    return lo <= hi ? fc.integer({ min: lo, max: hi }) : fc.integer();
  }
  return fc.oneof(
    fc.double({ min, max, noNaN: true, noDefaultInfinity: true }),
    // Money-shaped values: two decimals, as both vendors use.
    fc.integer({ min: 0, max: 100_000 }).map((cents) => Math.min(max, Math.max(min, cents / 100))),
  );
}

/** An arbitrary of values that (mostly) match `schema`. */
export function arbitraryFor(schemaIn: unknown, context: SchemaContext, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolveRef(asSchema(schemaIn), context);
  if (depth > MAX_DEPTH) return anyJson;
  if ('const' in schema) return fc.constant(schema['const']);
  if (Array.isArray(schema['enum']) && schema['enum'].length > 0)
    return fc.constantFrom(...(schema['enum'] as unknown[]));
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0)
      return fc.oneof(...options.map((option) => arbitraryFor(option, context, depth + 1)));
  }
  if (Array.isArray(schema['allOf']) && schema['allOf'].length > 0) {
    // Merge the object parts; enough for the documents' use (a base object plus extra fields).
    const parts = (schema['allOf'] as unknown[]).map((part) => resolveRef(asSchema(part), context));
    const merged: JsonSchema = { type: 'object', properties: {}, required: [] };
    for (const part of parts) {
      Object.assign(merged['properties'] as object, asSchema(part['properties']));
      (merged['required'] as unknown[]).push(...(Array.isArray(part['required']) ? part['required'] : []));
    }
    return arbitraryFor(merged, context, depth + 1);
  }
  const type = schema['type'];
  if (Array.isArray(type)) {
    return fc.oneof(...type.map((t) => arbitraryFor({ ...schema, type: t }, context, depth + 1)));
  }
  switch (type) {
    case 'string':
      return stringArbitrary(schema);
    case 'integer':
      return numberArbitrary(schema, true);
    case 'number':
      return numberArbitrary(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = typeof schema['minItems'] === 'number' ? schema['minItems'] : 0;
      const maxLength = Math.max(
        minLength,
        typeof schema['maxItems'] === 'number' ? Math.min(schema['maxItems'], 4) : 3,
      );
      return fc.array(arbitraryFor(schema['items'], context, depth + 1), { minLength, maxLength });
    }
    case 'object':
    case undefined: {
      const properties = asSchema(schema['properties']);
      const names = Object.keys(properties);
      if (names.length === 0) {
        return type === 'object'
          ? fc.dictionary(fc.string({ maxLength: 12 }), anyJson, { maxKeys: 4 })
          : anyJson;
      }
      const required = new Set(Array.isArray(schema['required']) ? (schema['required'] as string[]) : []);
      const shape: Record<string, fc.Arbitrary<unknown>> = {};
      for (const name of names) shape[name] = arbitraryFor(properties[name], context, depth + 1);
      return fc.record(shape, { requiredKeys: names.filter((n) => required.has(n)) });
    }
    default:
      return anyJson;
  }
}
