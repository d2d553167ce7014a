/* global setTimeout, clearTimeout */
import { companyRef, interaction, post } from './host.js';
import { app, companies, handoff, POLL_MS, state, storage, storageKey } from './launch.js';
import { finishTransact } from './leaving.js';
import { showFailed, showMfa, showSuccess, showTokenProblem, showWorking } from './pages.js';
import { api } from './server.js';

// Following a task by polling the back end, and telling the host of each status change.

export function track(taskId) {
  state.taskId = taskId;
  state.taskStatus = null;
  state.taskTerminal = false;
  state.authenticatedPosted = false;
  state.mfaShown = false;
  storage.set(`${storageKey}:task`, taskId);
  poll();
}

export async function poll() {
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
