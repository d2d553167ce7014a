/**
 * Atelio (formerly Bond) API client: transactions and cards. Every request carries the raw
 * `Identity` and `Authorization` headers. Paths are versioned; this client speaks `/api/v0.1`.
 */
import type { z } from 'zod';
import { createHttpClient, shapeError } from './http';
import type { FetchLike } from './http';
import {
  AtelioCardSchema,
  AtelioErrorSchema,
  AtelioTransactionPageSchema,
  AtelioTransactionSchema,
} from '../vendor-schemas';
import type { AtelioCard, AtelioTransaction } from '../vendor-schemas';

export interface AtelioClientOptions {
  /** Host root (https://sandbox.atelio.com) or a URL already ending in /api/v0.1. */
  baseUrl: string;
  identity: string;
  authorization: string;
  fetch?: FetchLike | undefined;
  timeoutMs?: number | undefined;
  now?: (() => number) | undefined;
  /** Page size for listing; must be one of Atelio's allowed counts. Default 1000. */
  pageSize?: 1 | 2 | 5 | 10 | 20 | 50 | 100 | 1000 | 5000 | 10000 | undefined;
}

export interface TransactionQuery {
  customerId: string;
  paymentType?: 'ach' | 'card' | 'account' | undefined;
  /** YYYY-MM-DD, inclusive. */
  startDate?: string | undefined;
  endDate?: string | undefined;
}

export interface AtelioClient {
  getTransaction(transactionId: string): Promise<AtelioTransaction>;
  /** Every page of `GET /transactions` for a customer; unreadable items are reported, not fatal. */
  listTransactions(
    query: TransactionQuery,
  ): Promise<{ transactions: AtelioTransaction[]; unreadable: number }>;
  getCard(cardId: string): Promise<AtelioCard>;
}

/** A guard against a server whose `next_page` never ends. */
const MAX_PAGES = 10_000;

const describeIssue = (error: z.ZodError) =>
  error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');

export function createAtelioClient(options: AtelioClientOptions): AtelioClient {
  const root = options.baseUrl.replace(/\/+$/, '');
  const baseUrl = /\/api\/v0(\.1)?$/.test(root) ? root : `${root}/api/v0.1`;
  const http = createHttpClient({
    vendor: 'atelio',
    baseUrl,
    headers: { Identity: options.identity, Authorization: options.authorization },
    fetch: options.fetch,
    timeoutMs: options.timeoutMs,
    now: options.now,
    describeError: (body) => {
      const parsed = AtelioErrorSchema.safeParse(body);
      return parsed.success ? { message: parsed.data.Message, code: parsed.data.Code } : {};
    },
  });
  const pageSize = options.pageSize ?? 1000;

  return {
    async getTransaction(transactionId) {
      const path = `/transactions/${encodeURIComponent(transactionId)}`;
      let body = await http.getJson(path);
      // The documented examples show single transactions both bare and inside `{transactions: [...]}`.
      if (
        typeof body === 'object' &&
        body !== null &&
        Array.isArray((body as { transactions?: unknown }).transactions)
      ) {
        const list = (body as { transactions: unknown[] }).transactions;
        if (list.length === 1) body = list[0];
      }
      const parsed = AtelioTransactionSchema.safeParse(body);
      if (!parsed.success) throw shapeError('atelio', `GET ${path}`, describeIssue(parsed.error));
      return parsed.data;
    },

    async listTransactions(query) {
      const transactions: AtelioTransaction[] = [];
      let unreadable = 0;
      let page = 1;
      for (let guard = 0; guard < MAX_PAGES; guard++) {
        const body = await http.getJson('/transactions', {
          customer_id: query.customerId,
          payment_type: query.paymentType,
          start_date: query.startDate,
          end_date: query.endDate,
          count: pageSize,
          page,
          order_by: 'asc',
        });
        const parsed = AtelioTransactionPageSchema.safeParse(body);
        if (!parsed.success) throw shapeError('atelio', 'GET /transactions', describeIssue(parsed.error));
        for (const raw of parsed.data.transactions) {
          const txn = AtelioTransactionSchema.safeParse(raw);
          if (txn.success) transactions.push(txn.data);
          else unreadable++;
        }
        const next =
          parsed.data.next_page ?? (parsed.data.page < parsed.data.pages ? parsed.data.page + 1 : null);
        if (next === null || next <= page || parsed.data.transactions.length === 0) break;
        page = next;
      }
      return { transactions, unreadable };
    },

    async getCard(cardId) {
      const path = `/cards/${encodeURIComponent(cardId)}`;
      const body = await http.getJson(path);
      const parsed = AtelioCardSchema.safeParse(body);
      if (!parsed.success) throw shapeError('atelio', `GET ${path}`, describeIssue(parsed.error));
      return parsed.data;
    },
  };
}
