import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIO_DIR } from '../../scenarios';
import { validateScenarioFiles } from './scenario-validate';

const dir = mkdtempSync(join(tmpdir(), 'scenario-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function validate(...files: string[]) {
  let out = '';
  let err = '';
  const code = validateScenarioFiles(
    files,
    { write: (text: string) => (out += text) },
    { write: (text: string) => (err += text) },
  );
  return { code, out, err };
}

const HEADER =
  '# yaml-language-server: $schema=../scenario.schema.json\nversion: 1\nname: qa-flow\ndescription: A flow\nsteps:\n';

describe('stitch-sandbox scenario validate', () => {
  it('accepts every shipped scenario, naming it and counting its steps', () => {
    const files = readdirSync(BUILTIN_SCENARIO_DIR).map((file) => join(BUILTIN_SCENARIO_DIR, file));
    const result = validate(...files);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/multi-settlement\.yaml: valid \(scenario "multi-settlement", 5 steps\)/);
    expect(result.out.trim().split('\n')).toHaveLength(files.length);
  });

  it('reports the engine’s own errors with step and field, and exits 1', () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, `${HEADER}  - name: customer\n    type: create-custmer\n`);
    const result = validate(file);
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toContain(`${file}: invalid scenario file`);
    expect(result.err).toMatch(
      /step "customer" \(steps\[0\]\) field "type": unknown step type "create-custmer"/,
    );
  });

  it('checks what JSON Schema cannot: references to earlier steps', () => {
    const file = join(dir, 'reference.yaml');
    writeFileSync(
      file,
      `${HEADER}  - name: customer\n    type: create-customer\n  - name: purchase\n    type: authorize\n    card: \${nowhere.cardId}\n    amount: '1.00'\n`,
    );
    const result = validate(file);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/step "purchase".*nowhere/);
  });

  it('checks what JSON Schema cannot: an offset’s syntax', () => {
    const file = join(dir, 'offset.yaml');
    writeFileSync(file, `${HEADER}  - name: customer\n    type: create-customer\n    at: tomorrow\n`);
    const result = validate(file);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/field "at"/);
  });

  it('validates several files and fails if any one is invalid', () => {
    const good = join(BUILTIN_SCENARIO_DIR, 'multi-settlement.yaml');
    const missing = join(dir, 'nope.yaml');
    const result = validate(good, missing);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/multi-settlement\.yaml: valid/);
    expect(result.err).toMatch(/nope\.yaml: invalid scenario file\n {2}cannot read the file/);
  });
});
