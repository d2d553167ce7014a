import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BUILTIN_SCENARIO_DIR,
  ScenarioFileError,
  listScenarioFiles,
  loadScenarioFile,
  parseScenario,
} from './loader';
import { STEP_TYPES } from './steps';

const dir = mkdtempSync(join(tmpdir(), 'scenario-loader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** Writes a scenario file whose steps are `steps` (YAML text), valid apart from what a test breaks. */
function file(
  steps: string,
  header = 'version: 1\nname: qa-flow\ndescription: A flow a tester wrote\n',
): string {
  const path = join(dir, `flow-${++n}.yaml`);
  writeFileSync(path, `${header}steps:\n${steps}`);
  return path;
}

const VALID_STEPS = `
  - name: customer
    type: create-customer
  - name: purchase
    type: authorize
    after: +1h
    card: \${customer.cardId}
    amount: "35.93"
    merchant: paypal-sephora
  - name: settle-1
    type: settle
    at: +1d
    transaction: \${purchase.transactionId}
    amount: "30.49"
`;

function problemOf(path: string): ScenarioFileError {
  try {
    loadScenarioFile(path);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioFileError);
    return error as ScenarioFileError;
  }
  throw new Error(`${path} loaded without an error`);
}

describe('loadScenarioFile', () => {
  it('reads a valid file into steps with their timing and unresolved references', () => {
    const scenario = loadScenarioFile(file(VALID_STEPS));
    expect(scenario).toMatchObject({ name: 'qa-flow', version: 1, vendors: ['atelio'] });
    expect(scenario.steps.map((s) => [s.name, s.type, s.timing])).toEqual([
      ['customer', 'create-customer', { kind: 'after', ms: 0 }],
      ['purchase', 'authorize', { kind: 'after', ms: 3_600_000 }],
      ['settle-1', 'settle', { kind: 'at', ms: 86_400_000 }],
    ]);
    expect(scenario.steps[1]!.params).toEqual({
      card: '${customer.cardId}',
      amount: '35.93',
      merchant: 'paypal-sephora',
    });
  });

  it('names the file, the step and the field of an unknown step type and lists the valid types', () => {
    const path = file(`${VALID_STEPS}  - name: oops\n    type: setle\n    transaction: x\n`);
    const error = problemOf(path);
    expect(error.file).toBe(path);
    expect(error.problems).toEqual([
      { step: 'step "oops" (steps[3])', field: 'type', message: 'unknown step type "setle"' },
    ]);
    expect(error.message).toContain(path);
    expect(error.message).toContain(`Valid step types: ${STEP_TYPES.join(', ')}`);
    expect(STEP_TYPES).toEqual(
      expect.arrayContaining(['connect-account', 'refresh', 'authorize', 'settle', 'wait']),
    );
  });

  it('names the step and field of a value of the wrong type', () => {
    const error = problemOf(file(VALID_STEPS.replace('amount: "30.49"', 'amount: [30, 49]')));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ step: 'step "settle-1" (steps[2])', field: 'amount' });
  });

  it('says a required field is missing', () => {
    const error = problemOf(file(`  - name: settle-it\n    type: settle\n`));
    expect(error.problems).toEqual([
      { step: 'step "settle-it" (steps[0])', field: 'transaction', message: 'is required (string)' },
    ]);
  });

  it('names an unknown field and lists the fields the step type takes', () => {
    const error = problemOf(file(VALID_STEPS.replace('amount: "30.49"', 'ammount: "30.49"')));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]!.step).toBe('step "settle-1" (steps[2])');
    expect(error.problems[0]!.message).toBe(
      'unknown field "ammount"; settle takes: transaction, amount, name, at, after, note',
    );
  });

  it('points into nested fields such as an order inside a list', () => {
    const error = problemOf(
      file(`  - name: connect
    type: connect-account
    orders:
      - { amount: 12.5, lastFour: "4242" }
      - { amount: 20, lastFour: "42" }
`),
    );
    expect(error.problems).toEqual([
      {
        step: 'step "connect" (steps[0])',
        field: 'orders.1.lastFour',
        message: 'lastFour must be four digits, e.g. "4242"',
      },
    ]);
  });

  it('refuses a time that is not a relative time, naming the hint', () => {
    const error = problemOf(file(VALID_STEPS.replace('at: +1d', 'at: 1 day')));
    expect(error.problems[0]).toMatchObject({ step: 'step "settle-1" (steps[2])', field: 'at' });
    expect(error.problems[0]!.message).toMatch(/\+30s, \+2h, \+1d or \+1d2h30m/);
  });

  it('refuses at and after together, and at going back in time', () => {
    const both = problemOf(file(VALID_STEPS.replace('after: +1h', 'after: +1h\n    at: +2h')));
    expect(both.problems).toEqual([
      expect.objectContaining({
        step: 'step "purchase" (steps[1])',
        field: 'at',
        message: expect.stringMatching(/not both/),
      }),
    ]);
    const backwards = problemOf(
      file(`${VALID_STEPS}  - name: later
    type: wait
    at: +2h
`),
    );
    expect(backwards.problems).toEqual([
      expect.objectContaining({
        step: 'step "later" (steps[3])',
        field: 'at',
        message: expect.stringMatching(/before step "settle-1"/),
      }),
    ]);
  });

  it('refuses a reference to a step that does not come earlier, listing the earlier ones', () => {
    const error = problemOf(
      file(VALID_STEPS.replace('${purchase.transactionId}', '${purchse.transactionId}')),
    );
    expect(error.problems).toEqual([
      {
        step: 'step "settle-1" (steps[2])',
        field: 'transaction',
        message: expect.stringContaining(
          'refers to "purchse", which is not an earlier step; earlier steps: customer, purchase',
        ),
      },
    ]);
  });

  it('refuses a reference to a result field the step type does not produce', () => {
    const error = problemOf(file(VALID_STEPS.replace('${customer.cardId}', '${customer.cardID}')));
    expect(error.problems[0]!.message).toMatch(
      /a create-customer step's result has customerId, accountId, cardId, .*not "cardID"/,
    );
  });

  it('refuses duplicate step names and a wrong version', () => {
    expect(
      problemOf(file(`${VALID_STEPS}  - name: customer\n    type: wait\n`)).problems[0]!.message,
    ).toMatch(/already used by step "customer" \(steps\[0\]\)/);
    const version = problemOf(file(VALID_STEPS, 'version: 2\nname: qa-flow\ndescription: d\n'));
    expect(version.problems).toEqual([
      { field: 'version', message: 'version must be 1 (the only scenario format so far)' },
    ]);
  });

  it('reports YAML syntax errors with the file name', () => {
    const path = file('  - name: [unclosed\n');
    const error = problemOf(path);
    expect(error.message).toContain(path);
    expect(error.problems[0]!.message).toMatch(/^not valid YAML/);
  });

  it('reads JSON files too', () => {
    const path = join(dir, 'json-flow.json');
    writeFileSync(
      path,
      JSON.stringify({
        version: 1,
        name: 'json-flow',
        description: 'd',
        steps: [{ name: 'pause', type: 'wait', at: '+1h' }],
      }),
    );
    expect(loadScenarioFile(path).steps).toEqual([
      { name: 'pause', type: 'wait', timing: { kind: 'at', ms: 3_600_000 }, params: {}, source: 'steps[0]' },
    ]);
  });
});

