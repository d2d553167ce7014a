/**
 * Global assignment of candidate pairs, declining what the evidence cannot decide.
 *
 * Taking the strongest pair first and moving on (greedy) is wrong exactly where it matters: two
 * orders of the same amount on the same card a few days apart, with two charges between them.
 * Greedy gives the later order the charge posted the same day and pushes the earlier order onto a
 * charge a week later, although "each order's charge 2–3 days after it" explains the data better.
 *
 * So the candidate pairs are split into independent groups (connected components: orders and
 * transactions linked by any candidate pair), and each group is solved as a whole:
 * - A group of one pair (nearly all of them) is that pair.
 * - A small group is searched exhaustively for the assignment with the highest total confidence
 *   (each order takes at most one transaction and each transaction at most one order). Among equal
 *   totals the first found wins, and the search tries each order's pairs strongest first, earliest
 *   order first, so equal evidence still resolves first come first served.
 * - A pair of that best assignment is kept only when it is *decisive*: every assignment without it
 *   scores at least `margin` points less. Otherwise another reading of the same data is about as
 *   likely (two identical orders a day apart whose charges could be either's; an order without last
 *   four and two same-amount charges on different cards), and the pair is declined rather than
 *   guessed: its order waits, and its transaction is held back from weaker evidence.
 * - A group too large to search (rare: many identical orders close together) falls back to greedy
 *   in evidence order, as before.
 */

export interface AssignableEdge {
  order: number;
  txn: number;
  /** Confidence in whole points; higher is stronger. */
  points: number;
}

export interface AssignmentResult<E extends AssignableEdge> {
  /** Decisive pairs, in the input's evidence order. */
  accepted: E[];
  /** Per group: the pairs of its best assignment that another reading almost equals, and all its pairs. */
  declined: Array<{ unsure: E[]; group: readonly E[] }>;
}

/** Searching a group costs the product of (candidates + 1) over its orders; above this, greedy. */
const MAX_SEARCH = 20_000;

/**
 * `edges` must be sorted strongest first (ties: earliest order, then earliest transaction), and
 * must not touch an order or transaction already taken. `accepted` never conflicts within itself.
 * `orderCount` / `txnCount` size the node space (orders 0..orderCount-1, transactions after).
 */
export function assignUnambiguously<E extends AssignableEdge>(
  edges: readonly E[],
  orderCount: number,
  txnCount: number,
  margin: number,
): AssignmentResult<E> {
  const parent = new Int32Array(orderCount + txnCount).fill(-1);
  const find = (x: number): number => {
    let root = x;
    while (parent[root]! >= 0) root = parent[root]!;
    while (parent[x]! >= 0) {
      const next = parent[x]!;
      parent[x] = root;
      x = next;
    }
    return root;
  };
  for (const e of edges) {
    const a = find(e.order);
    const b = find(orderCount + e.txn);
    if (a !== b) parent[a] = b;
  }
  const size = new Int32Array(orderCount + txnCount);
  for (const e of edges) size[find(e.order)]!++;

  const accepted: E[] = [];
  const declined: Array<{ unsure: E[]; group: readonly E[] }> = [];
  const groups = new Map<number, E[]>();
  for (const e of edges) {
    const root = find(e.order);
    if (size[root] === 1) {
      accepted.push(e);
      continue;
    }
    const group = groups.get(root);
    if (group) group.push(e);
    else groups.set(root, [e]);
  }
  for (const group of groups.values()) solveGroup(group, margin, accepted, declined);
  return { accepted, declined };
}

function solveGroup<E extends AssignableEdge>(
  group: readonly E[],
  margin: number,
  accepted: E[],
  declined: Array<{ unsure: E[]; group: readonly E[] }>,
): void {
  // The group's orders in canonical order, each with its pairs strongest first (the input order).
  const byOrder = new Map<number, number[]>();
  for (let k = 0; k < group.length; k++) {
    const list = byOrder.get(group[k]!.order);
    if (list) list.push(k);
    else byOrder.set(group[k]!.order, [k]);
  }
  const orders = [...byOrder.keys()].sort((a, b) => a - b);
  let space = 1;
  for (const o of orders) space *= byOrder.get(o)!.length + 1;
  if (space > MAX_SEARCH) {
    greedy(group, accepted);
    return;
  }

  let bestScore = -1;
  let best: number[] = [];
  // For every pair: the best total of a complete assignment that does not use it.
  const bestWithout = new Float64Array(group.length).fill(-1);
  const chosen: number[] = [];
  const usedTxns = new Set<number>();
  const visit = (i: number, score: number) => {
    if (i === orders.length) {
      if (score > bestScore) {
        bestScore = score;
        best = [...chosen];
      }
      for (let k = 0; k < group.length; k++)
        if (score > bestWithout[k]! && !chosen.includes(k)) bestWithout[k] = score;
      return;
    }
    for (const k of byOrder.get(orders[i]!)!) {
      const e = group[k]!;
      if (usedTxns.has(e.txn)) continue;
      usedTxns.add(e.txn);
      chosen.push(k);
      visit(i + 1, score + e.points);
      chosen.pop();
      usedTxns.delete(e.txn);
    }
    visit(i + 1, score); // this order takes nothing
  };
  visit(0, 0);

  const unsure: E[] = [];
  for (const k of best) {
    if (bestScore - bestWithout[k]! >= margin) accepted.push(group[k]!);
    else unsure.push(group[k]!);
  }
  if (unsure.length > 0) declined.push({ unsure, group });
}

function greedy<E extends AssignableEdge>(group: readonly E[], accepted: E[]): void {
  const orders = new Set<number>();
  const txns = new Set<number>();
  for (const e of group) {
    if (orders.has(e.order) || txns.has(e.txn)) continue;
    orders.add(e.order);
    txns.add(e.txn);
    accepted.push(e);
  }
}
