import type { SeededRandom } from '../../core/random';

/** Merchant category codes the mock knows by name (ISO 18245 descriptions as card networks print them). */
export const MCC_DESCRIPTIONS: Readonly<Record<string, string>> = {
  '4121': 'Taxicabs/Limousines',
  '4899': 'Cable, Satellite, and Other Pay Television and Radio',
  '4900': 'Utilities',
  '5310': 'Discount Stores',
  '5411': 'Grocery Stores, Supermarkets',
  '5541': 'Service Stations',
  '5732': 'Electronics Stores',
  '5812': 'Eating Places, Restaurants',
  '5814': 'Fast Food Restaurants',
  '5815': 'Digital Goods Media – Books, Movies, Music',
  '5912': 'Drug Stores and Pharmacies',
  '5942': 'Book Stores',
  '5977': 'Cosmetic Stores',
  '5999': 'Miscellaneous and Specialty Retail Stores',
  '7832': 'Motion Picture Theaters',
  '7922': 'Theatrical Producers (Except Motion Pictures) and Ticket Agencies',
};

export const mccDescription = (mcc: string): string => MCC_DESCRIPTIONS[mcc] ?? 'Miscellaneous';

export interface MerchantProfile {
  key: string;
  merchantName: (random: SeededRandom) => string;
  city: string;
  state: string;
  postalCode: string;
  mcc: string;
  merchantId: string;
  /** Inclusive range of purchase amounts, in cents. */
  amountCents: [number, number];
  /** Relative frequency in the seeded history. */
  weight: number;
  cardholderPresent: boolean;
  products?: string[];
}

const alnum = (random: SeededRandom, length: number) =>
  random.faker.string.alphanumeric({ length, casing: 'upper' });

/**
 * Amazon's card descriptors as they appear on real statements: a marketplace purchase is
 * "AMZN Mktp US*" + 6 characters, a retail one "Amazon.com*" + 8, both billed from "Amzn.com/bill".
 * The stitcher has to recognise all of these as Amazon.
 */
export const amazonMarketplaceDescriptor = (random: SeededRandom) => `AMZN Mktp US*${alnum(random, 6)}`;
export const amazonRetailDescriptor = (random: SeededRandom) => `Amazon.com*${alnum(random, 8)}`;
export const amazonDigitalDescriptor = (random: SeededRandom) => `AMZN Digital*${alnum(random, 6)}`;

const fixed = (name: string) => () => name;

export const MERCHANTS: readonly MerchantProfile[] = [
  {
    key: 'amazon-marketplace',
    merchantName: amazonMarketplaceDescriptor,
    city: 'Amzn.com/bill',
    state: 'WA',
    postalCode: '98109',
    mcc: '5942',
    merchantId: '784959000762203',
    amountCents: [899, 11999],
    weight: 14,
    cardholderPresent: false,
  },
  {
    key: 'amazon-retail',
    merchantName: amazonRetailDescriptor,
    city: 'Amzn.com/bill',
    state: 'WA',
    postalCode: '98109',
    mcc: '5942',
    merchantId: '784959000762203',
    amountCents: [1299, 14999],
    weight: 9,
    cardholderPresent: false,
  },
  {
    key: 'amazon-digital',
    merchantName: amazonDigitalDescriptor,
    city: 'Amzn.com/bill',
    state: 'WA',
    postalCode: '98109',
    mcc: '5815',
    merchantId: '784959000770011',
    amountCents: [199, 1499],
    weight: 3,
    cardholderPresent: false,
  },
  {
    key: 'whole-foods',
    merchantName: (r) => `WHOLEFDS MKT ${r.int(10100, 10599)}`,
    city: 'Austin',
    state: 'TX',
    postalCode: '78703',
    mcc: '5411',
    merchantId: '000445120093311',
    amountCents: [1850, 16500],
    weight: 10,
    cardholderPresent: true,
    products: ['GROCERY'],
  },
  {
    key: 'trader-joes',
    merchantName: (r) => `TRADER JOE'S #${r.int(100, 799)}`,
    city: 'Portland',
    state: 'OR',
    postalCode: '97214',
    mcc: '5411',
    merchantId: '000391870044127',
    amountCents: [1200, 9800],
    weight: 7,
    cardholderPresent: true,
    products: ['GROCERY'],
  },
  {
    key: 'shell',
    merchantName: (r) => `SHELL OIL ${r.int(57400000, 57499999)}`,
    city: 'Houston',
    state: 'TX',
    postalCode: '77002',
    mcc: '5541',
    merchantId: '000221904418823',
    amountCents: [2500, 7200],
    weight: 6,
    cardholderPresent: true,
  },
  {
    key: 'starbucks',
    merchantName: (r) => `STARBUCKS STORE ${String(r.int(1000, 99999)).padStart(5, '0')}`,
    city: 'Seattle',
    state: 'WA',
    postalCode: '98101',
    mcc: '5814',
    merchantId: '000120555003478',
    amountCents: [395, 1285],
    weight: 9,
    cardholderPresent: true,
  },
  {
    key: 'chipotle',
    merchantName: (r) => `CHIPOTLE ${r.int(1000, 3999)}`,
    city: 'Denver',
    state: 'CO',
    postalCode: '80202',
    mcc: '5814',
    merchantId: '000347791220065',
    amountCents: [1045, 3290],
    weight: 5,
    cardholderPresent: true,
  },
  {
    key: 'target',
    merchantName: (r) => `Target #${r.int(1000, 4999)}`,
    city: 'Minneapolis',
    state: 'MN',
    postalCode: '55403',
    mcc: '5310',
    merchantId: '000583100127734',
    amountCents: [1599, 14999],
    weight: 5,
    cardholderPresent: true,
  },
  {
    key: 'cvs',
    merchantName: (r) => `CVS/PHARMACY #${String(r.int(100, 9999)).padStart(5, '0')}`,
    city: 'Chicago',
    state: 'IL',
    postalCode: '60601',
    mcc: '5912',
    merchantId: '000591200448812',
    amountCents: [649, 5400],
    weight: 4,
    cardholderPresent: true,
  },
  {
    key: 'uber',
    merchantName: fixed('UBER *TRIP'),
    city: 'San Francisco',
    state: 'CA',
    postalCode: '94103',
    mcc: '4121',
    merchantId: '000412100993201',
    amountCents: [890, 4650],
    weight: 4,
    cardholderPresent: false,
  },
  {
    key: 'best-buy',
    merchantName: (r) => `BEST BUY ${String(r.int(100, 1999)).padStart(8, '0')}`,
    city: 'Richfield',
    state: 'MN',
    postalCode: '55423',
    mcc: '5732',
    merchantId: '000573200511904',
    amountCents: [1999, 39999],
    weight: 1,
    cardholderPresent: true,
  },
];

