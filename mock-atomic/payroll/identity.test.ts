import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ADP_COMPANY_ID } from '../companies/catalog';
import { expectOk, makeAtomic } from '../testing';
import { payrollResponseSchema, type PayrollKind } from './schema';

/**
 * Refreshing a payroll linked account (`POST /task-workflow/from-linked-account`) reads the same
 * person again: SSN, date of birth, employer and income stay; the pay dates move with time.
 */

const DAY = 86_400_000;
const Started = z.object({ data: z.object({ task: z.object({ _id: z.string() }) }) });

type Payload = Record<string, string | number | Record<string, unknown>>;

/** The first entry of a payroll kind: its payload (under the kind's key) and the task that retrieved it. */
async function entry(
  atomic: ReturnType<typeof makeAtomic>,
  kind: PayrollKind,
  key: string,
  identifier: string,
) {
  const { data } = await expectOk(
    await atomic.request('GET', `/${kind}/${identifier}`),
    payrollResponseSchema(kind),
  );
  const first = data[0] as unknown as Record<string, unknown> & { task: string };
  return { task: first.task, payload: first[key] as Payload };
}

describe('payroll identity across refreshes', () => {
  it('keeps the SSN, date of birth, employer and income over 5 refreshes a day apart', async () => {
    const atomic = makeAtomic();
    const { request, clock, baseline } = atomic;
    const person = async () => {
      const identity = await entry(atomic, 'identity', 'identity', 'demo-user');
      const id = identity.payload;
      const job = (await entry(atomic, 'employment', 'employment', 'demo-user')).payload;
      const pay = (await entry(atomic, 'income', 'income', 'demo-user')).payload;
      return {
        task: identity.task,
        same: {
          ssn: id['ssn'],
          dateOfBirth: id['dateOfBirth'],
          name: `${String(id['firstName'])} ${String(id['lastName'])}`,
          employer: job['employer'],
          startDate: job['startDate'],
          jobTitle: job['jobTitle'],
          annualIncome: pay['annualIncome'],
          payCycle: pay['payCycle'],
        },
        nextPay: String(pay['nextExpectedPayDate']),
      };
    };
    const first = await person();
    const seen = [first];
    for (let refresh = 0; refresh < 5; refresh++) {
      await clock.advance(DAY);
      const { data } = await expectOk(
        await request('POST', '/task-workflow/from-linked-account', {
          body: { linkedAccount: baseline.linkedAccountId, tasks: [{ operation: 'verify' }] },
        }),
        Started,
      );
      await clock.advance(6_000);
      const now = await person();
      // Fresh data from the new task, about the same person.
      expect(now.task).toBe(data.task._id);
      expect(now.same).toEqual(first.same);
      seen.push(now);
    }
    expect(new Set(seen.map((p) => p.task)).size).toBe(6);
    // What follows the calendar does move on.
    expect(seen.at(-1)!.nextPay >= first.nextPay).toBe(true);
  });

  it('is the same person for the same seed on another store, and another for another user', async () => {
    const a = makeAtomic();
    const b = makeAtomic();
    const ssn = async (atomic: ReturnType<typeof makeAtomic>, identifier: string) =>
      (await entry(atomic, 'identity', 'identity', identifier)).payload['ssn'];
    expect(await ssn(a, 'demo-user')).toBe(await ssn(b, 'demo-user'));
    a.store.connectMerchant({ identifier: 'someone-else', companyId: ADP_COMPANY_ID, product: 'verify' });
    expect(await ssn(a, 'someone-else')).not.toBe(await ssn(a, 'demo-user'));
  });
});
