/**
 * Atomic API client: exactly the calls the stitcher needs. Server-to-server calls authenticate with
 * `x-api-key` + `x-api-secret` (vendor-docs 001). Sandbox base URL https://sandbox-api.atomicfi.com.
 */
import type { z } from 'zod';
import { createHttpClient, shapeError } from './http';
import type { FetchLike } from './http';
import { AtomicAccountResponseSchema, AtomicErrorSchema, AtomicOrderSchema } from '../vendor-schemas';
import type { AtomicOrder } from '../vendor-schemas';

export interface AtomicClientOptions {
  baseUrl: string;
  apiKey: string;
  apiSecret: string;
  fetch?: FetchLike | undefined;
  timeoutMs?: number | undefined;
  now?: (() => number) | undefined;
}

export interface OrderMonitoringAccount {
  id: string;
  connectionStatus: string;
  lastSyncedAt: string | null;
  companyId: string | null;
  companyName: string | null;
  orders: AtomicOrder[];
  /** Orders that did not have the fields stitching needs; kept out instead of failing the whole account. */
  unreadableOrders: Array<{ index: number; id: string | null; problem: string }>;
}

export interface AtomicClient {
  /** `GET /pay-link/accounts/:id`: connection status, last sync and every order of the account. */
  getAccount(accountId: string): Promise<OrderMonitoringAccount>;
}

const describeIssue = (error: z.ZodError) =>
  error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');

export function createAtomicClient(options: AtomicClientOptions): AtomicClient {
  const http = createHttpClient({
    vendor: 'atomic',
    baseUrl: options.baseUrl,
    headers: { 'x-api-key': options.apiKey, 'x-api-secret': options.apiSecret },
    fetch: options.fetch,
    timeoutMs: options.timeoutMs,
    now: options.now,
    describeError: (body) => {
      const parsed = AtomicErrorSchema.safeParse(body);
      return parsed.success
        ? {
            message: parsed.data.message,
            code: parsed.data.code === undefined ? undefined : String(parsed.data.code),
          }
        : {};
    },
  });

  return {
    async getAccount(accountId) {
      const path = `/pay-link/accounts/${encodeURIComponent(accountId)}`;
      const body = await http.getJson(path);
      const parsed = AtomicAccountResponseSchema.safeParse(body);
      if (!parsed.success) throw shapeError('atomic', `GET ${path}`, describeIssue(parsed.error));
      const account = parsed.data.data;
      const orders: AtomicOrder[] = [];
      const unreadableOrders: OrderMonitoringAccount['unreadableOrders'] = [];
      (account.orders ?? []).forEach((raw, index) => {
        const order = AtomicOrderSchema.safeParse(raw);
        if (order.success) orders.push(order.data);
        else {
          const id =
            typeof raw === 'object' && raw !== null && typeof (raw as { _id?: unknown })._id === 'string'
              ? (raw as { _id: string })._id
              : null;
          unreadableOrders.push({ index, id, problem: describeIssue(order.error) });
        }
      });
      return {
        id: account._id,
        connectionStatus: account.connectionStatus,
        lastSyncedAt: account.lastSyncedAt ?? null,
        companyId: account.company?._id ?? null,
        companyName: account.company?.name ?? null,
        orders,
        unreadableOrders,
      };
    },
  };
}
