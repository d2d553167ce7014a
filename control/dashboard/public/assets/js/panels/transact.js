/* global window */
// @ts-check
import { api, messageOf } from '../api.js';
import { byId } from '../dom.js';

/**
 * "Launch Transact": asks the control plane for a public token for the user, then runs Atomic's own
 * browser SDK (loaded from /assets/vendor/transact.js, unmodified) against the Transact stand-in.
 * The SDK opens Transact in an iframe over this page and removes it on finish or close.
 */
export function createTransactPanel() {
  const form = /** @type {HTMLFormElement} */ (byId('transact-form'));
  const identifier = /** @type {HTMLInputElement} */ (byId('transact-identifier'));
  const flow = /** @type {HTMLSelectElement} */ (byId('transact-flow'));
  const status = byId('transact-status');

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const who = identifier.value.trim() || 'demo-user';
    status.textContent = 'Launching…';
    try {
      const launch = await api('/api/transact/launch', {
        method: 'POST',
        body: { identifier: who, flow: flow.value },
      });
      const sdk = /** @type {any} */ (window).Atomic;
      sdk.transact({
        config: launch.config,
        environmentOverride: launch.environmentOverride,
        onInteraction: (/** @type {any} */ payload) => {
          status.textContent = `${who}: ${payload.name}`;
        },
        onFinish: (/** @type {any} */ payload) => {
          status.textContent = `${who}: finished, task ${payload.taskId}`;
        },
        onClose: (/** @type {any} */ payload) => {
          status.textContent = `${who}: closed (${payload.reason})`;
        },
        onDataRequest: () => {
          status.textContent = `${who}: Transact asked for card data`;
        },
      });
    } catch (error) {
      status.textContent = messageOf(error);
    }
  });
}
