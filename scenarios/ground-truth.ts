import type { AtelioStore, Transaction } from '../mock-atelio';
import type { Order } from '../mock-atomic';

/**
 * Which order became which card transaction in a run. Scenario data says it (an `authorize` step
 * names the order it charges for), so a stitching client can be scored against the truth rather
 * than against another matcher.
 */

export interface GroundTruthMatch {
  orderId: string;
  sourceId: string;
  identifier: string;
  transactionId: string;
  customerId: string;
  /** The order total in dollars, as Atomic reports it. */
  orderAmount: number;
  /** What was authorised (Atelio's signed decimal string, e.g. "-35.93"). */
  authorizedAmount: string;
  /** The transaction's amount at the end of the run (sum of settlements once completed). */
  finalAmount: string;
  state: string;
  settlements: number;
  /** The order's last four (absent when the merchant showed none) and the card's. */
  orderLastFour?: string;
  cardLastFour: string;
}

export interface GroundTruthUnmatchedOrder {
  orderId: string;
  sourceId: string;
  identifier: string;
  reason: string;
}

export interface GroundTruthUnrelatedTransaction {
  transactionId: string;
  customerId: string;
  merchantName: string;
  amount: string;
  state: string;
}

export interface GroundTruth {
  matches: GroundTruthMatch[];
  unmatchedOrders: GroundTruthUnmatchedOrder[];
  unrelatedTransactions: GroundTruthUnrelatedTransaction[];
}

interface OrderFact {
  order: Order;
  identifier: string;
}

interface TransactionFact {
  transactionId: string;
  customerId: string;
  merchantName: string;
  authorizedAmount: string;
  cardLastFour: string;
  orderId?: string;
}

const NON_CARD = (order: Order): string | undefined => {
  const method = order.paymentMethod;
  if (!method) return 'no payment method on the order';
  if (method.type !== 'card') return `non-card payment method (${method.type})`;
  return undefined;
};

export class GroundTruthRecorder {
  private readonly orders = new Map<string, OrderFact>();
  private readonly transactions = new Map<string, TransactionFact>();

  /** Orders that appeared on (or changed in) an account during the run. */
  addOrders(identifier: string, orders: readonly Order[]): void {
    for (const order of orders) this.orders.set(order._id, { order: structuredClone(order), identifier });
  }

  hasOrder(orderId: string): boolean {
    return this.orders.has(orderId);
  }

  /** A card transaction created during the run, and the order it charges for, if any. */
  addTransaction(transaction: Transaction, cardLastFour: string, orderId?: string): void {
    const details = transaction.details as { merchant_name?: string };
    this.transactions.set(transaction.transaction_id, {
      transactionId: transaction.transaction_id,
      customerId: transaction.customer_id,
      merchantName: details.merchant_name ?? '',
      authorizedAmount: transaction.amount,
      cardLastFour,
      ...(orderId === undefined ? {} : { orderId }),
    });
  }

  get isEmpty(): boolean {
    return this.orders.size === 0 && this.transactions.size === 0;
  }

  /** The truth as of now: final transaction states are read from the store. */
  build(atelio: AtelioStore): GroundTruth {
    const matches: GroundTruthMatch[] = [];
    const matchedOrders = new Set<string>();
    const unrelatedTransactions: GroundTruthUnrelatedTransaction[] = [];
    const declinedFor = new Map<string, string>();
    for (const fact of this.transactions.values()) {
      const current = atelio.getTransaction(fact.transactionId);
      const state = current?.state ?? 'failed';
      const amount = current?.amount ?? fact.authorizedAmount;
      const orderFact = fact.orderId === undefined ? undefined : this.orders.get(fact.orderId);
      // Money that never moved (declined, cancelled, failed) cannot be what an order became.
      const moved = state === 'pending' || state === 'completed' || state === 'returned';
      if (orderFact && moved) {
        const { order } = orderFact;
        const lastFour = order.paymentMethod?.lastFour;
        const settlements = (current?.details as { settlements?: unknown[] } | undefined)?.settlements;
        matchedOrders.add(order._id);
        matches.push({
          orderId: order._id,
          sourceId: order.sourceId,
          identifier: orderFact.identifier,
          transactionId: fact.transactionId,
          customerId: fact.customerId,
          orderAmount: order.amount,
          authorizedAmount: fact.authorizedAmount,
          finalAmount: amount,
          state,
          settlements: settlements?.length ?? 0,
          ...(lastFour === undefined ? {} : { orderLastFour: lastFour }),
          cardLastFour: fact.cardLastFour,
        });
      } else {
        if (orderFact) declinedFor.set(orderFact.order._id, state);
        unrelatedTransactions.push({
          transactionId: fact.transactionId,
          customerId: fact.customerId,
          merchantName: fact.merchantName,
          amount,
          state,
        });
      }
    }
    const unmatchedOrders: GroundTruthUnmatchedOrder[] = [];
    for (const { order, identifier } of this.orders.values()) {
      if (matchedOrders.has(order._id)) continue;
      const declined = declinedFor.get(order._id);
      const reason =
        NON_CARD(order) ??
        (declined ? `its card transaction was ${declined}` : 'no card transaction for it during the run');
      unmatchedOrders.push({ orderId: order._id, sourceId: order.sourceId, identifier, reason });
    }
    return { matches, unmatchedOrders, unrelatedTransactions };
  }
}
