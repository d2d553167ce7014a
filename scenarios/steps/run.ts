import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { PUBLIC_TRANSACTION_STATES } from '../../mock-atelio';
import { ChaosRuleInputSchema } from '../../core/webhooks';
import { CONNECTION_STATUSES } from '../../mock-atomic';
import { StepFailure, defineStep } from './types';

/** Steps about the run itself: letting time pass and checking the state reached. */

export const wait = defineStep({
  type: 'wait',
  vendor: 'run',
  summary: 'Lets time pass (set by at / after); timers due meanwhile, such as webhook retries, fire',
  params: z.object({}).strict(),
  resultFields: [],
  run: () => ({}),
});

export const expectStep = defineStep({
  type: 'expect',
  vendor: 'run',
  summary:
    'Checks the state reached: an account’s connectionStatus / orderCount, a transaction’s state / amount, or value equals; a mismatch fails the run',
  params: z
    .object({
      account: z.string().min(1).optional(),
      connectionStatus: z.enum(CONNECTION_STATUSES).optional(),
      orderCount: z.number().int().min(0).optional(),
      transaction: z.string().min(1).optional(),
      state: z.enum(PUBLIC_TRANSACTION_STATES).optional(),
      /** Atelio's signed decimal string, e.g. "-35.93". */
      amount: z
        .string()
        .regex(/^-?\d+\.\d{2}$/, 'amount is a signed decimal string like "-35.93"')
        .optional(),
      value: z.unknown().optional(),
      equals: z.unknown().optional(),
    })
    .strict(),
  resultFields: ['checked'],
  run(context, params) {
    const failures: string[] = [];
    let checked = 0;
    const check = (what: string, actual: unknown, expected: unknown) => {
      checked++;
      if (!isDeepStrictEqual(actual, expected))
        failures.push(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    };
    if (params.account !== undefined) {
      const account = context.atomic.getPayLinkAccount(params.account);
      if (params.connectionStatus !== undefined)
        check(
          `account ${params.account} connectionStatus`,
          account.connectionStatus,
          params.connectionStatus,
        );
      if (params.orderCount !== undefined)
        check(`account ${params.account} orderCount`, account.orders?.length ?? 0, params.orderCount);
    } else if (params.connectionStatus !== undefined || params.orderCount !== undefined) {
      throw new StepFailure('connectionStatus and orderCount need account');
    }
    if (params.transaction !== undefined) {
      const transaction = context.atelio.getTransaction(params.transaction);
      if (!transaction) throw new StepFailure(`no transaction ${params.transaction}`);
      if (params.state !== undefined)
        check(`transaction ${params.transaction} state`, transaction.state, params.state);
      if (params.amount !== undefined)
        check(`transaction ${params.transaction} amount`, transaction.amount, params.amount);
    } else if (params.state !== undefined || params.amount !== undefined) {
      throw new StepFailure('state and amount need transaction');
    }
    if ('value' in params || 'equals' in params) check('value', params.value, params.equals);
    if (checked === 0)
      throw new StepFailure('expect checks nothing: give account, transaction or value/equals');
    if (failures.length) throw new StepFailure(`expectation failed: ${failures.join('; ')}`);
    return { checked };
  },
});

export const chaos = defineStep({
  type: 'chaos',
  vendor: 'run',
  summary:
    'From here on, make this run’s webhook deliveries misbehave (rules: duplicate, reorder, delay, lost-ack, drop, with probability or count), or clear: true to stop',
  params: z
    .object({
      rules: z.array(ChaosRuleInputSchema).min(1).max(20).optional(),
      clear: z.boolean().optional(),
    })
    .strict(),
  resultFields: ['rules', 'cleared'],
  run(context, params) {
    if (!params.rules && !params.clear) throw new StepFailure('chaos needs rules, or clear: true');
    const cleared = params.clear ? context.chaos.clear() : 0;
    const rules = (params.rules ?? []).map((rule) => context.chaos.add(rule).id);
    return { rules, cleared };
  },
});

export const RUN_STEPS = [wait, expectStep, chaos];