describe('repeat blocks', () => {
  it('expands each iteration with numbered names, iteration-local references and times', () => {
    const scenario = parseScenario(
      {
        version: 1,
        name: 'daily',
        description: 'd',
        steps: [
          { name: 'customer', type: 'create-customer' },
          {
            repeat: { from: 2, to: 3, at: '+1d', every: '+1d' },
            steps: [
              {
                name: 'charge',
                type: 'authorize',
                card: '${customer.cardId}',
                amount: '5.00',
                merchant: 'starbucks',
              },
              { name: 'settle', type: 'settle', at: '+6h', transaction: '${charge.transactionId}' },
              {
                name: 'note',
                type: 'expect',
                value: 'day ${repeat.index} after ${repeat.previous}',
                equals: 'x',
              },
            ],
          },
        ],
      },
      'inline',
    );
    expect(scenario.steps.map((s) => [s.name, s.timing])).toEqual([
      ['customer', { kind: 'after', ms: 0 }],
      ['charge-2', { kind: 'at', ms: 86_400_000 }],
      ['settle-2', { kind: 'at', ms: 86_400_000 + 21_600_000 }],
      ['note-2', { kind: 'after', ms: 0 }],
      ['charge-3', { kind: 'at', ms: 2 * 86_400_000 }],
      ['settle-3', { kind: 'at', ms: 2 * 86_400_000 + 21_600_000 }],
      ['note-3', { kind: 'after', ms: 0 }],
    ]);
    expect(scenario.steps[5]!.params).toEqual({ transaction: '${charge-3.transactionId}' });
    expect(scenario.steps[4]!.params['card']).toBe('${customer.cardId}');
    expect(scenario.steps[6]!.params['value']).toBe('day 3 after 2');
    expect(scenario.steps[5]!.source).toBe('steps[1].steps[1] (repeat 3)');
  });

  it('names the block and field of a bad repeat', () => {
    expect(() =>
      parseScenario(
        {
          version: 1,
          name: 'daily',
          description: 'd',
          steps: [{ repeat: { to: 3, at: '+1d', every: '0' }, steps: [{ name: 'pause', type: 'wait' }] }],
        },
        'inline',
      ),
    ).toThrow(/repeat block steps\[0\] field "repeat.every": every must be longer than zero/);
  });
});

describe('listScenarioFiles', () => {
  it('finds the seven shipped scenarios, all valid', () => {
    const listings = listScenarioFiles([BUILTIN_SCENARIO_DIR]);
    expect([...listings.keys()].sort()).toEqual([
      'account-disconnection',
      'amazon-order-stitching',
      'amazon-returns-and-shipments',
      'continuous-access',
      'missing-payment-method',
      'multi-settlement',
      'order-monitoring',
    ]);
    for (const listing of listings.values()) expect(listing.error).toBeUndefined();
  });

  it('lets a later folder replace a shipped scenario of the same name, and lists broken files with their error', () => {
    const own = mkdtempSync(join(tmpdir(), 'scenario-own-'));
    try {
      writeFileSync(
        join(own, 'mine.yaml'),
        'version: 1\nname: multi-settlement\ndescription: my version\nsteps:\n  - { name: pause, type: wait }\n',
      );
      writeFileSync(join(own, 'broken.yaml'), 'version: 1\nname: broken\n');
      const listings = listScenarioFiles([BUILTIN_SCENARIO_DIR, own]);
      expect(listings.get('multi-settlement')?.scenario?.description).toBe('my version');
      expect(listings.get('broken')?.error).toMatch(/broken\.yaml: invalid scenario file/);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });
});
