import type { RecordedResponse } from '../support/published-spec';
import { send, type InProcessApp } from './crawl';

/**
 * The writes an integrator makes, in the order one makes them, each answer recorded: generated
 * requests rarely name ids that exist, so these make sure every write operation is also seen
 * succeeding. Each step reads the ids it needs from earlier answers.
 */

type Record_ = (response: RecordedResponse) => void;
type Json = Record<string, unknown>;

const parse = (body: string): Json => (body.startsWith('{') ? (JSON.parse(body) as Json) : {});

export async function atomicWrites(
  app: InProcessApp,
  record: Record_,
  auth: Record<string, string>,
  user: { identifier: string; linkedAccountId?: string },
): Promise<void> {
  const json = { ...auth, 'content-type': 'application/json' };
  const call = async (method: string, path: string, body?: unknown) =>
    parse(
      (
        await send(app, record, method, path, {
          headers: body === undefined ? auth : json,
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        })
      ).body,
    );
  const { identifier } = user;

  await call('PUT', '/user', {
    identifier,
    data: { cards: [{ number: '4242424242424242', expiry: '12/29', cvv: '123', brand: 'visa' }] },
  });
  await call('POST', `/${encodeURIComponent(identifier)}/pay-link/accounts`, {
    financialTransactions: [
      { id: 'ft-1', date: '2025-03-01', description: 'NETFLIX.COM', amount: -15.49, currency: 'usd' },
      { id: 'ft-2', date: '2025-02-01', description: 'NETFLIX.COM', amount: -15.49, currency: 'usd' },
    ],
  });
  const companies = await call('POST', '/company/search', { query: 'a' });
  const companyId = ((companies['data'] as Json[] | undefined)?.[0]?.['_id'] as string | undefined) ?? '';
  await call('POST', '/task/prescreen', { company: companyId, identifier });
  await call('POST', '/pre-screen', { identifier, identity: { firstName: 'Ada', lastName: 'Lovelace' } });
  if (user.linkedAccountId)
    await call('POST', '/task-workflow/from-linked-account', {
      linkedAccount: user.linkedAccountId,
      tasks: [{ operation: 'verify' }],
    });

  // A task's file: its signed URL, then the file itself.
  const tasks = await call('GET', `/user/${encodeURIComponent(identifier)}/tasks`);
  const statements = await call('GET', `/statements/${encodeURIComponent(identifier)}`);
  const fileIds = [...JSON.stringify(statements).matchAll(/"paystub":\{"_id":"([0-9a-f]{24})"/g)].map(
    (m) => m[1]!,
  );
  const taskIds = (((tasks['data'] as Json | undefined)?.['tasks'] as Json[] | undefined) ?? []).map((t) =>
    String(t['_id']),
  );
  for (const taskId of taskIds) {
    const answer = await call('GET', `/task/${taskId}/file/${fileIds[0] ?? 'none'}/generate-url`);
    const url = (answer['data'] as Json | undefined)?.['url'];
    if (typeof url === 'string') {
      const { pathname, search } = new URL(url);
      await send(app, record, 'GET', `${pathname}${search}`);
      break;
    }
  }

  const secret = await call('POST', '/secrets', { name: 'spec secret' });
  const secretId = String(((secret['data'] as Json)['secret'] as Json)['_id']);
  const endpoint = await call('POST', '/webhooks/endpoints', {
    url: 'https://bank.example/atomic',
    secretId,
    eventTypes: ['task-status-updated'],
  });
  const endpointId = String(((endpoint['data'] as Json)['endpoint'] as Json)['_id']);
  await call('PUT', `/webhooks/endpoints/${endpointId}`, {
    url: 'https://bank.example/atomic/v2',
    secretId,
    eventTypes: ['task-status-updated', 'pay-link-accounts-updated'],
  });
  await call('DELETE', `/webhooks/endpoints/${endpointId}`);
  await call('DELETE', `/secrets/${secretId}`);

  const token = await call('POST', '/access-token', { identifier });
  const publicToken = String((token['data'] as Json)['publicToken']);
  await call('PUT', `/access-token/${encodeURIComponent(publicToken)}/revoke`);
  await call('PUT', `/user/${encodeURIComponent(identifier)}/end-monitoring`);
}

export async function atelioWrites(
  app: InProcessApp,
  record: Record_,
  auth: Record<string, string>,
  prefix: string,
): Promise<void> {
  const json = { ...auth, 'content-type': 'application/json' };
  const call = async (method: string, path: string, body?: unknown) =>
    parse(
      (
        await send(app, record, method, `${prefix}${path}`, {
          headers: body === undefined ? auth : json,
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        })
      ).body,
    );
  const cards = await call('GET', '/cards?count=5');
  const cardId = String(((cards['cards'] as Json[] | undefined)?.[0] ?? {})['card_id']);
  const authorised = await call('POST', '/simulate/authorization', {
    card_id: cardId,
    amount: '35.93',
    transaction_datetime: '2025-03-10 14:00',
    currency: 'USD',
    merchant_name: 'AMZN Mktp US*2K4L71',
    merchant_city: 'Amzn.com/bill',
    merchant_state: 'WA',
    merchant_zip_code: '98109',
    mcc: '5942',
    mid: '7922',
  });
  const transactionId = String(authorised['transaction_id']);
  await call('POST', '/simulate/settlement', { transaction_id: transactionId, amount: '30.49' });
  await call('POST', '/simulate/settle', { transaction_id: transactionId });

  const created = await call('POST', '/webhooks', {
    url: 'https://bank.example/atelio',
    events: ['transactions'],
  });
  const id = String((created['webhook_subscription'] as Json)['id']);
  await call('GET', `/webhooks/${id}`);
  await call('PATCH', `/webhooks/${id}`, { status: 'STATUS_DISABLED' });
  await call('DELETE', `/webhooks/${id}`);
}
