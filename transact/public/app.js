/* global window, document, location, fetch, CSS, URLSearchParams, setTimeout, clearTimeout */
// The Transact stand-in's single-page app. It runs inside the iframe Atomic's browser SDK opens,
// talks to the host page only through the SDK's postMessage protocol ({event, payload} objects),
// and to its own server under /api. The launch (config, flow, companies) is embedded in the page.
// The session id is kept in this frame's sessionStorage, keyed by the handshake id in the URL's
// hash, so a reload resumes the session: the SDK hands the public token over only once.

const launch = JSON.parse(document.getElementById('launch').textContent);
const { config, flow, companies, encodedConfig } = launch;
const handshakeId = new URLSearchParams(location.hash.slice(1)).get('hId');
const framed = window.parent !== window;
const inSdk = config.inSdk !== false;
const handoff = new Set(Array.isArray(config.handoff) ? config.handoff : []);
const customerName = config.customer?.name || 'Your bank';
const PRODUCT = 'present';
/** How long to wait for the SDK's answer before saying the origin is wrong. */
const TOKEN_WAIT_MS = 4000;
const POLL_MS = 250;

const app = document.getElementById('app');
const storageKey = `stitch-transact:${handshakeId ?? encodedConfig.slice(0, 64)}`;

const state = {
  sessionId: null,
  /** Where messages go: the origin that handed the token over, once known. */
  parentOrigin: '*',
  company: null,
  taskId: null,
  taskStatus: null,
  taskTerminal: true,
  authenticatedPosted: false,
  mfaShown: false,
  returnToHub: false,
  hubApp: null,
  /** What the X button comes back to from the exit prompt. */
  resumeView: null,
  pollTimer: null,
};

// ---------------------------------------------------------------- storage (the frame may refuse it)

const memory = new Map();
const storage = {
  get(key) {
    try {
      return window.sessionStorage.getItem(key);
    } catch {
      return memory.get(key) ?? null;
    }
  },
  set(key, value) {
    try {
      window.sessionStorage.setItem(key, value);
    } catch {
      memory.set(key, value);
    }
  },
  remove(key) {
    try {
      window.sessionStorage.removeItem(key);
    } catch {
      memory.delete(key);
    }
  },
};

// ---------------------------------------------------------------- messages to the host

function post(event, payload) {
  if (!framed) return;
  window.parent.postMessage({ event, payload }, state.parentOrigin);
}

const companyRef = () => (state.company ? { _id: state.company._id, name: state.company.name } : undefined);

function interaction(name, value = {}) {
  const company = state.company?.name;
  post('atomic-transact-interaction', {
    name,
    value: {
      customer: customerName,
      product: flow.kind === 'payments-hub' ? 'manage' : PRODUCT,
      ...(company ? { company } : {}),
      ...value,
    },
  });
  record(name);
}

// ---------------------------------------------------------------- the server

