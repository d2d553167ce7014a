/**
 * The companies the sandbox knows. Ids are fixed (not seeded) so that deeplinks and scenario files
 * can name them: Amazon's id is the one Atomic's own example apps use, Hulu's and ADP's come from the
 * vendor docs' examples; the rest are stable ids of this sandbox.
 */

export type CompanyScope = 'pay-link' | 'user-link';
export type UserLinkProduct = 'deposit' | 'verify' | 'tax';
export type PayLinkAccountType = 'subscription' | 'loan' | 'policy' | 'telecom' | 'ecommerce';

export interface CompanyRecord {
  _id: string;
  name: string;
  status: 'operational' | 'under-maintenance';
  scopes: CompanyScope[];
  tags: string[];
  connector: {
    _id: string;
    name: string;
    availableProducts: UserLinkProduct[];
    capabilities?: { distributionTypes: string[] };
  };
  branding: { logo: { url: string; backgroundColor: string }; color: string };
  /** For PayLink companies: what kind of account a connection creates. */
  accountType?: PayLinkAccountType;
  /** Upper-case fragments of bank transaction descriptions that identify the company (detection). */
  descriptors: string[];
}

export const AMAZON_COMPANY_ID = '65272c415d8a530008e972df';
export const HULU_COMPANY_ID = '6529a6eccb8e7200085c6ef6';
export const ADP_COMPANY_ID = '5d38f1e8512bbf71fb776015';

const logo = (slug: string, backgroundColor: string) => ({
  url: `https://cdn-public.atomicfi.com/sandbox/${slug}.png`,
  backgroundColor,
});

const payLink = (
  _id: string,
  name: string,
  accountType: PayLinkAccountType,
  color: string,
  descriptors: string[],
  connectorId: string,
): CompanyRecord => ({
  _id,
  name,
  status: 'operational',
  scopes: ['pay-link'],
  tags: [],
  connector: { _id: connectorId, name, availableProducts: [] },
  branding: { logo: logo(name.toLowerCase().replace(/[^a-z0-9]+/g, '-'), color), color },
  accountType,
  descriptors,
});

const userLink = (
  _id: string,
  name: string,
  tags: string[],
  connectorId: string,
  connectorName: string,
  color: string,
  products: UserLinkProduct[] = ['deposit', 'verify', 'tax'],
): CompanyRecord => ({
  _id,
  name,
  status: 'operational',
  scopes: ['user-link'],
  tags,
  connector: {
    _id: connectorId,
    name: connectorName,
    availableProducts: products,
    capabilities: { distributionTypes: ['total', 'fixed', 'percent'] },
  },
  branding: { logo: logo(name.toLowerCase().replace(/[^a-z0-9]+/g, '-'), '#FFFFFF'), color },
  descriptors: [],
});

