/* global HTMLElement */
// @ts-check
import { api, messageOf } from '../api.js';
import { byId, h, isBusy, render, setBusy } from '../dom.js';
import { formatDateTime } from '../format.js';
import { state } from '../state.js';

/** How fast a run plays, in words: "instant", "1 day per second", "250× real time". */
function speedLabel(/** @type {unknown} */ speed) {
  if (speed === 'instant') return 'instant';
  /** @type {Record<string, string>} */
  const named = {
    86400: '1 day per second',
    43200: '12 hours per second',
    3600: '1 hour per second',
    60: '1 minute per second',
    1: 'real time',
  };
  return named[String(speed)] ?? `${speed}× real time`;
}

/**
 * The scenario picker, the Run form, and the timeline of the run being watched: every step of the
 * scenario in order, on the run's virtual clock (offset from its start and the virtual time), with
 * the webhooks each step caused. Steps not reached yet are listed as upcoming.
 *
 * @param {{ onRunStarted: (runId: string, identifier: string | undefined) => void, onWebhookChip: (eventId: string) => void }} hooks
 */
export function createScenarioPanel(hooks) {
  const select = /** @type {HTMLSelectElement} */ (byId('scenario-name'));
  const description = byId('scenario-description');
  const form = byId('run-form');
  const seed = /** @type {HTMLInputElement} */ (byId('run-seed'));
  const speed = /** @type {HTMLSelectElement} */ (byId('run-speed'));
  const button = /** @type {HTMLButtonElement} */ (byId('run-button'));
  const error = byId('run-error');
  const runBox = byId('run');

  /** @type {any[]} */
  let scenarios = [];
  /** @type {any} */
  let run = null;

  const showError = (/** @type {string | null} */ message) => {
    error.hidden = message === null;
    error.textContent = message ?? '';
  };

  // The first sentence says what the scenario is about; the rest is there for who wants it.
  const describe = () => {
    const chosen = scenarios.find((s) => s.name === select.value);
    if (!chosen) return render(description);
    if (chosen.error) return render(description, `Cannot be run: ${chosen.error}`);
    const text = String(chosen.description ?? '').trim();
    const cut = text.search(/[.:;](\s|$)/);
    if (cut < 0 || cut + 1 >= text.length - 1) return render(description, text);
    render(
      description,
      text.slice(0, cut + 1),
      ' ',
      h(
        'details',
        { class: 'more', 'data-key': `about-${chosen.name}` },
        h('summary', null, 'More about this scenario'),
        text.slice(cut + 1).trim(),
      ),
    );
  };
  select.addEventListener('change', describe);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (isBusy(button)) return;
    showError(null);
    const name = select.value;
    if (!name) return showError('Pick a scenario first.');
    const seedValue = seed.value.trim() === '' ? undefined : Number(seed.value);
    if (
      seedValue !== undefined &&
      (!Number.isInteger(seedValue) || seedValue < 0 || seedValue > 4294967295)
    ) {
      seed.focus();
      return showError('The seed is a whole number from 0 to 4294967295.');
    }
    setBusy(button, true, 'Starting…');
    try {
      const answer = await api(`/api/scenarios/${encodeURIComponent(name)}/runs`, {
        method: 'POST',
        body: {
          ...(seedValue === undefined ? {} : { seed: seedValue }),
          speed: speed.value === 'instant' ? 'instant' : Number(speed.value),
        },
      });
      hooks.onRunStarted(answer.runId, answer.run?.options?.identifier);
    } catch (e) {
      showError(messageOf(e));
    } finally {
      setBusy(button, false);
    }
  });

  async function loadList() {
    try {
      const answer = await api('/api/scenarios');
      scenarios = answer.scenarios ?? [];
    } catch (e) {
      showError(`Could not load the scenarios: ${messageOf(e)}`);
      return;
    }
    const previous = select.value;
    render(
      select,
      scenarios.map((s) =>
        h('option', { value: s.name, disabled: Boolean(s.error) }, s.error ? `${s.name} (broken)` : s.name),
      ),
    );
    const keep = scenarios.find((s) => s.name === previous && !s.error) ?? scenarios.find((s) => !s.error);
    if (keep) select.value = keep.name;
    describe();
    if (run) drawRun();
  }

  async function loadRun() {
    if (!state.runId) {
      run = null;
      drawRun();
      return;
    }
    try {
      run = await api(`/api/runs/${encodeURIComponent(state.runId)}`);
    } catch (e) {
      run = null;
      render(runBox, h('h3', { id: 'run-title' }, 'Timeline'), h('p', { class: 'error' }, messageOf(e)));
      return;
    }
    drawRun();
  }

  function drawRun() {
    if (!run) {
      render(
        runBox,
        h('h3', { id: 'run-title' }, 'Timeline'),
        h('p', { class: 'empty' }, 'No scenario has run yet. Pick one above and press Run.'),
      );
      return;
    }
    const plan = scenarios.find((s) => s.name === run.name)?.steps ?? [];
    const timeline = run.timeline ?? [];
    const total = Math.max(run.stepCount ?? plan.length, timeline.length);
    const done = timeline.filter((/** @type {any} */ t) => t.status !== 'running').length;
    /** @type {Record<string, string>} */
    const classes = { running: 'warn', completed: 'ok', failed: 'bad', cancelled: 'bad' };
    const statusClass = classes[run.status] ?? '';
    const items = [];
    for (let i = 0; i < total; i++) {
      const entry = timeline[i];
      const planned = plan[i];
      if (entry) items.push(stepItem(entry));
      else if (planned) items.push(upcomingItem(planned));
    }
    render(
      runBox,
      h(
        'div',
        { class: 'run-head' },
        h('h3', { id: 'run-title' }, `Timeline · ${run.name}`),
        h('span', { class: ['badge', statusClass], 'data-testid': 'run-status' }, run.status),
      ),
      h(
        'p',
        { class: 'run-meta' },
        `${run.id} · seed ${run.options?.seed} · ${speedLabel(run.options?.speed)} · user `,
        h('span', { class: 'mono' }, run.options?.identifier ?? '—'),
      ),
      h(
        'p',
        { class: 'run-meta' },
        'Virtual clock: ',
        h('time', { datetime: run.virtualNow }, formatDateTime(run.virtualNow)),
        ` · ${run.webhookCount ?? 0} webhooks`,
      ),
      h('progress', { max: total || 1, value: done, 'aria-label': `${done} of ${total} steps done` }),
      run.error && run.status !== 'cancelled'
        ? h(
            'p',
            { class: 'error' },
            run.error.step ? `Step ${run.error.step}: ${run.error.message}` : run.error.message,
          )
        : null,
      h('ol', { class: 'timeline', 'aria-label': 'Steps on the virtual clock' }, items),
    );
    // While the run plays, keep its newest step in sight (the list scrolls on its own).
    if (run.status === 'running') {
      const list = runBox.querySelector('.timeline');
      const target =
        list?.querySelector('li.running') ?? [...(list?.querySelectorAll('li:not(.upcoming)') ?? [])].pop();
      if (list instanceof HTMLElement && target instanceof HTMLElement) {
        list.scrollTop = Math.max(0, target.offsetTop - list.clientHeight / 4); // the list is its offsetParent
      }
    }
  }

  /** @param {any} entry */
  function stepItem(entry) {
    const webhooks = entry.webhooks ?? [];
    return h(
      'li',
      { class: entry.status },
      h(
        'div',
        { class: 'step-line' },
        h('span', { class: 'step-offset', title: formatDateTime(entry.at) }, entry.offset),
        h('span', { class: 'step-name' }, entry.step),
        h('span', { class: 'step-type' }, entry.type),
        entry.status === 'completed' ? h('span', { class: 'visually-hidden' }, '(done)') : null,
        entry.status === 'running' ? h('span', { class: 'badge warn' }, 'running') : null,
        entry.status === 'failed' ? h('span', { class: 'badge bad' }, 'failed') : null,
      ),
      entry.note ? h('p', { class: 'step-note' }, entry.note) : null,
      entry.error ? h('p', { class: 'step-error' }, entry.error) : null,
      webhooks.length
        ? h(
            'div',
            { class: 'chips', 'aria-label': 'Webhooks this step caused' },
            webhooks.map((/** @type {any} */ w) =>
              w.eventId
                ? h(
                    'button',
                    {
                      type: 'button',
                      class: ['chip', `vendor-${w.vendor}`],
                      title: `Show this ${w.vendor} webhook in the deliveries`,
                      'data-key': `chip-${w.eventId}`,
                      onclick: () => hooks.onWebhookChip(w.eventId),
                    },
                    w.eventType,
                  )
                : h(
                    'span',
                    { class: ['chip', `vendor-${w.vendor}`], title: 'No endpoint subscribes to it' },
                    `${w.eventType} (unsent)`,
                  ),
            ),
          )
        : null,
    );
  }

  /** @param {any} planned */
  function upcomingItem(planned) {
    const when =
      planned.at !== undefined
        ? `at ${planned.at}`
        : planned.after !== undefined
          ? `${planned.after} later`
          : '';
    return h(
      'li',
      { class: 'upcoming' },
      h(
        'div',
        { class: 'step-line' },
        h('span', { class: 'step-offset' }, when),
        h('span', { class: 'step-name' }, planned.name),
        h('span', { class: 'step-type' }, planned.type),
        h('span', { class: 'visually-hidden' }, '(upcoming)'),
      ),
      planned.note ? h('p', { class: 'step-note' }, planned.note) : null,
    );
  }

  return { loadList, loadRun, redraw: drawRun };
}