async function api(method, path, body) {
  const response = await fetch(`/api${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok)
    throw Object.assign(new Error(data.message || `HTTP ${response.status}`), {
      code: data.code,
      status: response.status,
    });
  return data;
}

function record(step, detail) {
  if (!state.sessionId) return;
  api('POST', `/sessions/${state.sessionId}/steps`, { step, ...(detail ? { detail } : {}) }).catch(() => {});
}

// ---------------------------------------------------------------- rendering

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat())
    if (child !== null && child !== undefined && child !== false) el.append(child);
  return el;
}

function applyTheme() {
  const theme = config.theme ?? {};
  if (theme.dark) document.documentElement.classList.add('dark');
  if (typeof theme.brandColor === 'string' && CSS.supports('color', theme.brandColor))
    document.documentElement.style.setProperty('--brand', theme.brandColor);
}

function frame(view, title, ...content) {
  app.dataset.view = view;
  app.replaceChildren(
    h(
      'div',
      { class: 'frame' },
      h(
        'header',
        {},
        h('span', { class: 'title' }, title),
        inSdk
          ? h('button', { id: 'close', class: 'icon', 'aria-label': 'Close', onclick: onCloseClicked }, '×')
          : null,
      ),
      h('section', { class: 'content' }, ...content),
      h('footer', { class: 'muted' }, 'Atomic Transact · stitch-sandbox stand-in'),
    ),
  );
}

const logo = (company) =>
  h('span', { class: 'logo', 'data-color': company.color, 'aria-hidden': 'true' }, company.name.slice(0, 1));

function paintLogos() {
  for (const el of app.querySelectorAll('.logo[data-color]')) el.style.backgroundColor = el.dataset.color;
}

function show(view, title, ...content) {
  frame(view, title, ...content);
  paintLogos();
}

// ---------------------------------------------------------------- pages

function showMessage(view, title, text, ...extra) {
  show(view, title, h('h1', {}, title), h('p', { id: 'message' }, text), ...extra);
}

function showOriginMismatch() {
  const expected = location.origin;
  const trailingSlash = location.pathname.startsWith('//');
  const withPath = !trailingSlash && !location.pathname.startsWith('/initialize/');
  show(
    'origin-mismatch',
    'Transact cannot start',
    h('h1', {}, 'No public token arrived'),
    h(
      'p',
      { id: 'message' },
      trailingSlash ? 'environmentOverride ends with a slash. ' : '',
      withPath ? 'environmentOverride has a path; it must be an origin only. ' : '',
      "Atomic's SDK only accepts messages from a frame whose origin is exactly its environmentOverride, so it never answered. Launch with:",
    ),
    h('pre', { id: 'expected-override' }, `environmentOverride: '${expected}'`),
    h(
      'p',
      { class: 'muted' },
      'No trailing slash, and the same host name (127.0.0.1 and localhost are different origins).',
    ),
  );
}

function showTokenProblem(error) {
  const titles = {
    'token-expired': 'This session has expired',
    'token-revoked': 'This session was ended',
    'token-unknown': 'This session is not valid',
  };
  storage.remove(storageKey);
  show(
    'token-problem',
    'Transact',
    h('h1', {}, titles[error.code] ?? 'Transact cannot start'),
    h('p', { id: 'message', 'data-code': error.code ?? '' }, error.message),
    inSdk
      ? h(
          'button',
          { id: 'dismiss', class: 'primary', onclick: () => closeTransact({ reason: 'unknown' }) },
          'Close',
        )
      : null,
  );
}

function showSearch() {
  state.company = null;
  const input = h('input', {
    id: 'company-search',
    type: 'search',
    placeholder: 'Search companies',
    'aria-label': 'Search companies',
  });
  const list = h('ul', { id: 'company-results', class: 'list' });
  const fill = () => {
    const needle = input.value.trim().toLowerCase();
    const found = companies.filter((c) => c.name.toLowerCase().includes(needle));
    list.replaceChildren(
      ...(found.length
        ? found.map((company) =>
            h(
              'li',
              {},
              h(
                'button',
                { class: 'company', 'data-company-id': company._id, onclick: () => showLogin(company) },
                logo(company),
                company.name,
              ),
            ),
          )
        : [h('li', { class: 'muted' }, 'No company matches.')]),
    );
    paintLogos();
  };
  input.addEventListener('input', fill);
  show(
    'search',
    'Connect an account',
    h(
      'h1',
      {},
      flow.kind === 'payments-hub' ? 'Which account do you want to connect?' : 'Where do you shop?',
    ),
    input,
    list,
    state.returnToHub
      ? h('button', { id: 'back-to-hub', class: 'link', onclick: () => showHub(state.hubApp) }, 'Back')
      : null,
  );
  fill();
  interaction('Viewed Search By Company Page');
}

function showLogin(company, notice) {
  state.company = company;
  const username = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', {
    id: 'password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
  });
  const form = h(
    'form',
    {
      id: 'login-form',
      onsubmit: (event) => {
        event.preventDefault();
        submitLogin(username.value, password.value);
      },
    },
    h('label', { for: 'username' }, 'Email or mobile phone number'),
    username,
    h('label', { for: 'password' }, 'Password'),
    password,
    h('button', { id: 'login-submit', class: 'primary', type: 'submit' }, 'Continue'),
  );
  show(
    'login',
    company.name,
    h('div', { class: 'brand-row' }, logo(company), h('h1', {}, `Log in to ${company.name}`)),
    h('p', { id: 'customer-line' }, `${customerName} uses Atomic to connect your ${company.name} account.`),
    notice ? h('p', { class: 'notice', role: 'alert' }, notice) : null,
    form,
    h(
      'button',
      {
        id: 'forgot-password',
        class: 'link',
        onclick: () => {
          interaction('Clicked Forgot Password');
          post('atomic-transact-open-url', { url: 'https://www.amazon.com/ap/forgotpassword' });
        },
      },
      'Forgot your password?',
    ),
    h(
      'p',
      { class: 'muted hint' },
      'Sandbox: test-good, test-bad, test-failure, test-code-mfa, test-question-mfa; any password.',
    ),
    config.deeplink?.step === 'login-company' && flow.kind === 'order-monitoring'
      ? null
      : h('button', { id: 'back', class: 'link', onclick: () => showSearch() }, 'Choose another company'),
  );
  interaction('Viewed Login Page');
}

async function submitLogin(username, password) {
  if (username.trim() === '') return;
  interaction('Clicked Button To Start Authentication');
  showWorking('authenticating', `Logging in to ${state.company.name}…`);
  try {
    const { task } = await api('POST', `/sessions/${state.sessionId}/tasks`, {
      companyId: state.company._id,
      username: username.trim(),
      password,
    });
    track(task._id);
  } catch (error) {
    if (error.status === 401) showTokenProblem(error);
    else showLogin(state.company, error.message);
  }
}

function showWorking(view, text) {
  show(
    view,
    state.company?.name ?? 'Transact',
    h('div', { class: 'spinner', 'aria-hidden': 'true' }),
    h('p', { id: 'message' }, text),
  );
}

function showMfa(kind) {
  const answer = h('input', { id: 'mfa-answer', autocomplete: 'one-time-code', required: true });
  show(
    kind === 'code' ? 'mfa-code' : 'mfa-question',
    state.company.name,
    h('h1', {}, kind === 'code' ? 'Enter the verification code' : 'Answer your security question'),
    h(
      'p',
      { id: 'message' },
      kind === 'code'
        ? `${state.company.name} sent a code to the phone number on your account.`
        : 'What was the name of your first pet?',
    ),
    h(
      'form',
      {
        id: 'mfa-form',
        onsubmit: async (event) => {
          event.preventDefault();
          if (answer.value.trim() === '') return;
          interaction(kind === 'code' ? 'Submitted MFA Code' : 'Submitted MFA Answer');
          showWorking('authenticating', `Logging in to ${state.company.name}…`);
          try {
            await api('POST', `/sessions/${state.sessionId}/tasks/${state.taskId}/mfa`, {
              answer: answer.value,
            });
          } catch (error) {
            if (error.status === 401) showTokenProblem(error);
          }
        },
      },
      h('label', { for: 'mfa-answer' }, kind === 'code' ? 'Code' : 'Answer'),
      answer,
      h('button', { id: 'mfa-submit', class: 'primary', type: 'submit' }, 'Submit'),
    ),
  );
  interaction(kind === 'code' ? 'Viewed MFA Code Page' : 'Viewed MFA Question Page');
}

function showSuccess(account) {
  const orders = account ? account.orderCount : 0;
  show(
    'success',
    state.company?.name ?? 'Transact',
    h('div', { class: 'check', 'aria-hidden': 'true' }, '✓'),
    h('h1', {}, `${state.company?.name ?? 'Your account'} is connected`),
    h('p', { id: 'message' }, `${orders} order${orders === 1 ? '' : 's'} found.`),
    state.returnToHub
      ? h(
          'button',
          { id: 'back-to-hub', class: 'primary', onclick: () => showHub(state.hubApp) },
          'Back to Payments Hub',
        )
      : h('button', { id: 'done', class: 'primary', onclick: () => finishTransact() }, 'Done'),
  );
  interaction('Viewed Task Completed Page');
}

function showFailed(failReason) {
  const text =
    failReason === 'bad-credentials'
      ? 'The username or password is incorrect.'
      : failReason === 'user-abandon'
        ? 'The login was not finished.'
        : `Something went wrong while connecting to ${state.company.name} (${failReason}).`;
  show(
    'failed',
    state.company.name,
    h('h1', {}, 'We could not connect your account'),
    h('p', { id: 'message', 'data-fail-reason': failReason }, text),
    h('button', { id: 'retry', class: 'primary', onclick: () => showLogin(state.company) }, 'Try again'),
  );
  interaction('Viewed Task Failed Page', { failReason });
}

function showExitPrompt() {
  state.resumeView = app.dataset.view;
  show(
    'exit-prompt',
    'Exit?',
    h('h1', {}, 'Are you sure you want to exit?'),
    h(
      'p',
      { id: 'message' },
      `Your ${state.company?.name ?? ''} connection is still being processed; it will finish without you.`,
    ),
    h(
      'button',
      { id: 'exit-confirm', class: 'primary', onclick: () => closeTransact({ reason: 'task-pending' }) },
      'Exit',
    ),
    h(
      'button',
      {
        id: 'exit-cancel',
        class: 'link',
        onclick: () => {
          state.mfaShown = false;
          showWorking('authenticating', `Connecting to ${state.company.name}…`);
          poll();
        },
      },
      'Keep going',
    ),
  );
  interaction('Viewed Exit Prompt');
}

// ---------------------------------------------------------------- the Payments Hub

const HUB_TITLES = {
  expenses: 'Expenses',
  suggestions: 'Suggestions',
  orders: 'Orders',
  'pay-now': 'Pay now',
};
const money = (amount) => (typeof amount === 'number' ? `$${amount.toFixed(2)}` : '—');
const day = (iso) => (iso ? iso.slice(0, 10) : '—');

async function showHub(requested) {
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

// ---------------------------------------------------------------- following a task

function track(taskId) {
  state.taskId = taskId;
  state.taskStatus = null;
  state.taskTerminal = false;
  state.authenticatedPosted = false;
  state.mfaShown = false;
  storage.set(`${storageKey}:task`, taskId);
  poll();
}

async function poll() {
  clearTimeout(state.pollTimer);
  if (!state.taskId || !state.sessionId) return;
  let answer;
  try {
    answer = await api('GET', `/sessions/${state.sessionId}/tasks/${state.taskId}`);
  } catch (error) {
    if (error.status === 401) return showTokenProblem(error);
    state.pollTimer = setTimeout(poll, POLL_MS * 4);
    return;
  }
  const { task, mfa, account } = answer;
  if (!state.company || state.company._id !== task.company._id)
    state.company = companies.find((c) => c._id === task.company._id) ?? { ...task.company, color: '#555' };
  if (task.status !== state.taskStatus) {
    state.taskStatus = task.status;
    post('atomic-transact-task-status-update', {
      taskId: task._id,
      product: task.product,
      status: task.status,
      ...(task.failReason ? { failReason: task.failReason } : {}),
      company: companyRef(),
    });
  }
  if (task.authenticated && !state.authenticatedPosted) {
    state.authenticatedPosted = true;
    post('atomic-transact-auth-status-update', { status: 'authenticated', company: companyRef() });
    interaction('Viewed Authentication Success Page');
    if (handoff.has('authentication-success')) {
      // The host takes over from here; the task goes on in the background.
      return finishTransact({ handoff: 'authentication-success' });
    }
  }
  const exitPromptOpen = app.dataset.view === 'exit-prompt';
  if (task.status === 'completed' || task.status === 'failed') {
    state.taskTerminal = true;
    storage.remove(`${storageKey}:task`);
    if (task.status === 'completed') showSuccess(account);
    else showFailed(task.failReason ?? 'unknown-failure');
    return;
  }
  if (!exitPromptOpen) {
    if (mfa && !state.mfaShown) {
      state.mfaShown = true;
      showMfa(mfa);
    } else if (!mfa && task.authenticated && app.dataset.view !== 'fetching') {
      showWorking('fetching', `Fetching your ${state.company.name} orders…`);
      interaction('Viewed Fetching Data Page');
    } else if (
      !mfa &&
      !task.authenticated &&
      app.dataset.view !== 'authenticating' &&
      !app.dataset.view.startsWith('mfa')
    ) {
      showWorking('authenticating', `Logging in to ${state.company.name}…`);
    }
  }
  state.pollTimer = setTimeout(poll, POLL_MS);
}

// ---------------------------------------------------------------- leaving

function onCloseClicked() {
  const running = state.taskId && !state.taskTerminal;
  interaction('Clicked Close');
  if (!running) return closeTransact({ reason: 'unknown' });
  if (handoff.has('exit-prompt')) return closeTransact({ reason: 'task-pending', handoff: 'exit-prompt' });
  showExitPrompt();
}

function leave(status, reason) {
  clearTimeout(state.pollTimer);
  state.pollTimer = null;
  storage.remove(storageKey);
  storage.remove(`${storageKey}:task`);
  if (state.sessionId)
    api('POST', `/sessions/${state.sessionId}/end`, { status, ...(reason ? { reason } : {}) }).catch(
      () => {},
    );
}

function closeTransact(payload) {
  leave('closed', payload.reason);
  post('atomic-transact-close', payload);
  if (!framed || !inSdk) showMessage('closed', 'Transact', 'You can close this window.');
}

function finishTransact(extra = {}) {
  const payload = { taskId: state.taskId, ...extra };
  leave('finished', extra.handoff);
  post('atomic-transact-finish', payload);
  if (!framed || !inSdk) showMessage('finished', 'Transact', 'All done. You can close this window.');
}

// ---------------------------------------------------------------- start-up

function begin() {
  if (flow.kind === 'payments-hub') return showHub(config.deeplink?.app ?? flow.apps[0]);
  const deeplinked =
    config.deeplink?.step === 'login-company'
      ? companies.find((c) => c._id === config.deeplink.companyId)
      : undefined;
  if (deeplinked) return showLogin(deeplinked);
  return showSearch();
}

async function openSession(publicToken, tokenDelivery) {
  try {
    const { sessionId } = await api('POST', '/sessions', {
      publicToken,
      handshakeId,
      tokenDelivery,
      encodedConfig,
    });
    state.sessionId = sessionId;
    storage.set(storageKey, sessionId);
    begin();
  } catch (error) {
    if (error.status === 401) showTokenProblem(error);
    else showMessage('error', 'Transact cannot start', error.message);
  }
}

/** After a reload: the session this frame already opened, back where it was. */
async function resume(sessionId) {
  let session;
  try {
    session = await api('GET', `/sessions/${sessionId}`);
  } catch (error) {
    if (error.status === 401) {
      showTokenProblem(error);
      return true;
    }
    storage.remove(storageKey);
    return false;
  }
  state.sessionId = sessionId;
  record('Reloaded');
  const taskId = storage.get(`${storageKey}:task`);
  const running = taskId && session.tasks.find((t) => t._id === taskId);
  if (running) track(running._id);
  else begin();
  return true;
}

function waitForToken() {
  let settled = false;
  const timer = setTimeout(() => {
    if (!settled) showOriginMismatch();
  }, TOKEN_WAIT_MS);
  window.addEventListener('message', (event) => {
    if (event.source !== window.parent) return;
    const data = event.data;
    if (!data || data.event !== 'sdk-atomic-transact-public-token' || settled) return;
    const payload = data.payload ?? {};
    if (handshakeId && payload.handshakeId !== handshakeId) return;
    settled = true;
    clearTimeout(timer);
    state.parentOrigin = event.origin;
    if (!payload.publicToken)
      return showMessage(
        'no-token',
        'Transact cannot start',
        'The SDK had no public token to hand over: pass config.publicToken to Atomic.transact (the SDK hands it over only once per launch).',
      );
    openSession(payload.publicToken, 'handshake');
  });
  post('atomic-transact-request-public-token', {});
}

async function main() {
  applyTheme();
  post('atomic-transact-initialized', {});
  const saved = storage.get(storageKey);
  if (saved && (await resume(saved))) return;
  if (typeof config.publicToken === 'string') return openSession(config.publicToken, 'config');
  if (!framed)
    return showMessage(
      'not-framed',
      'Transact',
      'Open Transact with Atomic.transact({config, environmentOverride}) from your page; it hands the public token over to this frame.',
    );
  waitForToken();
}

main();
