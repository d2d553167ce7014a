import { describe, expect, it } from 'vitest';
import { toCents } from '../../core/random';
import { expectDocumentedFields, expectError, expectOk, makeAtomic } from '../testing';
import { PAYROLL_KINDS, PAYROLL_KIND_NAMES, payrollResponseSchema, type PayrollKind } from './schema';

// vendor-docs 002: every data entry has the payload key plus company, connector, task and linkedAccount.
const ENTRY_FIELDS = ['company', 'connector', 'linkedAccount', 'task'];
const PAYLOAD_FIELDS: Record<PayrollKind, string[]> = {
  'deposit-accounts': [
    'routingNumber',
    'accountNumber',
    'type',
    'bankName',
    'distributionType',
    'distributionAmount',
  ],
  employment: [
    'employeeType',
    'employmentStatus',
    'jobTitle',
    'startDate',
    'minimumMonthsOfEmployment',
    'weeklyHours',
    'employer',
  ],
  identity: [
    'firstName',
    'lastName',
    'dateOfBirth',
    'email',
    'phone',
    'ssn',
    'address',
    'city',
    'state',
    'postalCode',
  ],
  income: [
    'income',
    'incomeType',
    'annualIncome',
    'hourlyIncome',
    'netHourlyRate',
    'payCycle',
    'nextExpectedPayDate',
    'currentPayPeriodStart',
    'currentPayPeriodEnd',
    'unpaidHoursInPayPeriod',
  ],
  statements: [
    'date',
    'payPeriodStartDate',
    'payPeriodEndDate',
    'grossAmount',
    'netAmount',
    'paymentMethod',
    'hours',
    'deductions',
    'earnings',
    'paystub',
  ],
  timesheets: ['duration', 'date', 'type', 'clockedIn', 'clockedOut'],
  taxes: ['type', 'year', 'totalWages', 'form', 'parsedData'],
};

/** The documented object in an entry: depositAccounts is an array of arrays, statements etc. arrays. */
function firstPayloadObject(kind: PayrollKind, payload: unknown): unknown {
  if (kind === 'deposit-accounts') return (payload as unknown[][])[0]![0];
  return Array.isArray(payload) ? payload[0] : payload;
}

describe('UserLink payroll data routes', () => {
  it.each(PAYROLL_KIND_NAMES)(
    'GET /%s/:identifier returns data[] with the documented fields',
    async (kind) => {
      const { request, baseline } = makeAtomic();
      const body = await expectOk(await request('GET', `/${kind}/demo-user`), payrollResponseSchema(kind));
      expect(body.data).toHaveLength(1);
      const entry = body.data[0] as Record<string, unknown>;
      expectDocumentedFields(entry, [PAYROLL_KINDS[kind].key, ...ENTRY_FIELDS], `${kind} entry`);
      expect(entry['linkedAccount']).toBe(baseline.linkedAccountId);
      expect(entry).toMatchObject({ company: { name: 'ADP' }, connector: { name: 'ADP' } });
      expectDocumentedFields(
        firstPayloadObject(kind, entry[PAYROLL_KINDS[kind].key]),
        PAYLOAD_FIELDS[kind],
        kind,
      );
      expect(entry['outputMetadata']).toBeUndefined();
    },
  );

  it('computes statements whose net is gross minus deductions, with paystub URLs', async () => {
    const { request } = makeAtomic();
    const body = await expectOk(
      await request('GET', '/statements/demo-user'),
      payrollResponseSchema('statements'),
    );
    const statements = (
      body.data[0] as unknown as {
        statements: {
          grossAmount: number;
          netAmount: number;
          deductions: { amount: number }[];
          paystub: { url: string };
        }[];
      }
    ).statements;
    expect(statements.length).toBeGreaterThan(1);
    for (const s of statements) {
      const deductions = s.deductions.reduce((sum, d) => sum + toCents(d.amount), 0);
      expect(toCents(s.grossAmount) - deductions).toBe(toCents(s.netAmount));
      expect(s.paystub.url).toMatch(
        /^http:\/\/localhost\/__sandbox\/files\/[0-9a-f]{24}\?expires=\d+&signature=[0-9a-f]{64}$/,
      );
    }
  });

  it('honours limit on statements and includeOutputMetadata', async () => {
    const { request } = makeAtomic();
    const body = await expectOk(
      await request('GET', '/statements/demo-user?limit=2&includeOutputMetadata=true'),
      payrollResponseSchema('statements'),
    );
    const entry = body.data[0] as unknown as { statements: unknown[]; outputMetadata?: unknown };
    expect(entry.statements).toHaveLength(2);
    expectDocumentedFields(entry.outputMetadata, ['retrievedAt', 'source', 'connector'], 'outputMetadata');
  });

  it('returns what a given task retrieved, and the newest retrieval without one', async () => {
    const { request, store, clock, baseline } = makeAtomic();
    const older = store.listUserTasks('demo-user', { payrollDataAvailable: true })[0]!;
    store.startTaskWorkflow({
      linkedAccountId: baseline.linkedAccountId!,
      tasks: [{ operation: 'verify', onComplete: 'continue', onFail: 'continue' }],
    });
    await clock.advance(10_000);
    const latest = await expectOk(await request('GET', '/income/demo-user'), payrollResponseSchema('income'));
    expect(latest.data).toHaveLength(1);
    expect(latest.data[0]?.task).not.toBe(older._id);
    const byTask = await expectOk(
      await request('GET', `/income/demo-user?task=${older._id}`),
      payrollResponseSchema('income'),
    );
    expect(byTask.data.map((e) => e.task)).toEqual([older._id]);
    const byLinked = await expectOk(
      await request('GET', `/income/demo-user?linkedAccount=${baseline.linkedAccountId}`),
      payrollResponseSchema('income'),
    );
    expect(byLinked.data).toHaveLength(1);
  });

  it('answers an empty data list for a user without payroll data', async () => {
    const { request } = makeAtomic();
    const body = await expectOk(
      await request('GET', '/employment/demo-user-disconnected'),
      payrollResponseSchema('employment'),
    );
    expect(body.data).toEqual([]);
  });

  it('answers unknown users, tasks and linked accounts with 404', async () => {
    const { request } = makeAtomic();
    await expectError(await request('GET', '/identity/nobody'), 404, 40402);
    await expectError(await request('GET', '/identity/demo-user?task=0123456789abcdef01234567'), 404, 40402);
    await expectError(
      await request('GET', '/identity/demo-user?linkedAccount=0123456789abcdef01234567'),
      404,
      40402,
    );
  });

  it.each([
    ['/statements/demo-user?limit=0', 'query.limit'],
    ['/statements/demo-user?limit=ten', 'query.limit'],
    ['/taxes/demo-user?task=abc', 'query.task'],
    ['/income/demo-user?includeOutputMetadata=yes', 'query.includeOutputMetadata'],
  ])('rejects %s with 422 on %s', async (path, field) => {
    const { request } = makeAtomic();
    const error = await expectError(await request('GET', path), 422, 42201);
    expect(error.errors?.map((e) => e.path)).toContain(field);
  });
});
