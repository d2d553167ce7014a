import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SCENARIO_SCHEMA_FILE, scenarioJsonSchema } from './json-schema';
import { BUILTIN_SCENARIO_DIR } from './loader';
import { STEP_TYPES } from './steps';

const committedFile = join(BUILTIN_SCENARIO_DIR, '..', SCENARIO_SCHEMA_FILE);
const shipped = readdirSync(BUILTIN_SCENARIO_DIR).filter((file) => file.endsWith('.yaml'));
const schema = scenarioJsonSchema();
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

/** A small valid file, for the tests to break one thing in. */
const minimal = () => ({
  version: 1,
  name: 'editor-check',
  description: 'A file as a user starts it',
  steps: [
    { name: 'customer', type: 'create-customer' },
    { name: 'purchase', type: 'authorize', card: '${customer.cardId}', amount: '12.50' },
  ],
});

describe('the scenario JSON Schema', () => {
  it('is committed as generated from the zod schema (regenerate: npx tsx scripts/write-scenario-schema.ts)', () => {
    expect(JSON.parse(readFileSync(committedFile, 'utf8'))).toEqual(schema);
  });

  it.each(shipped)('accepts the shipped %s, which points editors at it on its first line', (file) => {
    const text = readFileSync(join(BUILTIN_SCENARIO_DIR, file), 'utf8');
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=../${SCENARIO_SCHEMA_FILE}`);
    const valid = validate(parse(text));
    expect(validate.errors ?? [], file).toEqual([]);
    expect(valid).toBe(true);
  });

  it('offers every step type by name', () => {
    const types = new Set<string>();
    JSON.stringify(schema, (key, value: unknown) => {
      if (key === 'type' && typeof value === 'object' && value && 'const' in value)
        types.add(String((value as { const: unknown }).const));
      return value;
    });
    expect([...types].sort()).toEqual([...STEP_TYPES].sort());
  });

  it('accepts a minimal file with a ${…} reference in a step field', () => {
    expect(validate(minimal()), JSON.stringify(validate.errors)).toBe(true);
  });

  it('rejects a misspelt step type, an unknown field and a wrong value type', () => {
    const misspelt = minimal();
    misspelt.steps[0] = { name: 'customer', type: 'create-custmer' };
    expect(validate(misspelt)).toBe(false);

    const unknownField = minimal();
    (unknownField.steps[0] as Record<string, unknown>)['colour'] = 'blue';
    expect(validate(unknownField)).toBe(false);

    const wrongVersion = { ...minimal(), version: 2 };
    expect(validate(wrongVersion)).toBe(false);

    const badName = { ...minimal(), name: 'Editor Check' };
    expect(validate(badName)).toBe(false);
  });
});
