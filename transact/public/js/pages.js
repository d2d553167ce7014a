/* global location */
import { h, logo, paintLogos, show } from './dom.js';
import { interaction, post } from './host.js';
import { showHub } from './hub.js';
import { app, companies, config, customerName, flow, inSdk, state, storage, storageKey } from './launch.js';
import { closeTransact, finishTransact } from './leaving.js';
import { api } from './server.js';
import { poll, track } from './task.js';

// The views of a connection: company search, login, MFA, progress, success, failure, exit prompt.

export function showOriginMismatch() {
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

export function showTokenProblem(error) {
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

export function showSearch() {
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

export function showLogin(company, notice) {
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

export function showWorking(view, text) {
  show(
    view,
    state.company?.name ?? 'Transact',
    h('div', { class: 'spinner', 'aria-hidden': 'true' }),
    h('p', { id: 'message' }, text),
  );
}

export function showMfa(kind) {
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

export function showSuccess(account) {
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

export function showFailed(failReason) {
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

export function showExitPrompt() {
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
