/* global setTimeout, clearTimeout */
// @ts-check
import { api, messageOf } from '../api.js';
import { announce, byId, h, presetToggle, render, runBusy } from '../dom.js';
import { formatDateTime } from '../format.js';

const VENDORS = [
  { id: 'atomic', name: 'Atomic webhooks' },
  { id: 'atelio', name: 'Atelio webhooks' },
];

/**
 * The delivery chaos a demo needs, per vendor, as on/off switches (POST /api/chaos to switch on,
 * DELETE /api/chaos/{id} to switch off); rules added elsewhere (curl, a scenario) are listed too.
 */
const PRESETS = [
  { id: 'duplicate', label: 'Duplicate 20%', rule: { kind: 'duplicate', probability: 0.2 } },
  { id: 'reorder', label: 'Reorder (1 min)', rule: { kind: 'reorder', windowMs: 60_000 } },
  { id: 'delay', label: 'Delay 30 s', rule: { kind: 'delay', delayMs: 30_000 } },
  { id: 'lost-ack', label: 'Lose acks 20%', rule: { kind: 'lost-ack', probability: 0.2 } },
  { id: 'drop', label: 'Drop 10%', rule: { kind: 'drop', probability: 0.1 } },
];

/** @param {any} rule */
export function describeChaosRule(rule) {
  const what =
    rule.kind === 'duplicate'
      ? `sends ${rule.times ?? 1} extra ${(rule.times ?? 1) === 1 ? 'copy' : 'copies'}`
      : rule.kind === 'reorder'
        ? `reorders within ${Math.round((rule.windowMs ?? 60_000) / 1000)} s`
        : rule.kind === 'delay'
          ? `delays ${Math.round((rule.delayMs ?? 0) / 1000)} s`
          : rule.kind === 'lost-ack'
            ? 'loses the acknowledgement'
            : 'drops the event';
  const scope = [
    rule.eventType ? `${rule.eventType} events` : null,
    rule.user ? `user ${rule.user}` : null,
    rule.targetId ? `target ${rule.targetId}` : null,
  ].filter(Boolean);
  const odds = rule.probability < 1 ? `, ${Math.round(rule.probability * 100)}%` : '';
  const left = rule.remaining !== undefined && rule.remaining !== null ? `, ${rule.remaining} left` : '';
  const who = rule.source && rule.source !== 'api' ? ` (${rule.source})` : '';
  return `${rule.id}: ${what}${scope.length ? ` for ${scope.join(', ')}` : ''}${odds}${left} · hit ${rule.hits}×${who}`;
}

/** While a rule is on or a target is paused, the panel is re-read this often (nothing announces it). */
const ACTIVE_POLL_MS = 2_000;

/**
 * Delivery chaos switches, and every webhook target's health: its circuit breaker (with Resume),
 * backlog and drops, and a bulk "redeliver what failed or was dropped" per target.
 */
