// @ts-check
import { api, messageOf } from '../api.js';
import { byId, h, headRow, render } from '../dom.js';
import { formatDate, formatDateTime, formatMoney, formatPaymentMethod } from '../format.js';
import { state } from '../state.js';

const ORDERS_SHOWN = 12;
const NOT_YET = 'Nothing yet: the scenario has not created this user.';
const TRANSACTIONS_SHOWN = 40;

/** @param {string} status */
export const statusClass = (status) =>
  ({
    connected: 'ok',
    completed: 'ok',
    delivered: 'ok',
    matched: 'ok',
    pending: 'warn',
    running: 'warn',
    initial: 'warn',
    'awaiting-transaction': 'warn',
    disconnected: 'bad',
    failed: 'bad',
    dropped: 'bad',
    declined: 'bad',
    paused: 'bad',
    returned: 'bad',
  })[status] ?? '';

/**
 * The user picker and what each vendor holds for the chosen user: Atomic accounts (connection
 * status, last sync, orders with products and payment method) and Atelio card transactions (state,
 * settlements).
 *
 * @param {{ onSelect: (identifier: string) => void }} hooks
 */
export function createUserPanel(hooks) {
  const select = /** @type {HTMLSelectElement} */ (byId('user-select'));
  const follow = /** @type {HTMLInputElement} */ (byId('follow-run'));
  const summary = byId('user-summary');
  const atomicBox = /** @type {HTMLElement} */ (byId('atomic-data').querySelector('.vendor-body'));
  const atelioBox = /** @type {HTMLElement} */ (byId('atelio-data').querySelector('.vendor-body'));

  /** @type {any[]} */
  let users = [];

  select.addEventListener('change', () => hooks.onSelect(select.value));
  follow.addEventListener('change', () => (state.followRun = follow.checked));

  async function loadList() {
    try {
      users = (await api('/api/users')).users ?? [];
    } catch (e) {
      render(summary, h('p', { class: 'error' }, `Could not list the users: ${messageOf(e)}`));
      return;
    }
    for (const user of users) {
      state.usersKnown.add(user.identifier);
      if (user.stitcher) state.stitcherKnows.add(user.identifier);
    }
    // With nothing chosen yet, a user both vendors know (the seeded world's shopper) shows the most.
    if (state.user === null && users.length)
      hooks.onSelect((users.find((u) => u.atomic && u.atelio) ?? users[0]).identifier);
    drawPicker();
  }

  function drawPicker() {
    const known = users.some((u) => u.identifier === state.user);
    const options = users.map((u) => {
      const parts = [u.identifier];
      const sides = [u.atomic ? 'Atomic' : null, u.atelio ? 'Atelio' : null].filter(Boolean).join(' + ');
      if (sides) parts.push(sides);
      if (u.stitcher?.paused) parts.push('PAUSED');
      return h('option', { value: u.identifier }, parts.join(' · '));
    });
    if (state.user !== null && !known)
      options.unshift(h('option', { value: state.user }, `${state.user} · (being created)`));
    render(select, options);
    if (state.user !== null) select.value = state.user;
    const current = users.find((u) => u.identifier === state.user);
    render(
      summary,
      current
        ? [
            current.atomic
              ? h(
                  'span',
                  { class: 'chip vendor-atomic' },
                  `Atomic: ${current.atomic.accounts} linked account${current.atomic.accounts === 1 ? '' : 's'}, ${current.atomic.orders} orders`,
                )
              : h('span', { class: 'chip' }, 'Not an Atomic user'),
            current.atelio
              ? h('span', { class: 'chip vendor-atelio' }, `Atelio customer: ${current.atelio.name}`)
              : h('span', { class: 'chip' }, 'Not an Atelio customer'),
            current.stitcher
              ? h(
                  'span',
                  { class: ['badge', current.stitcher.paused ? 'bad' : 'ok'] },
                  current.stitcher.paused ? 'stitching paused' : 'stitching active',
                )
              : h('span', { class: 'badge' }, 'unknown to the stitcher'),
          ]
        : null,
    );
  }

  async function loadDetail() {
    if (state.user === null) {
      render(atomicBox, h('p', { class: 'empty' }, '—'));
      render(atelioBox, h('p', { class: 'empty' }, '—'));
      return;
    }
    const identifier = state.user;
    if (!state.usersKnown.has(identifier)) {
      render(atomicBox, h('p', { class: 'empty' }, NOT_YET));
      render(atelioBox, h('p', { class: 'empty' }, NOT_YET));
      return;
    }
    let detail;
    try {
      detail = await api(`/api/users/${encodeURIComponent(identifier)}?limit=100`);
    } catch (e) {
      if (identifier !== state.user) return;
      const text =
        /** @type {any} */ (e).status === 404
          ? 'Nothing yet: the scenario has not created this user.'
          : messageOf(e);
      render(atomicBox, h('p', { class: 'empty' }, text));
      render(atelioBox, h('p', { class: 'empty' }, text));
      return;
    }
    if (identifier !== state.user) return; // the person picked someone else meanwhile
    drawAtomic(detail.atomic);
    drawAtelio(detail.atelio);
  }

  /** @param {any} atomic */
  function drawAtomic(atomic) {
    if (!atomic) return render(atomicBox, h('p', { class: 'empty' }, 'Atomic does not know this user.'));
    if (!atomic.accounts.length) return render(atomicBox, h('p', { class: 'empty' }, 'No accounts yet.'));
    render(
      atomicBox,
      atomic.accounts.map((/** @type {any} */ account) => {
        const orders = account.orders ?? [];
        return h(
          'article',
          { class: 'account', 'aria-label': `${account.company.name} account` },
          h(
            'div',
            { class: 'line' },
            h('strong', null, account.company.name),
            h('span', { class: ['badge', statusClass(account.connectionStatus)] }, account.connectionStatus),
            account.type === 'detected' ? h('span', { class: 'badge' }, 'detected') : null,
            account.failReason ? h('span', { class: 'badge bad' }, account.failReason) : null,
          ),
          h(
            'p',
            { class: 'small muted' },
            `Last sync ${account.lastSyncedAt ? formatDateTime(account.lastSyncedAt) : 'never'} · `,
            h('span', { class: 'mono' }, account._id),
          ),
          orders.length ? ordersTable(account._id, orders) : null,
        );
      }),
    );
  }

  /**
   * @param {string} accountId
   * @param {any[]} orders
   */
  function ordersTable(accountId, orders) {
    const table = (/** @type {any[]} */ rows) =>
      h(
        'table',
        null,
        headRow('Date', 'Order', { num: 'Total' }, 'Paid with', 'Products'),
        h(
          'tbody',
          null,
          rows.map((order) =>
            h(
              'tr',
              null,
              h('td', null, formatDate(order.date)),
              h('td', { class: 'mono' }, order.sourceId),
              h('td', { class: 'num amount' }, formatMoney(order.amount)),
              h('td', null, formatPaymentMethod(order.paymentMethod)),
              h(
                'td',
                null,
                (order.products ?? [])
                  .map((/** @type {any} */ p) => `${p.description} (${formatMoney(p.amount)})`)
                  .join('; '),
              ),
            ),
          ),
        ),
      );
    if (orders.length <= ORDERS_SHOWN) return table(orders);
    return [
      table(orders.slice(0, ORDERS_SHOWN)),
      h(
        'details',
        { 'data-key': `orders-${accountId}` },
        h('summary', null, `${orders.length - ORDERS_SHOWN} older orders`),
        table(orders.slice(ORDERS_SHOWN)),
      ),
    ];
  }

  /** @param {any} atelio */
  function drawAtelio(atelio) {
    if (!atelio) return render(atelioBox, h('p', { class: 'empty' }, 'Atelio has no customer with this id.'));
    const cards = atelio.cards
      .map(
        (/** @type {any} */ c) =>
          `••${c.last_four}${c.status && c.status !== 'ACTIVE' ? ` (${c.status})` : ''}`,
      )
      .join(', ');
    const items = atelio.transactions.items;
    const row = (/** @type {any} */ t) => {
      const settlements = t.details?.settlements ?? [];
      return h(
        'tr',
        { 'data-transaction': t.transaction_id },
        h('td', null, formatDateTime(t.created_time)),
        h('td', null, t.details?.merchant_name ?? t.details?.description ?? t.payment_type),
        h('td', { class: 'num amount' }, formatMoney(t.amount)),
        h('td', null, h('span', { class: ['badge', statusClass(t.state)] }, t.state)),
        h(
          'td',
          null,
          settlements.length
            ? h(
                'ul',
                { class: 'settlements', 'aria-label': 'Settlements' },
                settlements.map((/** @type {any} */ s) =>
                  h('li', null, `${formatMoney(s.amount)} on ${formatDateTime(s.settlement_date)}`),
                ),
              )
            : h('span', { class: 'muted' }, '—'),
        ),
      );
    };
    const table = (/** @type {any[]} */ rows) =>
      h(
        'table',
        null,
        headRow('When', 'Merchant', { num: 'Amount' }, 'State', 'Settlements'),
        h('tbody', null, rows.map(row)),
      );
    render(
      atelioBox,
      h(
        'p',
        { class: 'small muted' },
        `${atelio.customer.first_name} ${atelio.customer.last_name} · cards ${cards || 'none'} · ${atelio.transactions.total} transactions`,
      ),
      items.length
        ? table(items.slice(0, TRANSACTIONS_SHOWN))
        : h('p', { class: 'empty' }, 'No transactions yet.'),
      items.length > TRANSACTIONS_SHOWN
        ? h(
            'details',
            { 'data-key': 'older-transactions' },
            h('summary', null, `${items.length - TRANSACTIONS_SHOWN} older transactions`),
            table(items.slice(TRANSACTIONS_SHOWN)),
          )
        : null,
      atelio.transactions.total > items.length
        ? h('p', { class: 'hint' }, `The newest ${items.length} of ${atelio.transactions.total} are shown.`)
        : null,
    );
  }

  return { loadList, loadDetail, redrawPicker: drawPicker };
}
