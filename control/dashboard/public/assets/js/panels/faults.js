/* global setTimeout, clearTimeout */
// @ts-check
import { api, messageOf } from '../api.js';
import { announce, byId, h, presetToggle, render, runBusy } from '../dom.js';

const VENDORS = [
  { id: 'atomic', name: 'Atomic API' },
  { id: 'atelio', name: 'Atelio API' },
];

/**
 * The three faults a demo needs, per vendor, as on/off switches (POST /api/faults to switch on,
 * DELETE /api/faults/{id} to switch off), plus whatever other rules are active (added with curl or
 * the CLI), each removable.
 */
const PRESETS = [
  {
    id: 'rate-limit',
    label: '429 rate limit',
    rule: { kind: 'status', status: 429, retryAfterSeconds: 5 },
    matches: (/** @type {any} */ r) => r.kind === 'status' && r.status === 429,
  },
  {
    id: 'server-error',
    label: '500 error',
    rule: { kind: 'status', status: 500 },
    matches: (/** @type {any} */ r) => r.kind === 'status' && r.status === 500,
  },
  {
    id: 'slow',
    label: 'Slow (3 s)',
    rule: { kind: 'latency', latencyMs: 3000 },
    matches: (/** @type {any} */ r) => r.kind === 'latency',
  },
];

/** @param {any} rule */
function describeRule(rule) {
  const what =
    rule.kind === 'status'
      ? `answers ${rule.status}${rule.status === 429 ? ` (Retry-After ${rule.retryAfterSeconds ?? 1} s)` : ''}`
      : rule.kind === 'latency'
        ? `waits ${rule.latencyMs} ms`
        : 'drops the connection';
  const where = `${rule.method ?? 'any method'} ${rule.path ?? 'every path'}`;
  const odds = rule.probability < 1 ? `, ${Math.round(rule.probability * 100)}% of requests` : '';
  const left = rule.remaining !== undefined && rule.remaining !== null ? `, ${rule.remaining} left` : '';
  return `${what} on ${where}${odds}${left} · hit ${rule.hits}×`;
}

/** While a fault is on, its hit count is re-read this often (nothing announces a hit). */
const ACTIVE_POLL_MS = 2_000;

export function createFaultsPanel() {
  const box = byId('fault-controls');
  /** @type {any[]} */
  let rules = [];
  let error = '';
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let poll;

  async function load() {
    clearTimeout(poll);
    poll = undefined;
    try {
      const answer = await api('/api/faults');
      rules = answer.faults ?? [];
      error = '';
    } catch (e) {
      error = `Could not read the faults: ${messageOf(e)}`;
    }
    draw();
    if (rules.length > 0) poll = setTimeout(load, ACTIVE_POLL_MS);
  }

  /**
   * @param {Event} event
   * @param {() => Promise<void>} action
   */
  async function act(event, action) {
    const outcome = await runBusy(event, action, messageOf);
    if (outcome === undefined) return;
    error = outcome;
    await load();
  }

  function draw() {
    render(
      box,
      VENDORS.map((vendor) => {
        const own = rules.filter((r) => r.vendor === vendor.id || r.vendor === '*');
        return h(
          'fieldset',
          { class: 'fault-vendor' },
          h('legend', null, vendor.name),
          h(
            'div',
            { class: 'fault-buttons' },
            PRESETS.map((preset) => {
              const active = own.find((r) => r.vendor === vendor.id && preset.matches(r));
              return presetToggle({
                vendor,
                preset,
                active,
                collection: '/api/faults',
                key: `fault-${vendor.id}-${preset.id}`,
                title: active
                  ? `Stop: ${describeRule(active)}`
                  : `Make the ${vendor.name} ${preset.label.toLowerCase()}`,
                act,
                request: api,
              });
            }),
            own.length === 0
              ? null
              : h(
                  'button',
                  {
                    type: 'button',
                    class: 'button small',
                    'data-key': `fault-${vendor.id}-clear`,
                    onclick: (/** @type {Event} */ e) =>
                      act(e, async () => {
                        await api(`/api/faults?vendor=${vendor.id}`, { method: 'DELETE' });
                        announce(`${vendor.name}: faults cleared`);
                      }),
                  },
                  'Clear',
                ),
          ),
          own.length
            ? h(
                'ul',
                { class: 'fault-rules', 'aria-label': `Active ${vendor.name} faults` },
                own.map((rule) =>
                  h(
                    'li',
                    null,
                    `${rule.vendor === '*' ? 'Both vendors: ' : ''}${describeRule(rule)} `,
                    h(
                      'button',
                      {
                        type: 'button',
                        class: 'button small',
                        'data-key': `fault-remove-${rule.id}`,
                        'aria-label': `Remove fault ${rule.id}`,
                        onclick: (/** @type {Event} */ e) =>
                          act(e, () =>
                            api(`/api/faults/${encodeURIComponent(rule.id)}`, { method: 'DELETE' }),
                          ),
                      },
                      'Remove',
                    ),
                  ),
                ),
              )
            : h('p', { class: 'hint' }, 'Behaving normally.'),
        );
      }),
      error ? h('p', { class: 'error', role: 'alert' }, error) : null,
    );
  }

  return { load };
}
