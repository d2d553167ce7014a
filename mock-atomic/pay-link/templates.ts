import type { SeededRandom } from '../../core/random';
import type { CompanyRecord } from '../companies/catalog';
import type {
  AccountAction,
  AccountBilling,
  AccountData,
  AccountIdentity,
  AccountSuggestion,
} from './schema';

/**
 * Account contents for connected PayLink subscription-style accounts (vendor-docs 001): plans,
 * usage, billing with history, suggestions and actions. Seeded, so a given seed always yields the
 * same bills.
 */

export interface SubscriptionContent {
  sourceId: string;
  suggestions: AccountSuggestion[];
  identities: AccountIdentity[];
  billing: AccountBilling;
  data: AccountData;
  actions: AccountAction[];
}

const DAY_MS = 24 * 3600 * 1000;

/** Action ids are opaque base64 tokens in Atomic; ours encode which account and action they are. */
export const actionId = (accountId: string, type: string): string =>
  Buffer.from(JSON.stringify({ account: accountId, action: type })).toString('base64');

const PLANS: Record<string, { title: string; description: string; cents: number }[]> = {
  subscription: [
    { title: 'Family Account', description: 'Premium (No Ads)', cents: 1899 },
    { title: 'Standard', description: 'Standard with Ads', cents: 799 },
    { title: 'Premium', description: 'Premium, 4 screens', cents: 2299 },
  ],
  telecom: [
    { title: 'Unlimited Plus', description: '5G Unlimited, 2 lines', cents: 9000 },
    { title: 'Gigabit Internet', description: '1 Gbps home internet', cents: 7699 },
  ],
  policy: [{ title: 'Auto Policy', description: 'Full coverage, 2 vehicles', cents: 14250 }],
  loan: [{ title: 'Student Loan', description: 'Smart Option Student Loan', cents: 31718 }],
};

export function subscriptionContent(
  random: SeededRandom,
  options: {
    company: CompanyRecord;
    accountId: string;
    anchorMs: number;
    identity: AccountIdentity;
    card?: { lastFour: string; brand: string } | undefined;
    /** Monthly add-on in cents (0 for none); default seeded. An add-on comes with a savings suggestion. */
    addOnCents?: number;
  },
): SubscriptionContent {
  const kind = options.company.accountType ?? 'subscription';
  const plan = random.pick(PLANS[kind] ?? PLANS['subscription']!);
  const extraCents = options.addOnCents ?? random.pick([0, 0, 299, 1000]);
  const amountCents = plan.cents + extraCents;
  const dueMs = options.anchorMs + random.int(3, 27) * DAY_MS;
  const due = new Date(dueMs);
  due.setUTCHours(23, 59, 59, 0);
  const history = Array.from({ length: 3 }, (_, i) => ({
    date: new Date(dueMs - (i + 1) * 30 * DAY_MS).toISOString(),
    amount: amountCents / 100,
  }));
  const items = [{ description: `${options.company.name} ${plan.description}`, amount: plan.cents / 100 }];
  if (extraCents > 0) items.push({ description: 'Add-on bundle', amount: extraCents / 100 });
  const suggestions: AccountSuggestion[] =
    extraCents > 0
      ? [
          {
            monthlySavings: extraCents / 100,
            category: 'remove-service',
            actionUrl: `https://sandbox.atomicfi.com/actions/${options.accountId}/remove-service`,
            shortDescription: 'Remove add-on bundle',
            detailedDescription: `You are paying $${(extraCents / 100).toFixed(2)} per month for an add-on bundle. If you are not using it, remove it to save that amount monthly.`,
            buttonTitle: 'Remove Now',
          },
        ]
      : [];
  return {
    sourceId: random.uuid(),
    suggestions,
    identities: [options.identity],
    billing: {
      accountNumber: String(random.int(1000_0000, 9999_9999)) + String(random.int(1000_0000, 9999_9999)),
      amount: amountCents / 100,
      dueDate: due.toISOString(),
      autopay: { status: 'enabled', cycle: 'monthly' },
      items,
      history,
      paymentMethods: options.card
        ? [{ type: 'card', lastFour: options.card.lastFour, brand: options.card.brand, isPrimary: true }]
        : [],
    },
    data: {
      plans: [
        {
          sourceId: `${options.company.name} (${plan.description})`,
          status: 'active',
          title: plan.title,
          description: plan.description,
          freeTrial: false,
        },
      ],
      usage: [{ title: 'profile', description: `${options.identity.firstName ?? 'Primary'} Profile` }],
    },
    actions: (['change-plan', 'cancel-plan', 'pause-plan'] as const).map((type) => ({
      type,
      id: actionId(options.accountId, type),
    })),
  };
}