/** Monthly subscriptions, charged on a fixed day of the month for a fixed amount. */
export const SUBSCRIPTIONS: readonly (MerchantProfile & { dayOfMonth: number })[] = [
  {
    key: 'netflix',
    merchantName: fixed('NETFLIX.COM'),
    city: 'Los Gatos',
    state: 'CA',
    postalCode: '95032',
    mcc: '4899',
    merchantId: '000489900100412',
    amountCents: [1549, 1549],
    weight: 0,
    cardholderPresent: false,
    dayOfMonth: 7,
  },
  {
    key: 'spotify',
    merchantName: fixed('Spotify USA'),
    city: 'New York',
    state: 'NY',
    postalCode: '10007',
    mcc: '5815',
    merchantId: '000581500230977',
    amountCents: [1199, 1199],
    weight: 0,
    cardholderPresent: false,
    dayOfMonth: 19,
  },
];

/** The multi-settlement purchase of vendor-docs 003: authorised 35.93, settled 30.49 then 5.44. */
export const MULTI_SETTLEMENT_EXAMPLE = {
  merchantName: 'Paypal *Sephora Usa',
  city: '4029357733',
  state: 'CA',
  postalCode: '94105',
  mcc: '5977',
  merchantId: '000174030076999',
  statementDescriptor: 'PAYPAL *SEPHORA USA   4029357733   USAPAYPAL   *SEPHORA USA',
  products: ['COSMETICS', 'BEAUTY'],
  authorisedCents: 3593,
  settlementsCents: [3049, 544],
} as const;

/** How a purchase shows on the statement: the merchant name, upper-cased, padded, then where it was. */
export function statementDescriptorFor(merchantName: string, city: string, state: string): string {
  return `${merchantName.toUpperCase().padEnd(25)}${city.toUpperCase().padEnd(14)}${state.toUpperCase()}USA`;
}

/** Amazon's own merchant profiles (every card descriptor Amazon charges under). */
export const isAmazonMerchant = (merchant: MerchantProfile): boolean => merchant.key.startsWith('amazon-');

/** Picks a merchant by weight, among those `allowed` (default: all). */
export function pickMerchant(
  random: SeededRandom,
  allowed: (merchant: MerchantProfile) => boolean = () => true,
): MerchantProfile {
  const candidates = MERCHANTS.filter(allowed);
  const total = candidates.reduce((sum, m) => sum + m.weight, 0);
  let roll = random.int(1, total);
  for (const merchant of candidates) {
    roll -= merchant.weight;
    if (roll <= 0) return merchant;
  }
  return candidates[candidates.length - 1]!;
}
