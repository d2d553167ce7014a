import type { Clock, TimerId } from '../core/clock';
import { outsideAnyRun } from '../core/run-context';
import { AtelioStoreError, parseTimestamp, type AtelioStore, type Transaction } from '../mock-atelio';

/**
 * The seeded world's shoppers keep being paid after start (docs/decisions/030): their Amazon
 * charges go on every day, so without income a long clock jump would leave their accounts empty and
 * the bank declining the charges of orders Amazon shipped. Each customer's biweekly payroll deposit
 * of the seeded history (`<EMPLOYER> PAYROLL`, an ACH credit) comes again every 14 days on the
 * platform clock, same employer and amount.
 *
 * Stateless: the next payday is read from the Atelio store (the latest payroll deposit + 14 days),
 * so an imported or reset state carries on from its own history.
 */

const DAY_MS = 86_400_000;
const PAY_EVERY_MS = 14 * DAY_MS;
const PAYROLL = / PAYROLL$/;

interface Payday {
  accountId: string;
  amount: string;
  description: string;
  /** The next deposit (epoch ms). */
  atMs: number;
}

export class SeededWorldPayroll {
  private timer: TimerId | undefined;

  constructor(
    private readonly atelio: AtelioStore,
    private readonly clock: Clock,
    private readonly customers: readonly string[],
  ) {
    this.arm();
  }

  /** The state was replaced (reset, import): paydays follow its history. */
  restart(): void {
    this.arm();
  }

  dispose(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Each customer's next payday, from the latest payroll deposit in the bank's history. */
  private paydays(): Payday[] {
    const out: Payday[] = [];
    for (const customerId of this.customers) {
      let latest: Transaction | undefined;
      try {
        latest = this.atelio
          .listTransactions({ customerId, paymentType: 'ach', count: 10_000 }, { share: true })
          .items.find(
            (t) => t.transaction_type === 'credit' && t.state === 'completed' && PAYROLL.test(t.description),
          );
      } catch (error) {
        // Not a customer of this bank (an imported state from elsewhere): nobody to pay.
        if (!(error instanceof AtelioStoreError)) throw error;
      }
      if (latest)
        out.push({
          accountId: latest.account_id,
          amount: latest.amount,
          description: latest.description,
          atMs: parseTimestamp(latest.created_time) + PAY_EVERY_MS,
        });
    }
    return out;
  }

  private arm(): void {
    this.dispose();
    const next = Math.min(...this.paydays().map((p) => p.atMs));
    if (!Number.isFinite(next)) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      // The platform clock's wake-up may have been set from inside a scenario run.
      outsideAnyRun(() => this.payDue());
      this.arm();
    }, next - this.clock.now());
  }

  /** Every deposit due by now, each at its own payday. */
  private payDue(): void {
    const now = this.clock.now();
    for (const payday of this.paydays())
      for (let at = payday.atMs; at <= now; at += PAY_EVERY_MS)
        this.atelio.createAchTransfer({
          accountId: payday.accountId,
          direction: 'credit',
          amount: payday.amount,
          description: payday.description,
          state: 'completed',
          at,
        });
  }
}
