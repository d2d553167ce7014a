/* global window, setTimeout, clearTimeout */
// The Transact stand-in's single-page app. It runs inside the iframe Atomic's browser SDK opens,
// talks to the host page only through the SDK's postMessage protocol ({event, payload} objects),
// and to its own server under /api. The launch (config, flow, companies) is embedded in the page.
// The session id is kept in this frame's sessionStorage, keyed by the handshake id in the URL's
// hash, so a reload resumes the session: the SDK hands the public token over only once.
//
// This file starts it; the rest is in ./js/ as ES modules: launch.js (launch data, state, storage),
// server.js and host.js (the back end, the host page), dom.js (building views), pages.js, hub.js,
// task.js and leaving.js (the views and what moves between them). The views call each other (a
// login leads to a task, a task back to the login), so those modules import each other; that is
// safe because nothing runs until main() below, after every module has loaded.

import { applyTheme, onCloseButton, showMessage } from './js/dom.js';
import { post } from './js/host.js';
import { showHub } from './js/hub.js';
import {
  companies,
  config,
  encodedConfig,
  flow,
  framed,
  handshakeId,
  state,
  storage,
  storageKey,
  TOKEN_WAIT_MS,
} from './js/launch.js';
import { onCloseClicked } from './js/leaving.js';
import { showLogin, showOriginMismatch, showSearch, showTokenProblem } from './js/pages.js';
import { api, record } from './js/server.js';
import { track } from './js/task.js';

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
  onCloseButton(onCloseClicked);
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
