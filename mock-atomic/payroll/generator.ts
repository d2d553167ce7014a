import { fromCents, type SeededRandom } from '../../core/random';
import type { PayrollPayloads } from './schema';

/**
 * Seeded UserLink payroll data for one employment: deposit accounts, employment, identity, income,
 * biweekly statements with paystubs, timesheets and tax forms. Money is computed in cents; statement
 * net = gross − deductions, and year-to-date figures accumulate across statements.
 */

const DAY_MS = 24 * 3600 * 1000;
const noonUtc = (ms: number) => {
  const d = new Date(ms);
  d.setUTCHours(12, 0, 0, 0);
  return d.getTime();
};
const iso = (ms: number) => new Date(ms).toISOString();

export interface PayrollPerson {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
}

export interface PayrollFiles {
  /** Called once per paystub or tax form; returns the new file's id. */
  newFile(kind: 'paystub' | 'w2' | '1099', name: string): string;
}

export function generatePayrollData(
  random: SeededRandom,
  options: {
    anchorMs: number;
    /**
     * When the person was first seen (default `anchorMs`): the birth date and the employment start
     * are placed from it, so retrieving the same person again later keeps them.
     */
    identityAnchorMs?: number;
    employerName: string;
    person: PayrollPerson;
    files: PayrollFiles;
  },
): PayrollPayloads {
  const { faker } = random;
  const { anchorMs, person, files } = options;
  const identityAnchorMs = options.identityAnchorMs ?? anchorMs;
  const state = faker.location.state({ abbreviated: true });
  const city = faker.location.city();
  const postalCode = faker.location.zipCode('#####');
  const annualCents = random.int(38_000, 145_000) * 100;
  const hourlyCents = Math.round(annualCents / 2080);
  const biweeklyGrossCents = Math.round(annualCents / 26);
  const startMs = noonUtc(identityAnchorMs - random.int(400, 3000) * DAY_MS);
  const bankName = random.pick(['Molecular Bank', 'First Federal Savings', 'Harbor Credit Union']);
  const routingNumber = random.pick(['123123123', '110000000', '021000021']);

  const lastPayMs = noonUtc(anchorMs - random.int(1, 13) * DAY_MS);
  const statements: PayrollPayloads['statements'] = [];
  let ytdGross = 0;
  let ytdNet = 0;
  const statementCount = 6;
  for (let i = statementCount - 1; i >= 0; i--) {
    const payMs = lastPayMs - i * 14 * DAY_MS;
    const periodEnd = payMs - 3 * DAY_MS;
    const periodStart = periodEnd - 13 * DAY_MS;
    const federal = Math.round(biweeklyGrossCents * 0.12);
    const stateTax = Math.round(biweeklyGrossCents * 0.045);
    const retirement = Math.round(biweeklyGrossCents * 0.05);
    const net = biweeklyGrossCents - federal - stateTax - retirement;
    ytdGross += biweeklyGrossCents;
    ytdNet += net;
    const deductions = [
      {
        category: 'taxes',
        label: 'Federal Income Tax',
        rawLabel: 'Federal Income Tax',
        amount: fromCents(federal),
        ytdAmount: fromCents(federal * (statementCount - i)),
      },
      {
        category: 'taxes',
        label: 'State Income Tax',
        rawLabel: `${state} State Tax`,
        amount: fromCents(stateTax),
        ytdAmount: fromCents(stateTax * (statementCount - i)),
      },
      {
        category: 'retirement',
        label: '401k',
        rawLabel: '401K PRE-TAX',
        amount: fromCents(retirement),
        ytdAmount: fromCents(retirement * (statementCount - i)),
      },
    ];
    const fields = {
      date: iso(payMs),
      payPeriodStartDate: iso(periodStart),
      payPeriodEndDate: iso(periodEnd),
      grossAmount: fromCents(biweeklyGrossCents),
      ytdGrossAmount: fromCents(ytdGross),
      netAmount: fromCents(net),
      ytdNetAmount: fromCents(ytdNet),
      paymentMethod: 'deposit' as const,
      hours: 80,
      deductions,
      earnings: [
        {
          category: 'regular',
          rawLabel: 'Regular Pay',
          amount: fromCents(biweeklyGrossCents),
          ytdAmount: fromCents(ytdGross),
          hours: 80,
          rate: fromCents(hourlyCents),
        },
      ],
    };
    const fileId = files.newFile('paystub', `paystub-${iso(payMs).slice(0, 10)}.pdf`);
    statements.push({ ...fields, paystub: { _id: fileId, url: '' }, parsedData: structuredClone(fields) });
  }
  statements.reverse(); // newest first

  const timesheets: PayrollPayloads['timesheets'] = [];
  for (let i = 1; i <= 10; i++) {
    const day = noonUtc(anchorMs - i * DAY_MS);
    const clockedIn = day + random.int(-4, -2) * 3600 * 1000;
    const duration = random.int(300, 540);
    timesheets.push({
      duration,
      date: iso(day),
      type: random.chance(0.1) ? 'unpaid' : 'paid',
      clockedIn: iso(clockedIn),
      clockedOut: iso(clockedIn + duration * 60 * 1000),
    });
  }

  const taxYear = new Date(anchorMs).getUTCFullYear() - 1;
  const wagesCents = annualCents - Math.round(annualCents * 0.05);
  const w2Id = files.newFile('w2', `w2-${taxYear}.pdf`);
  const employerAddress = { line1: faker.location.streetAddress(), city, state, postalCode };
  const taxes: PayrollPayloads['taxes'] = [
    {
      type: 'w2',
      year: `${taxYear}-01-01T00:00:00.000Z`,
      totalWages: fromCents(wagesCents),
      form: { _id: w2Id, url: '' },
      parsedData: {
        taxYear,
        employeeTin: `XXX-XX-${String(random.int(0, 9999)).padStart(4, '0')}`,
        employerTin: `${random.int(10, 99)}-${random.int(1_000_000, 9_999_999)}`,
        employerNameAddress: { name1: options.employerName, ...employerAddress },
        controlNumber: `${random.int(100000, 999999)} ${faker.string.alphanumeric({ length: 6, casing: 'upper' })}`,
        employeeName: { first: person.firstName, last: person.lastName },
        employeeAddress: { line1: faker.location.streetAddress(), city, state, postalCode },
        wages: fromCents(wagesCents),
        federalTaxWithheld: fromCents(Math.round(wagesCents * 0.12)),
        socialSecurityWages: fromCents(annualCents),
        socialSecurityTaxWithheld: fromCents(Math.round(annualCents * 0.062)),
        medicareWages: fromCents(annualCents),
        medicareTaxWithheld: fromCents(Math.round(annualCents * 0.0145)),
        socialSecurityTips: 0,
        allocatedTips: 0,
        dependentCareBenefit: 0,
        nonQualifiedPlan: 0,
        codes: [{ code: 'D', amount: fromCents(Math.round(annualCents * 0.05)) }],
        other: [],
        statutory: false,
        retirementPlan: true,
        thirdPartySickPay: false,
        stateTaxWithholding: [
          {
            stateTaxWithheld: fromCents(Math.round(wagesCents * 0.045)),
            state,
            stateTaxId: `${state} ${random.int(100000000, 999999999)}`,
            stateIncome: fromCents(wagesCents),
          },
        ],
        localTaxWithholding: [],
      },
    },
  ];
  if (random.chance(0.3)) {
    taxes.push({
      type: '1099',
      year: `${taxYear}-01-01T00:00:00.000Z`,
      form: { _id: files.newFile('1099', `1099-${taxYear}.pdf`), url: '' },
    });
  }

  const payPeriodEnd = lastPayMs + 11 * DAY_MS;
  return {
    'deposit-accounts': [
      [
        {
          routingNumber,
          accountNumber: `XXXX${String(random.int(0, 9999)).padStart(4, '0')}`,
          type: 'checking',
          bankName,
          distributionType: 'percent',
          distributionAmount: 80,
        },
        {
          routingNumber,
          accountNumber: `XXXX${String(random.int(0, 9999)).padStart(4, '0')}`,
          type: 'savings',
          bankName,
          distributionType: 'percent',
          distributionAmount: 20,
        },
      ],
    ],
    employment: {
      employeeType: random.pick(['fulltime', 'fulltime', 'parttime']),
      employmentStatus: 'active',
      jobTitle: faker.person.jobTitle(),
      startDate: iso(startMs),
      minimumMonthsOfEmployment: Math.floor((anchorMs - startMs) / (30.44 * DAY_MS)),
      weeklyHours: 40,
      employer: {
        name: options.employerName,
        address: { line1: employerAddress.line1, city, state, postalCode, country: 'USA' },
      },
    },
    identity: {
      firstName: person.firstName,
      lastName: person.lastName,
      dateOfBirth: iso(noonUtc(identityAnchorMs - random.int(22, 60) * 365.25 * DAY_MS)),
      email: person.email,
      phone: person.phone,
      ssn: String(random.int(100_00_0000, 899_99_9999)),
      address: faker.location.streetAddress(),
      city,
      state,
      postalCode,
    },
    income: {
      income: fromCents(annualCents),
      incomeType: 'yearly',
      annualIncome: fromCents(annualCents),
      hourlyIncome: fromCents(hourlyCents),
      netHourlyRate: fromCents(Math.round(hourlyCents * 0.785)),
      payCycle: 'biweekly',
      nextExpectedPayDate: iso(lastPayMs + 14 * DAY_MS),
      currentPayPeriodStart: iso(payPeriodEnd - 13 * DAY_MS),
      currentPayPeriodEnd: iso(payPeriodEnd),
      unpaidHoursInPayPeriod: random.int(8, 72),
    },
    statements,
    timesheets,
    taxes,
  };
}
