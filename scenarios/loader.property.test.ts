import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScenarioFileError, parseScenario } from './loader';
import { STEP_TYPES } from './steps';

/**
 * Whatever a scenario file holds, loading it either succeeds or fails with a ScenarioFileError that
 * names where the problem is: never a crash inside the loader.
 */

const anyValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.constantFrom('${customer.cardId}', '${nope.x}', '${ }', '+1d', '-2h', '4242', 'hidden', 'card'),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string(), { maxKeys: 3 }),
);

const fieldNames = fc.constantFrom(
  'name',
  'type',
  'at',
  'after',
  'note',
  'card',
  'amount',
  'merchant',
  'transaction',
  'account',
  'orders',
  'generateOrders',
  'reason',
  'repeat',
  'steps',
  'value',
);

const step = fc.record({
  name: fc.oneof(fc.constantFrom('customer', 'buy', 'settle'), fc.string({ maxLength: 10 })),
  type: fc.oneof(fc.constantFrom(...STEP_TYPES), fc.string({ maxLength: 10 })),
  extra: fc.dictionary(fieldNames, anyValue, { maxKeys: 4 }),
});

describe('parseScenario', () => {
  it('either loads or names the problem, for any steps', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 0, maxLength: 5 }),
        fc.oneof(fc.constant(1), anyValue),
        (steps, version) => {
          const data = {
            version,
            name: 'fuzz',
            description: 'd',
            steps: [
              { name: 'customer', type: 'create-customer' },
              ...steps.map((s) => ({ name: s.name, type: s.type, ...s.extra })),
            ],
          };
          try {
            parseScenario(data, 'fuzz.yaml');
          } catch (error) {
            expect(error).toBeInstanceOf(ScenarioFileError);
            const problems = (error as ScenarioFileError).problems;
            expect(problems.length).toBeGreaterThan(0);
            for (const problem of problems) expect(problem.message.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 400, seed: 20_251_121 },
    );
  });

  it('never crashes on a file that is not a scenario at all', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (data) => {
        try {
          parseScenario(data, 'junk.yaml');
        } catch (error) {
          expect(error).toBeInstanceOf(ScenarioFileError);
        }
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
