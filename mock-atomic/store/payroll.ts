import type { CompanyRecord } from '../companies/catalog';
import { generatePayrollData } from '../payroll/generator';
import { PAYROLL_KIND_NAMES, type PayrollKind } from '../payroll/schema';
import { createHmac } from 'node:crypto';
import { iso, type StoreContext } from './context';
import { notFound } from './errors';
import type { FileRecord, PayrollRecord, TaskRecord, UserRecord } from './state';
import { taskRecord } from './tasks';
import type { PayrollEntry } from './types';
import { companyById, getUser } from './users';
import { companyRefFor } from './views';

/** Payroll (UserLink) data stored by successful payroll tasks, and the files it names. */

/**
 * Stores what a payroll task retrieved. The person behind a user's employment stays the same from
 * one retrieval to the next (a refresh through `POST /task-workflow/from-linked-account` reads the
 * same payroll account again): the data is drawn from a generator seeded by the store's seed, the
 * user and the company, with birth date and employment start placed from the first retrieval. Pay
 * dates and statements follow the retrieval time. Changing the user's identity changes the names.
 */
export function storePayrollData(
  ctx: StoreContext,
  task: TaskRecord,
  user: UserRecord,
  company: CompanyRecord,
): void {
  const now = ctx.clock.now();
  const random = ctx.identityRandom(`payroll:${user._id}:${company._id}`);
  const faker = random.faker;
  let firstSeen = now;
  for (const record of ctx.t.payroll.values())
    if (record.userId === user._id && record.companyId === company._id)
      firstSeen = Math.min(firstSeen, Date.parse(record.retrievedAt));
  const payloads = generatePayrollData(random, {
    anchorMs: now,
    identityAnchorMs: firstSeen,
    employerName: company.name === 'ADP' ? `${faker.company.name()} Inc.` : company.name,
    person: {
      firstName: user.identity?.['firstName'] ?? faker.person.firstName(),
      lastName: user.identity?.['lastName'] ?? faker.person.lastName(),
      email: user.identity?.['email'] ?? faker.internet.email().toLowerCase(),
      phone: user.identity?.['phone'] ?? faker.string.numeric(10),
    },
    files: {
      newFile: (kind, name) => {
        const file: FileRecord = {
          _id: ctx.ids.objectId(),
          taskId: task._id,
          userId: user._id,
          kind,
          name,
        };
        ctx.t.files.set(file._id, file);
        return file._id;
      },
    },
  });
  for (const kind of PAYROLL_KIND_NAMES) {
    const record: PayrollRecord = {
      _id: ctx.ids.objectId(),
      kind,
      userId: user._id,
      companyId: company._id,
      taskId: task._id,
      retrievedAt: iso(now),
      payload: payloads[kind],
    };
    if (task.linkedAccountId !== undefined) record.linkedAccountId = task.linkedAccountId;
    ctx.t.payroll.set(record._id, record);
  }
}

/**
 * Payroll data of one kind for a user: what `task` retrieved, or else the most recent retrieval
 * per linked account, optionally only for `linkedAccount`.
 */
export function payrollData(
  ctx: StoreContext,
  kind: PayrollKind,
  identifier: string,
  filter: { linkedAccount?: string; task?: string } = {},
): PayrollEntry[] {
  const user = getUser(ctx, identifier);
  if (filter.task !== undefined) {
    const task = ctx.t.tasks.get(filter.task);
    if (!task || task.userId !== user._id) throw notFound('task', filter.task);
  }
  if (filter.linkedAccount !== undefined) {
    const linked = ctx.t.linkedAccounts.get(filter.linkedAccount);
    if (!linked || linked.userId !== user._id) throw notFound('linked account', filter.linkedAccount);
  }
  const matching = [...ctx.t.payroll.values()].filter(
    (r) =>
      r.kind === kind &&
      r.userId === user._id &&
      (filter.task === undefined || r.taskId === filter.task) &&
      (filter.linkedAccount === undefined || r.linkedAccountId === filter.linkedAccount),
  );
  let chosen = matching;
  if (filter.task === undefined) {
    const latest = new Map<string, PayrollRecord>();
    for (const r of matching) {
      const key = r.linkedAccountId ?? r.companyId;
      const current = latest.get(key);
      if (!current || current.retrievedAt <= r.retrievedAt) latest.set(key, r);
    }
    chosen = [...latest.values()];
  }
  return chosen.map((r) => {
    const company = companyById(r.companyId);
    const entry: PayrollEntry = {
      kind,
      payload: structuredClone(r.payload),
      company: companyRefFor(ctx.t, company._id),
      connector: {
        _id: company.connector._id,
        name: company.connector.name,
        branding: { logo: { url: company.branding.logo.url } },
      },
      task: r.taskId,
      retrievedAt: r.retrievedAt,
    };
    if (r.linkedAccountId !== undefined) entry.linkedAccount = r.linkedAccountId;
    return entry;
  });
}

/** A file a task retrieved (paystub, tax form). */
export function taskFile(ctx: StoreContext, taskId: string, fileId: string): FileRecord {
  taskRecord(ctx, taskId);
  const file = ctx.t.files.get(fileId);
  if (!file || file.taskId !== taskId) throw notFound('file', fileId);
  return { ...file };
}

export function findFile(ctx: StoreContext, fileId: string): FileRecord | undefined {
  const file = ctx.t.files.get(fileId);
  return file ? { ...file } : undefined;
}

/** Signature of a presigned file URL (an HMAC keyed per seed, so URLs are stable for a seed). */
export function signFile(ctx: StoreContext, fileId: string, expiresAtSeconds: number): string {
  return createHmac('sha256', ctx.fileKey).update(`${fileId}.${expiresAtSeconds}`).digest('hex');
}