export const COMPANIES: readonly CompanyRecord[] = [
  payLink(
    AMAZON_COMPANY_ID,
    'Amazon',
    'ecommerce',
    '#FF9900',
    ['AMZN', 'AMAZON'],
    '65272c415d8a530008e972e0',
  ),
  {
    ...payLink(HULU_COMPANY_ID, 'Hulu', 'subscription', '#040405', ['HULU'], '6529a6eccb8e7200085c6ef7'),
    branding: {
      logo: {
        url: 'https://cdn-public.atomicfi.com/60e83c17-cda4-4b5a-98c6-c83199c54d48.png',
        backgroundColor: '#040405',
      },
      color: '#040405',
    },
  },
  payLink(
    '6529a6eccb8e7200085c6f01',
    'Netflix',
    'subscription',
    '#E50914',
    ['NETFLIX'],
    '6529a6eccb8e7200085c6f02',
  ),
  payLink(
    '6529a6eccb8e7200085c6f03',
    'Spotify',
    'subscription',
    '#1DB954',
    ['SPOTIFY'],
    '6529a6eccb8e7200085c6f04',
  ),
  payLink(
    '6529a6eccb8e7200085c6f05',
    'Disney+',
    'subscription',
    '#113CCF',
    ['DISNEY PLUS', 'DISNEYPLUS'],
    '6529a6eccb8e7200085c6f06',
  ),
  payLink(
    '6529a6eccb8e7200085c6f07',
    'Verizon',
    'telecom',
    '#CD040B',
    ['VERIZON', 'VZWRLSS'],
    '6529a6eccb8e7200085c6f08',
  ),
  payLink(
    '6529a6eccb8e7200085c6f09',
    'T-Mobile',
    'telecom',
    '#E20074',
    ['T-MOBILE', 'TMOBILE'],
    '6529a6eccb8e7200085c6f0a',
  ),
  payLink(
    '6529a6eccb8e7200085c6f0b',
    'Xfinity',
    'telecom',
    '#6138F5',
    ['COMCAST', 'XFINITY'],
    '6529a6eccb8e7200085c6f0c',
  ),
  payLink('6529a6eccb8e7200085c6f0d', 'GEICO', 'policy', '#154B8C', ['GEICO'], '6529a6eccb8e7200085c6f0e'),
  payLink(
    '6529a6eccb8e7200085c6f0f',
    'Sallie Mae',
    'loan',
    '#0F5FA6',
    ['SALLIE MAE', 'SALLIEMAE'],
    '6529a6eccb8e7200085c6f10',
  ),
  userLink(ADP_COMPANY_ID, 'ADP', ['payroll-provider'], '5d38f182512bbf0c06776013', 'ADP', '#9460FE'),
  userLink(
    '5d38f1e8512bbf71fb776016',
    'DoorDash',
    ['gig-economy'],
    '5d38f182512bbf0c06776014',
    'DoorDash',
    '#FF3008',
    ['deposit'],
  ),
  userLink(
    '5d38f1e8512bbf71fb776017',
    'Uber',
    ['gig-economy'],
    '5d38f182512bbf0c06776015',
    'Uber',
    '#000000',
    ['deposit', 'verify'],
  ),
  userLink('5d77f9e1070856f3828945c6', 'DoTerra', [], '5d77f95207085632a58945c3', 'ADP', '#4F9E8C'),
  userLink('5d38f1e8512bbf71fb776018', 'Walmart', [], '5d38f182512bbf0c06776016', 'Workday', '#0071CE'),
  userLink(
    '5d38f1e8512bbf71fb776019',
    'Gusto',
    ['payroll-provider'],
    '5d38f182512bbf0c06776017',
    'Gusto',
    '#F45D48',
  ),
  {
    ...userLink(
      '5d38f1e8512bbf71fb77601a',
      'Paychex',
      ['payroll-provider'],
      '5d38f182512bbf0c06776018',
      'Paychex',
      '#004B8D',
    ),
    status: 'under-maintenance',
  },
  userLink(
    '5d38f1e8512bbf71fb77601b',
    'State Unemployment Insurance',
    ['unemployment'],
    '5d38f182512bbf0c06776019',
    'State UI',
    '#2E7D32',
    ['deposit'],
  ),
  userLink(
    '607e249736b9f053b536bde0',
    'Test Company',
    [],
    '607e249736b9f053b536bde1',
    'Test Connector',
    '#090721',
  ),
];

const byId = new Map(COMPANIES.map((c) => [c._id, c]));

export const findCompany = (id: string): CompanyRecord | undefined => byId.get(id);

export interface CompanySearch {
  query?: string | undefined;
  scopes?: CompanyScope[] | undefined;
  products?: UserLinkProduct[] | undefined;
  tags?: string[] | undefined;
  excludedTags?: string[] | undefined;
}

/** Case-insensitive name search with Atomic's filters; an empty query matches every company. */
export function searchCompanies(search: CompanySearch, limit = 25): CompanyRecord[] {
  const needle = (search.query ?? '').trim().toLowerCase();
  return COMPANIES.filter((c) => {
    if (needle && !c.name.toLowerCase().includes(needle)) return false;
    if (search.scopes?.length && !search.scopes.some((s) => c.scopes.includes(s))) return false;
    if (search.products?.length && !search.products.every((p) => c.connector.availableProducts.includes(p)))
      return false;
    if (search.tags?.length && !search.tags.some((t) => c.tags.includes(t))) return false;
    if (search.excludedTags?.length && search.excludedTags.some((t) => c.tags.includes(t))) return false;
    return true;
  }).slice(0, limit);
}

/** Finds the known company a bank transaction description or merchant name points to. */
export function detectCompany(text: string): CompanyRecord | undefined {
  const upper = text.toUpperCase();
  return COMPANIES.find((c) => c.descriptors.some((d) => upper.includes(d)));
}
