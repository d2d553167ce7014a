import { describe, expect, it } from 'vitest';
import { PreScreenResponseSchema } from '../payroll/schema';
import { expectDocumentedFields, expectError, expectOk, isoTime, makeAtomic } from '../testing';
import { CompanySearchResponseSchema } from './schema';

// vendor-docs 002, "Company Search" response fields.
const COMPANY_FIELDS = ['_id', 'name', 'status', 'connector', 'branding', 'tags'];

describe('POST /company/search', () => {
  it('finds companies by name with the documented fields', async () => {
    const { request } = makeAtomic();
    const { data } = await expectOk(
      await request('POST', '/company/search', { body: { query: 'amaz' } }),
      CompanySearchResponseSchema,
    );
    expect(data.map((c) => c.name)).toEqual(['Amazon']);
    expectDocumentedFields(data[0], COMPANY_FIELDS, 'company');
    expectDocumentedFields(data[0]!.connector, ['availableProducts'], 'company.connector');
    expect(data[0]!.branding.logo?.url).toMatch(/^https:\/\//);
    expect(data[0]!._id).toBe('65272c415d8a530008e972df');
  });

  it('is open to client calls with a public token', async () => {
    const { request, publicToken } = makeAtomic();
    const { data } = await expectOk(
      await request('POST', '/company/search', {
        auth: { publicToken: publicToken() },
        body: { query: 'hulu' },
      }),
      CompanySearchResponseSchema,
    );
    expect(data.map((c) => c.name)).toEqual(['Hulu']);
  });

  it('filters by scopes, tags, excludedTags and products', async () => {
    const { request } = makeAtomic();
    const names = async (body: object) =>
      (
        await expectOk(await request('POST', '/company/search', { body }), CompanySearchResponseSchema)
      ).data.map((c) => c.name);
    expect(await names({ tags: ['gig-economy'] })).toEqual(['DoorDash', 'Uber']);
    const payLink = await names({ scopes: ['pay-link'] });
    expect(payLink).toEqual(expect.arrayContaining(['Amazon', 'Hulu', 'Netflix']));
    expect(payLink).not.toContain('ADP');
    expect(await names({ scopes: ['pay-link'], query: 'a' })).toEqual(['Amazon', 'Sallie Mae']);
    expect(await names({ tags: ['payroll-provider'], excludedTags: ['payroll-provider'] })).toEqual([]);
    expect(await names({ product: 'tax', tags: ['gig-economy'] })).toEqual([]);
    expect(await names({ query: 'paychex' })).toEqual(['Paychex']);
  });

  it('reports a company under maintenance', async () => {
    const { request } = makeAtomic();
    const { data } = await expectOk(
      await request('POST', '/company/search', { body: { query: 'paychex' } }),
      CompanySearchResponseSchema,
    );
    expect(data[0]?.status).toBe('under-maintenance');
  });

  it('rejects an unknown tag with 422', async () => {
    const { request } = makeAtomic();
    const error = await expectError(
      await request('POST', '/company/search', { body: { tags: ['crypto'] } }),
      422,
      42201,
    );
    expect(error.errors?.[0]?.path).toBe('tags.0');
  });
});

describe('POST /pre-screen', () => {
  const identity = (lastName: string) => ({ firstName: 'Jane', lastName, ssn: '111223333' });

  it('returns incomeSources with data.userStatus, origin and lookupDate', async () => {
    const { request } = makeAtomic();
    const body = await expectOk(
      await request('POST', '/pre-screen', {
        body: { identifier: 'prospect', identity: identity('Appleseed') },
      }),
      PreScreenResponseSchema,
    );
    const [source] = body.incomeSources;
    expectDocumentedFields(source, ['data', 'company'], 'incomeSource');
    expectDocumentedFields(source!.data, ['userStatus', 'origin', 'lookupDate'], 'incomeSource.data');
    expect(source).toMatchObject({
      data: { userStatus: 'VERIFIED_PAYROLL', origin: 'pre-screen' },
      company: { name: 'ADP' },
    });
    expect(source!.data.lookupDate).toBe('2025-03-10T15:00:00.000Z');
    expect(source!.data.lookupDate).toMatch(isoTime);
  });

  it('answers NOT_FOUND and UNSUPPORTED_PAYROLL for the magic last names', async () => {
    const { request } = makeAtomic();
    const status = async (lastName: string) =>
      (
        await expectOk(
          await request('POST', '/pre-screen', { body: { identifier: 'p', identity: identity(lastName) } }),
          PreScreenResponseSchema,
        )
      ).incomeSources[0]?.data.userStatus;
    expect(await status('NotFound')).toBe('NOT_FOUND');
    expect(await status('Unsupported')).toBe('UNSUPPORTED_PAYROLL');
  });

  it('verifies a user with a linked payroll account at that payroll system', async () => {
    const { request } = makeAtomic();
    const body = await expectOk(
      await request('POST', '/pre-screen', {
        body: { identifier: 'demo-user', identity: identity('NotFound') },
      }),
      PreScreenResponseSchema,
    );
    expect(body.incomeSources.map((s) => [s.company.name, s.data.userStatus])).toEqual([
      ['ADP', 'VERIFIED_PAYROLL'],
    ]);
  });

  it.each([
    ['a missing identity', { identifier: 'p' }, 'identity'],
    [
      'a malformed ssn',
      { identifier: 'p', identity: { firstName: 'A', lastName: 'B', ssn: '12-34' } },
      'identity.ssn',
    ],
  ])('rejects %s with 422', async (_label, body, path) => {
    const { request } = makeAtomic();
    const error = await expectError(await request('POST', '/pre-screen', { body }), 422, 42201);
    expect(error.errors?.map((e) => e.path)).toContain(path);
  });
});
