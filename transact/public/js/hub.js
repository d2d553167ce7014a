import { h, show } from './dom.js';
import { interaction, post } from './host.js';
import { flow, state } from './launch.js';
import { showSearch, showTokenProblem } from './pages.js';
import { api } from './server.js';

// The Payments Hub: a tab per app over the user's connected accounts.

const HUB_TITLES = {
  expenses: 'Expenses',
  suggestions: 'Suggestions',
  orders: 'Orders',
  'pay-now': 'Pay now',
};
const money = (amount) => (typeof amount === 'number' ? `$${amount.toFixed(2)}` : '—');
const day = (iso) => (iso ? iso.slice(0, 10) : '—');

export async function showHub(requested) {
  state.returnToHub = false;
  state.company = null;
  const apps = flow.apps;
  const current = apps.includes(requested) ? requested : apps[0];
  state.hubApp = current;
  let accounts = [];
  try {
    accounts = (await api('GET', `/sessions/${state.sessionId}/hub`)).accounts;
  } catch (error) {
    if (error.status === 401) return showTokenProblem(error);
  }
  const tabs = h(
    'nav',
    { id: 'hub-tabs', role: 'tablist' },
    ...apps.map((name) =>
      h(
        'button',
        {
          role: 'tab',
          'data-app': name,
          'aria-selected': String(name === current),
          onclick: () => showHub(name),
        },
        HUB_TITLES[name] ?? name,
      ),
    ),
  );
  show(
    'hub',
    'Payments Hub',
    tabs,
    h('div', { id: 'hub-panel', role: 'tabpanel', 'data-app': current }, ...hubPanel(current, accounts)),
    h(
      'button',
      {
        id: 'hub-connect',
        class: 'primary',
        onclick: () => {
          state.returnToHub = true;
          interaction('Clicked Connect Account In Payments Hub');
          showSearch();
        },
      },
      'Connect an account',
    ),
  );
  interaction('Viewed Payments Hub', { app: current });
}

function hubPanel(name, accounts) {
  const empty = (text) => [h('p', { class: 'muted' }, text)];
  if (name === 'expenses') {
    if (!accounts.length) return empty('No connected accounts yet.');
    return [
      h(
        'ul',
        { id: 'hub-accounts', class: 'list' },
        ...accounts.map((a) =>
          h(
            'li',
            { 'data-account-id': a._id, 'data-company': a.company.name },
            h('strong', {}, a.company.name),
            ' ',
            h(
              'span',
              { class: 'muted' },
              a.billing
                ? `${money(a.billing.amount)} · due ${day(a.billing.dueDate)}`
                : `${a.orders.length} recent orders`,
            ),
            ' ',
            h('span', { class: `status ${a.connectionStatus}` }, a.connectionStatus),
          ),
        ),
      ),
    ];
  }
  if (name === 'suggestions') {
    const all = accounts.flatMap((a) => a.suggestions.map((s) => ({ ...s, company: a.company.name })));
    if (!all.length) return empty('No suggestions right now.');
    return [
      h(
        'ul',
        { class: 'list' },
        ...all.map((s) =>
          h(
            'li',
            {},
            h('strong', {}, s.company),
            ` ${s.shortDescription} · save ${money(s.monthlySavings)}/month`,
          ),
        ),
      ),
    ];
  }
  if (name === 'orders') {
    const orders = accounts.flatMap((a) => a.orders.map((o) => ({ ...o, company: a.company.name })));
    if (!orders.length) return empty('No orders yet: connect Amazon.');
    return [
      h(
        'ul',
        { class: 'list' },
        ...orders.map((o) => h('li', {}, `${day(o.date)} · ${money(o.amount)} · ${o.products.join(', ')}`)),
      ),
    ];
  }
  const due = accounts.filter((a) => a.billing && typeof a.billing.amount === 'number');
  if (!due.length) return empty('Nothing to pay.');
  return [
    h(
      'ul',
      { class: 'list' },
      ...due.map((a) =>
        h(
          'li',
          {},
          h('strong', {}, a.company.name),
          ` ${money(a.billing.amount)} due ${day(a.billing.dueDate)} `,
          h(
            'button',
            {
              class: 'pay',
              'data-account-id': a._id,
              onclick: () => {
                interaction('Clicked Pay Now', { accountId: a._id });
                post('atomic-transact-data-request', { fields: ['card'], accountId: a._id });
              },
            },
            'Pay with a card',
          ),
        ),
      ),
    ),
  ];
}
