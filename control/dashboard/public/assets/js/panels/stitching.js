// @ts-check
import { api, messageOf } from '../api.js';
import { byId, h, headRow, render } from '../dom.js';
import { formatConfidence, formatDate, formatDateTime, formatMoney, formatPaymentMethod } from '../format.js';
import { state } from '../state.js';
import { statusClass } from './user.js';

const NOT_KNOWN =
  'The stitcher has not heard of this user yet. It learns about users from the webhooks both vendors send it.';

/**
 * What the reference stitcher made of the chosen user (read through /api/stitcher, its own API):
 * each card transaction beside the order it was matched to, with the order's products, the
 * confidence and the reasons; the orders left without a transaction and why; and, when the user's
 * Amazon account is disconnected, that stitching is paused and what to do about it.
 */
export function createStitchingPanel() {
  const box = byId('stitching-body');

  async function load() {
    const identifier = state.user;
    if (identifier === null) {
      render(box, h('p', { class: 'empty' }, 'Pick a user to see how their orders were stitched.'));
      return;
    }
    if (!state.stitcherKnows.has(identifier)) {
      render(box, h('p', { class: 'empty' }, NOT_KNOWN));
      return;
    }
    const base = `/api/stitcher/users/${encodeURIComponent(identifier)}`;
    let transactions;
    let orders;
    let inbox;
    try {
      [transactions, orders] = await Promise.all([api(`${base}/transactions`), api(`${base}/orders`)]);
      inbox = await api('/api/stitcher/inbox?limit=1').catch(() => null);
    } catch (e) {
      if (identifier !== state.user) return;
      const status = /** @type {any} */ (e).status;
      render(
        box,
        h(
          'p',
          { class: 'empty' },
          status === 404
            ? NOT_KNOWN
            : status === 503
              ? 'The reference stitcher is not running on this sandbox.'
              : `Could not read the stitcher: ${messageOf(e)}`,
        ),
      );
      return;
    }
    if (identifier !== state.user) return;
    draw(transactions, orders, inbox);
  }

  /**
   * @param {any} view  GET /users/{id}/transactions
   * @param {any} ordersView  GET /users/{id}/orders
   * @param {any} inbox  GET /inbox
   */
  function draw(view, ordersView, inbox) {
    const pause = view.pausedReason;
    const all = view.transactions ?? [];
    const matched = all.filter((/** @type {any} */ t) => t.match);
    const unmatchedTransactions = all.filter((/** @type {any} */ t) => !t.match);
    const orders = ordersView.orders ?? [];
    const waiting = orders.filter(
      (/** @type {any} */ o) =>
        o.stitch.status !== 'matched' && !(o.stitch.status === 'paused' && o.stitch.transactionId),
    );
    const count = (/** @type {string} */ status) =>
      orders.filter((/** @type {any} */ o) => o.stitch.status === status).length;
    const provisional = matched.filter((/** @type {any} */ t) => t.match.provisional).length;
    const inboxCounts = inbox?.counts ?? {};
    const busy = (inboxCounts.pending ?? 0) + (inboxCounts.retrying ?? 0);

    render(
      box,
      view.paused
        ? h(
            'div',
            { class: 'paused-banner', role: 'status', 'data-testid': 'paused-banner' },
            h('strong', null, 'Stitching paused'),
            h('p', null, pause?.message ?? 'An account of this user is disconnected.'),
            pause?.recommendedAction
              ? h('p', null, h('strong', null, 'What to do: '), pause.recommendedAction)
              : null,
          )
        : null,
      h(
        'div',
        { class: 'stitch-counts' },
        h(
          'span',
          { class: 'badge ok' },
          `${matched.length} matched${provisional ? ` (${provisional} provisional)` : ''}`,
        ),
        h('span', { class: 'badge' }, `${count('unmatchable')} unmatchable`),
        h('span', { class: 'badge warn' }, `${count('awaiting-transaction')} awaiting a transaction`),
        view.paused ? h('span', { class: 'badge bad' }, `${count('paused')} paused`) : null,
        h('span', { class: 'badge' }, `${all.length} card transactions`),
        busy
          ? h(
              'span',
              { class: 'badge warn', title: 'Events the stitcher is still processing or retrying' },
              `stitcher busy: ${busy} in its inbox`,
            )
          : null,
        inboxCounts.failed
          ? h(
              'span',
              { class: 'badge bad', title: 'Events the stitcher gave up on' },
              `${inboxCounts.failed} failed in its inbox`,
            )
          : null,
      ),
      h('h3', null, 'Transactions matched to an order'),
      matched.length
        ? h('ul', { class: 'stitch-list', 'aria-label': 'Matched transactions' }, matched.map(stitchRow))
        : h('p', { class: 'empty' }, 'No transaction has been matched yet.'),
      h('h3', null, 'Orders without a transaction'),
      waiting.length
        ? h(
            'table',
            { 'aria-label': 'Orders without a transaction' },
            headRow('Order', 'Date', { num: 'Total' }, 'Paid with', 'Status and reason'),
            h('tbody', null, waiting.map(orderRow)),
          )
        : h('p', { class: 'empty' }, 'Every order has its transaction.'),
      unmatchedTransactions.length
        ? h(
            'details',
            { 'data-key': 'unmatched-transactions' },
            h(
              'summary',
              null,
              `${unmatchedTransactions.length} card transactions with no order (other merchants, or not yet ordered)`,
            ),
            h(
              'table',
              null,
              headRow('When', 'Merchant', { num: 'Amount' }, 'State'),
              h(
                'tbody',
                null,
                unmatchedTransactions.map((/** @type {any} */ t) =>
                  h(
                    'tr',
                    null,
                    h('td', null, formatDateTime(t.createdTime)),
                    h('td', null, t.merchantName ?? '—'),
                    h('td', { class: 'num amount' }, formatMoney(t.amount)),
                    h('td', null, h('span', { class: ['badge', statusClass(t.state)] }, t.state)),
                  ),
                ),
              ),
            ),
          )
        : null,
    );
  }

  /** @param {any} t */
  function stitchRow(t) {
    const m = t.match;
    const settlements = t.settlements ?? [];
    return h(
      'li',
      { class: 'stitch-row', 'data-transaction-id': t.transactionId, 'data-order-id': m.orderId },
      h(
        'div',
        { class: 'stitch-side transaction' },
        h('div', { class: 'side-label' }, 'Atelio card transaction'),
        h(
          'div',
          { class: 'line' },
          h('strong', null, t.merchantName ?? '—'),
          h('span', { class: 'amount' }, formatMoney(t.amount)),
          h('span', { class: ['badge', statusClass(t.state)] }, t.state),
        ),
        h(
          'p',
          { class: 'small muted' },
          `${formatDateTime(t.createdTime)}${t.lastFour ? ` · card ••${t.lastFour}` : ''}`,
        ),
        settlements.length
          ? h(
              'ul',
              { class: 'settlements small', 'aria-label': 'Settlements' },
              settlements.map((/** @type {any} */ s) =>
                h('li', null, `settled ${formatMoney(s.amount)} on ${formatDate(s.settlement_date)}`),
              ),
            )
          : null,
      ),
      h('div', { class: 'stitch-arrow', 'aria-hidden': 'true' }, '⇄'),
      h(
        'div',
        { class: 'stitch-side order' },
        h('div', { class: 'side-label' }, 'Atomic Amazon order'),
        h(
          'div',
          { class: 'line' },
          h('strong', { class: 'mono' }, m.sourceId ?? m.orderId),
          h('span', { class: 'amount' }, formatMoney(m.orderAmount)),
          h('span', { class: 'small muted' }, formatDate(m.orderDate)),
        ),
        h(
          'ul',
          { class: 'products', 'aria-label': 'Products' },
          (m.products ?? []).map((/** @type {any} */ p) =>
            h('li', null, `${p.description} `, h('span', { class: 'muted' }, formatMoney(p.amount))),
          ),
        ),
        h(
          'div',
          { class: 'line' },
          h(
            'span',
            { class: ['badge', m.confidence >= 0.9 ? 'ok' : 'warn'] },
            `${formatConfidence(m.confidence)} confidence`,
          ),
          m.provisional
            ? h(
                'span',
                { class: 'badge warn', title: 'Matched on a pending amount within the tax tolerance' },
                'provisional',
              )
            : null,
        ),
        h(
          'details',
          { 'data-key': `why-${t.transactionId}` },
          h('summary', null, 'Why these match'),
          h(
            'ul',
            { class: 'reasons' },
            (m.reasons ?? []).map((/** @type {string} */ r) => h('li', null, r)),
          ),
        ),
      ),
    );
  }

  /** @param {any} o */
  function orderRow(o) {
    return h(
      'tr',
      { 'data-order-id': o.orderId },
      h('td', { class: 'mono' }, o.sourceId ?? o.orderId),
      h('td', null, formatDate(o.date)),
      h('td', { class: 'num amount' }, formatMoney(o.amount)),
      h('td', null, formatPaymentMethod(o.paymentMethod)),
      h(
        'td',
        null,
        h('span', { class: ['badge', statusClass(o.stitch.status)] }, o.stitch.status),
        ' ',
        // A paused order's reason is the banner's; saying it on every row buries the other reasons.
        h(
          'span',
          { class: 'small' },
          o.stitch.status === 'paused' ? 'until the account reconnects' : (o.stitch.reason ?? ''),
        ),
      ),
    );
  }

  return { load };
}
