/* global document, CSS, HTMLElement, setInterval */
// @ts-check
import { api, messageOf } from './api.js';
import { announce, byId, isBusy, setBusy } from './dom.js';
import { formatClock } from './format.js';
import { connectLive } from './live.js';
import { createDeliveriesPanel } from './panels/deliveries.js';
import { createChaosPanel } from './panels/chaos.js';
import { createFaultsPanel } from './panels/faults.js';
import { createScenarioPanel } from './panels/scenario.js';
import { createStitchingPanel } from './panels/stitching.js';
import { createTransactPanel } from './panels/transact.js';
import { createUserPanel } from './panels/user.js';
import { createRefresher } from './refresh.js';
import { state } from './state.js';

/**
 * Wires the panels to the live feed: each message says what changed, and the panels that show it
 * re-read their data (throttled). A (re)connection re-reads everything, so nothing missed while
 * the stream was down stays missing.
 */

const refresher = createRefresher(300);

/** @param {string} identifier */
function selectUser(identifier) {
  if (identifier === state.user) return;
  state.user = identifier;
  userPanel.redrawPicker();
  deliveriesPanel.redraw();
  refresher.mark('users', 'user', 'stitching');
}

const scenarioPanel = createScenarioPanel({
  onRunStarted(runId, identifier) {
    state.runId = runId;
    if (identifier && state.followRun) selectUser(identifier);
    refresher.mark('run');
  },
  onWebhookChip(eventId) {
    state.highlightDelivery = eventId;
    deliveriesPanel.redraw();
    const card = document.querySelector(`[data-delivery-id="${CSS.escape(eventId)}"]`);
    if (card) {
      const summary = card.querySelector('summary');
      if (summary instanceof HTMLElement) summary.focus();
    } else {
      announce('That webhook is no longer among the newest deliveries shown.');
    }
  },
});
const userPanel = createUserPanel({ onSelect: selectUser });
const stitchingPanel = createStitchingPanel();
const deliveriesPanel = createDeliveriesPanel();
const faultsPanel = createFaultsPanel();
const chaosPanel = createChaosPanel();
createTransactPanel();

// ---------------------------------------------------------------- platform clock

const clockEl = byId('platform-time');
/** Platform time minus this browser's time, so the clock can tick between heartbeats. */
let clockOffsetMs = 0;
let clockKnown = false;
/** @param {string | undefined} iso */
function setPlatformTime(iso) {
  const ms = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(ms)) return;
  clockOffsetMs = ms - Date.now();
  clockKnown = true;
  tick();
}
function tick() {
  if (!clockKnown) return;
  const now = Date.now() + clockOffsetMs;
  clockEl.textContent = formatClock(now);
  clockEl.setAttribute('datetime', new Date(now).toISOString());
}
setInterval(tick, 1000);

refresher.define('scenarios', () => scenarioPanel.loadList());
refresher.define('run', () => scenarioPanel.loadRun());
refresher.define('users', () => userPanel.loadList());
refresher.define('user', () => userPanel.loadDetail());
refresher.define('stitching', () => stitchingPanel.load());
refresher.define('deliveries', () => deliveriesPanel.load());
refresher.define('faults', () => faultsPanel.load());
refresher.define('chaos', () => chaosPanel.load());
refresher.define('clock', async () => {
  try {
    setPlatformTime((await api('/api/clock')).now);
  } catch {
    // The heartbeat will tell the time soon enough.
  }
});

// ---------------------------------------------------------------- live messages

const connection = byId('connection');
const CONNECTION_TEXT = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline, retrying…',
};

/** Whether a message's list of users holds the one on screen. */
const concernsUser = (/** @type {unknown} */ identifiers) =>
  Array.isArray(identifiers) && state.user !== null && identifiers.includes(state.user);

connectLive('/api/events', {
  onStatus(status) {
    connection.dataset['state'] = status;
    connection.textContent = CONNECTION_TEXT[status];
  },
  onMessage(event, data) {
    switch (event) {
      case 'hello':
      case 'resync':
        if (event === 'hello') setPlatformTime(data.now);
        refresher.markAll();
        break;
      case 'heartbeat':
        setPlatformTime(data.now);
        refresher.mark('faults');
        break;
      case 'delivery':
        refresher.mark('deliveries');
        if (data.phase === 'target' || data.phase === 'settled') refresher.mark('chaos');
        break;
      case 'run':
        onRunMessage(data);
        if (data.phase !== 'step-started') refresher.mark('chaos'); // a run's own chaos rules come and go
        break;
      case 'users':
        for (const identifier of data.identifiers ?? []) state.usersKnown.add(identifier);
        refresher.mark('users');
        if (concernsUser(data.identifiers)) refresher.mark('user');
        break;
      case 'stitcher':
        for (const identifier of data.identifiers ?? []) state.stitcherKnows.add(identifier);
        refresher.mark('users', 'faults');
        if (concernsUser(data.identifiers)) refresher.mark('stitching');
        break;
      case 'reset':
        forgetAfterReset();
        announce('The sandbox went back to its seeded baseline.');
        break;
    }
  },
});

/** @param {any} data */
function onRunMessage(data) {
  if (data.phase === 'run-started') {
    // Follow the newest run, whoever started it (this page, another one, the CLI).
    state.runId = data.runId;
    if (state.followRun && data.identifier) selectUser(data.identifier);
    refresher.mark('run', 'users');
    return;
  }
  if (data.runId !== state.runId) return;
  refresher.mark('run');
  if (data.phase === 'run-completed') announce(`Scenario ${data.name} completed.`);
  if (data.phase === 'run-failed') announce(`Scenario ${data.name} ${data.status}.`);
}

// ---------------------------------------------------------------- reset

/** The runs' users and their data are gone: start over from the baseline's newest user. */
function forgetAfterReset() {
  state.runId = null;
  state.user = null;
  state.usersKnown.clear();
  state.stitcherKnows.clear();
  state.highlightDelivery = null;
  refresher.markAll();
}

const resetButton = /** @type {HTMLButtonElement} */ (byId('reset'));
resetButton.addEventListener('click', async () => {
  if (isBusy(resetButton)) return;
  setBusy(resetButton, true, 'Resetting…');
  try {
    await api('/api/reset', { method: 'POST' });
    forgetAfterReset();
  } catch (e) {
    announce(`Reset failed: ${messageOf(e)}`);
  } finally {
    setBusy(resetButton, false);
  }
});

refresher.markAll();

// A viewer token gives the page without its controls (the control plane refuses them anyway).
api('/api/session')
  .then((/** @type {{ role: string }} */ session) => {
    if (session.role === 'viewer') document.body.dataset['role'] = 'viewer';
  })
  .catch(() => undefined);
