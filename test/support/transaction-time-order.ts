import { parseTimestamp, type CardDetails, type Transaction } from '../../mock-atelio';

/**
 * vendor-docs 003: what is wrong with a transaction's times (`updated_time` before `created_time`,
 * or a settlement outside the two); empty when nothing is.
 */
export function timeOrderProblems(tx: Transaction): string[] {
  const created = parseTimestamp(tx.created_time);
  const updated = parseTimestamp(tx.updated_time);
  const problems: string[] = [];
  if (!(updated >= created))
    problems.push(`${tx.transaction_id}: updated_time ${tx.updated_time} < created_time ${tx.created_time}`);
  if (tx.payment_type === 'card') {
    for (const s of (tx.details as CardDetails).settlements ?? []) {
      const at = parseTimestamp(s.settlement_date);
      // Settlement dates have whole seconds; the purchase may have a fraction of one.
      if (at < Math.floor(created / 1000) * 1000 || at > updated)
        problems.push(
          `${tx.transaction_id}: settlement ${s.settlement_date} outside ${tx.created_time}…${tx.updated_time}`,
        );
    }
  }
  return problems;
}
