/* global clearTimeout */
import { showMessage } from './dom.js';
import { interaction, post } from './host.js';
import { framed, handoff, inSdk, state, storage, storageKey } from './launch.js';
import { showExitPrompt } from './pages.js';
import { api } from './server.js';

// Closing or finishing Transact: the session ends on the server and the host is told.

export function onCloseClicked() {
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

export function closeTransact(payload) {
  leave('closed', payload.reason);
  post('atomic-transact-close', payload);
  if (!framed || !inSdk) showMessage('closed', 'Transact', 'You can close this window.');
}

export function finishTransact(extra = {}) {
  const payload = { taskId: state.taskId, ...extra };
  leave('finished', extra.handoff);
  post('atomic-transact-finish', payload);
  if (!framed || !inSdk) showMessage('finished', 'Transact', 'All done. You can close this window.');
}