export function createChaosPanel() {
  const box = byId('chaos-controls');
  const targetsBox = byId('webhook-targets');
  const since = /** @type {HTMLInputElement} */ (byId('redeliver-since'));
  /** @type {any[]} */
  let rules = [];
  /** @type {any[]} */
  let targets = [];
  let error = '';
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let poll;

  async function load() {
    clearTimeout(poll);
    poll = undefined;
    try {
      const [chaos, health] = await Promise.all([api('/api/chaos'), api('/api/webhook-targets')]);
      rules = chaos.rules ?? [];
      targets = health.targets ?? [];
      error = '';
    } catch (e) {
      error = `Could not read the delivery settings: ${messageOf(e)}`;
    }
    draw();
    if (rules.length > 0 || targets.some((t) => t.breaker !== 'closed' || t.backlog > 0))
      poll = setTimeout(load, ACTIVE_POLL_MS);
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
        const own = rules.filter((r) => r.vendor === vendor.id || r.vendor === undefined);
        return h(
          'fieldset',
          { class: 'fault-vendor' },
          h('legend', null, vendor.name),
          h(
            'div',
            { class: 'fault-buttons' },
            PRESETS.map((preset) => {
              const active = own.find(
                (r) => r.vendor === vendor.id && r.kind === preset.rule.kind && r.source === 'api',
              );
              return presetToggle({
                vendor,
                preset,
                active,
                collection: '/api/chaos',
                key: `chaos-${vendor.id}-${preset.id}`,
                title: active
                  ? `Stop: ${describeChaosRule(active)}`
                  : `${vendor.name}: ${preset.label.toLowerCase()}`,
                act,
                request: api,
              });
            }),
          ),
          own.length
            ? h(
                'ul',
                { class: 'fault-rules', 'aria-label': `Active ${vendor.name} chaos rules` },
                own.map((rule) =>
                  h(
                    'li',
                    null,
                    `${rule.vendor === undefined ? 'Both vendors: ' : ''}${describeChaosRule(rule)} `,
                    h(
                      'button',
                      {
                        type: 'button',
                        class: 'button small',
                        'data-key': `chaos-remove-${rule.id}`,
                        'aria-label': `Remove chaos rule ${rule.id}`,
                        onclick: (/** @type {Event} */ e) =>
                          act(e, () =>
                            api(`/api/chaos/${encodeURIComponent(rule.id)}`, { method: 'DELETE' }),
                          ),
                      },
                      'Remove',
                    ),
                  ),
                ),
              )
            : h('p', { class: 'hint' }, 'Delivering as the vendor does.'),
        );
      }),
      error ? h('p', { class: 'error', role: 'alert' }, error) : null,
    );
    render(
      targetsBox,
      targets.length
        ? h(
            'ul',
            { class: 'target-list', 'aria-label': 'Webhook targets' },
            targets.map((t) =>
              h(
                'li',
                { class: 'webhook-target', 'data-target': `${t.vendor}/${t.targetId}` },
                h(
                  'div',
                  { class: 'line small' },
                  h(
                    'span',
                    { class: ['chip', `vendor-${t.vendor}`] },
                    t.vendor === 'atomic' ? 'Atomic' : 'Atelio',
                  ),
                  h('span', { class: 'mono' }, t.url),
                  h(
                    'span',
                    {
                      class: ['badge', t.breaker === 'closed' ? 'ok' : t.breaker === 'open' ? 'bad' : 'warn'],
                    },
                    t.breaker === 'closed' ? 'active' : t.breaker === 'open' ? 'paused' : 'probing',
                  ),
                  t.slow ? h('span', { class: 'badge warn' }, 'slow') : null,
                ),
                h(
                  'p',
                  { class: 'small muted' },
                  `${t.backlog} pending · ${t.dropped} dropped · ${t.consecutiveFailures} failed in a row`,
                  t.pauseReason ? ` · paused: ${t.pauseReason}` : '',
                  t.resumesAt ? ` · resumes ${formatDateTime(t.resumesAt)}` : '',
                ),
                h(
                  'div',
                  { class: 'fault-buttons' },
                  t.breaker === 'closed'
                    ? null
                    : h(
                        'button',
                        {
                          type: 'button',
                          class: 'button small',
                          'data-key': `resume-${t.vendor}-${t.targetId}`,
                          onclick: (/** @type {Event} */ e) =>
                            act(e, async () => {
                              await api(
                                `/api/webhook-targets/${t.vendor}/${encodeURIComponent(t.targetId)}/resume`,
                                { method: 'POST' },
                              );
                              announce(`${t.url} resumed`);
                            }),
                        },
                        'Resume',
                      ),
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'button small',
                      'data-key': `recover-${t.vendor}-${t.targetId}`,
                      title:
                        'Redeliver every event this target failed to get or had dropped (since the time above, if set)',
                      onclick: (/** @type {Event} */ e) =>
                        act(e, async () => {
                          const from = since.value ? Date.parse(`${since.value}Z`) : NaN;
                          const answer = await api('/api/deliveries/redeliver', {
                            method: 'POST',
                            body: {
                              vendor: t.vendor,
                              targetId: t.targetId,
                              ...(Number.isNaN(from) ? {} : { since: new Date(from).toISOString() }),
                            },
                          });
                          announce(
                            `${answer.count} ${answer.count === 1 ? 'event' : 'events'} sent again to ${t.url}`,
                          );
                        }),
                    },
                    'Redeliver failed',
                  ),
                ),
              ),
            ),
          )
        : h('p', { class: 'hint' }, 'No webhook has been sent yet.'),
    );
  }

  return { load };
}
