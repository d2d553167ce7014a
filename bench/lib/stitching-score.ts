/** Scoring of the stitching benchmark: precision and recall against the labels, per case, and the naive baselines beside them. */
import type { stitchBatch } from '../../stitcher/index';
import type { Labels, Order, Transaction } from './stitching-dataset';

// ---------- the naive baseline: exact amount + same day, first come first served ----------

export function naiveBaseline(input: {
  orders: readonly Order[];
  transactions: readonly Transaction[];
}): Map<string, string> {
  const byKey = new Map<string, string[]>();
  for (const t of input.transactions) {
    const cents = Math.round(Math.abs(Number(t.amount)) * 100);
    const key = `${t.customer_id}|${cents}|${t.created_time.slice(0, 10)}`;
    const list = byKey.get(key);
    if (list) list.push(t.transaction_id);
    else byKey.set(key, [t.transaction_id]);
  }
  const used = new Set<string>();
  const matches = new Map<string, string>();
  for (const o of input.orders) {
    const key = `${o.identifier}|${Math.round(o.amount * 100)}|${o.date.slice(0, 10)}`;
    const free = byKey.get(key)?.find((id) => !used.has(id));
    if (free) {
      used.add(free);
      matches.set(o._id, free);
    }
  }
  return matches;
}

export interface Score {
  labelled: number;
  matches: number;
  correct: number;
  wrong: number;
  precision: number;
  recall: number;
}

export const round = (n: number, digits = 4) => Math.round(n * 10 ** digits) / 10 ** digits;
export const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);

export function tally(
  made: Map<string, string>,
  truth: Map<string, string>,
  keys: Iterable<string> | null,
): Score {
  let labelled = 0;
  let matches = 0;
  let correct = 0;
  const within = keys === null ? null : new Set(keys);
  for (const key of within ?? truth.keys()) if (truth.has(key)) labelled++;
  for (const [key, value] of made) {
    if (within !== null && !within.has(key)) continue;
    matches++;
    if (truth.get(key) === value) correct++;
  }
  return {
    labelled,
    matches,
    correct,
    wrong: matches - correct,
    precision: round(matches === 0 ? 1 : correct / matches),
    recall: round(labelled === 0 ? 1 : correct / labelled),
  };
}

/** Per case type: precision over the matches made for orders of that case, recall over its labels. */
export function perCase(made: Map<string, string>, labels: Labels): Record<string, Score> {
  const keysOf = new Map<string, string[]>();
  for (const [orderId, caseType] of labels.caseOf) {
    const list = keysOf.get(caseType);
    if (list) list.push(orderId);
    else keysOf.set(caseType, [orderId]);
  }
  const out: Record<string, Score> = {};
  for (const [caseType, keys] of [...keysOf].sort()) out[caseType] = tally(made, labels.truth, keys);
  // Orders with no labelled transaction (cancelled, never posted): any match is a false positive.
  const unlabelled = [...made.keys()].filter((id) => !labels.truth.has(id));
  out['never-posted (any match is wrong)'] = tally(made, labels.truth, unlabelled);
  return out;
}

/** The naive refund link: a credit of exactly an order's total, to the latest such order before it. */
export function naiveRefunds(input: {
  orders: readonly Order[];
  transactions: readonly Transaction[];
}): Map<string, string> {
  const byKey = new Map<string, Order[]>();
  for (const o of input.orders) {
    const key = `${o.identifier}|${Math.round(o.amount * 100)}`;
    const list = byKey.get(key);
    if (list) list.push(o);
    else byKey.set(key, [o]);
  }
  const links = new Map<string, string>();
  for (const t of input.transactions) {
    const cents = Math.round(Number(t.amount) * 100);
    if (!(cents > 0)) continue;
    const candidates = byKey.get(`${t.customer_id}|${cents}`) ?? [];
    let best: Order | undefined;
    for (const o of candidates) if (o.date <= t.created_time && (!best || o.date > best.date)) best = o;
    if (best) links.set(t.transaction_id, best._id);
  }
  return links;
}

/** `--explain-errors`: a few wrong and missed pairs per case, with the data around them, on stderr. */
export function explainErrors(
  input: { orders: readonly Order[]; transactions: readonly Transaction[] },
  output: ReturnType<typeof stitchBatch>,
  pairs: Map<string, string>,
  refundLinks: Map<string, string>,
  labels: Labels,
): void {
  const orders = new Map(input.orders.map((o) => [o._id, o]));
  const txns = new Map(input.transactions.map((t) => [t.transaction_id, t]));
  const reasons = new Map(output.unmatched_orders.map((u) => [u.order_id, u.reason]));
  const brief = (id: string) => {
    const t = txns.get(id);
    return t
      ? `${id} ${t.state} ${t.amount} ${t.created_time.slice(0, 10)} ${t.details?.merchant_name} card=${t.details?.card_id}`
      : id;
  };
  const shown = new Map<string, number>();
  const show = (key: string, text: string) => {
    const n = shown.get(key) ?? 0;
    if (n >= 4) return;
    shown.set(key, n + 1);
    process.stderr.write(`[${key}] ${text}\n`);
  };
  for (const [orderId, expected] of labels.truth) {
    const got = pairs.get(orderId);
    if (got === expected) continue;
    const o = orders.get(orderId)!;
    const head = `${orderId} ${o.date.slice(0, 10)} ${o.amount} ${JSON.stringify(o.paymentMethod)}`;
    show(
      `${labels.caseOf.get(orderId)} ${got ? 'wrong' : 'missed'}`,
      `${head}\n    expected ${expected.split('+').map(brief).join(' + ')}\n    got ${got ? got.split('+').map(brief).join(' + ') : reasons.get(orderId)}`,
    );
  }
  for (const [txnId, orderId] of refundLinks) {
    if (labels.refundTruth.get(txnId) === orderId) continue;
    const o = orders.get(orderId)!;
    show(
      'refund wrong',
      `${brief(txnId)} prev=${txns.get(txnId)?.previous_transaction_id} → ${orderId} ${o.date.slice(0, 10)} ${o.amount} ${JSON.stringify(o.products?.map((p) => p.amount))}; truth ${labels.refundTruth.get(txnId) ?? 'none'}`,
    );
  }
  for (const [txnId, orderId] of labels.refundTruth) {
    if (refundLinks.has(txnId)) continue;
    const o = orders.get(orderId)!;
    show(
      'refund missed',
      `${brief(txnId)} → ${orderId} ${o.date.slice(0, 10)} ${o.amount} ${JSON.stringify(o.products?.map((p) => p.amount))}`,
    );
  }
}
