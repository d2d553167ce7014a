/* global document, HTMLElement, CSS, URLSearchParams */
// @ts-check
import { api, messageOf } from '../api.js';
import { announce, byId, h, headRow, render } from '../dom.js';
import { formatDateTime, formatLatency } from '../format.js';
import { state } from '../state.js';
import { statusClass } from './user.js';

const SIGNATURE_HEADERS = { atomic: 'X-HMAC-Signature-Sha-256', atelio: 'Bond-Signature' };
const LIMIT = 60;

function pretty(/** @type {string} */ body) {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/**
 * The webhook delivery log (GET /api/deliveries), newest first: per event its type, vendor, status
 * and every target with every attempt (time, answer, latency), the signature header as sent, the
 * body on demand, and a Redeliver button (POST /api/deliveries/{id}/redeliver).
 */
export function createDeliveriesPanel() {
  const list = byId('deliveries-list');
  const userOnly = /** @type {HTMLInputElement} */ (byId('deliveries-user-only'));
  const segments = /** @type {HTMLButtonElement[]} */ ([
    ...document.querySelectorAll('#deliveries .segment'),
  ]);
  /** @type {any[]} */
  let deliveries = [];
  let size = 0;
  let error = '';
  /** @type {Record<string, string>} */
  const actionErrors = {};
  /** Deliveries being sent again right now (their button shows it across re-renders). */
  const sending = new Set();

  for (const segment of segments) {
    segment.addEventListener('click', () => {
      state.deliveriesVendor = segment.dataset['vendor'] ?? '';
      for (const other of segments) other.setAttribute('aria-pressed', String(other === segment));
      void load();
    });
  }
  userOnly.addEventListener('change', () => {
    state.deliveriesUserOnly = userOnly.checked;
    draw();
  });

  async function load() {
    const query = new URLSearchParams({ limit: String(LIMIT) });
    if (state.deliveriesVendor) query.set('vendor', state.deliveriesVendor);
    try {
      const answer = await api(`/api/deliveries?${query}`);
      deliveries = answer.deliveries ?? [];
      size = answer.size ?? deliveries.length;
      error = '';
    } catch (e) {
      error = `Could not read the delivery log: ${messageOf(e)}`;
    }
    draw();
  }

  /** @param {any} delivery */
  async function redeliver(delivery) {
    if (sending.has(delivery.id)) return;
    sending.add(delivery.id);
    delete actionErrors[delivery.id];
    draw();
    try {
      await api(`/api/deliveries/${encodeURIComponent(delivery.id)}/redeliver`, { method: 'POST' });
      announce(`${delivery.eventType} sent again`);
    } catch (e) {
      actionErrors[delivery.id] = messageOf(e);
    } finally {
      sending.delete(delivery.id);
    }
    await load();
  }

  function draw() {
    const shown =
      state.deliveriesUserOnly && state.user !== null
        ? deliveries.filter((d) => d.subject === state.user)
        : deliveries;
    render(
      list,
      error ? h('p', { class: 'error', role: 'alert' }, error) : null,
      shown.length
        ? shown.map(card)
        : h(
            'p',
            { class: 'empty' },
            deliveries.length
              ? 'None for this user among the newest.'
              : 'No webhook has been sent yet. Run a scenario.',
          ),
      size > deliveries.length
        ? h('p', { class: 'hint' }, `The newest ${deliveries.length} of ${size} in the log are shown.`)
        : null,
    );
    if (state.highlightDelivery) {
      const target = list.querySelector(`[data-delivery-id="${CSS.escape(state.highlightDelivery)}"]`);
      if (target instanceof HTMLElement) {
        target.scrollIntoView({ block: 'nearest' });
      }
    }
  }

  /** @param {any} d */
  function card(d) {
    const vendor = /** @type {'atomic' | 'atelio'} */ (d.vendor);
    // The user the event is about, as the platform published it (no body parsing here).
    const subject = d.subject;
    return h(
      'article',
      {
        class: ['delivery', state.highlightDelivery === d.id ? 'highlight' : ''],
        'data-delivery-id': d.id,
        'aria-label': `${d.vendor} ${d.eventType} webhook, ${d.status}`,
      },
      h(
        'div',
        { class: 'delivery-head' },
        h('span', { class: ['chip', `vendor-${vendor}`] }, vendor === 'atomic' ? 'Atomic' : 'Atelio'),
        h('span', { class: 'event-type' }, d.eventType),
        h('span', { class: ['badge', statusClass(d.status)] }, d.status),
      ),
      h(
        'p',
        { class: 'small muted' },
        formatDateTime(d.createdAt),
        subject ? ` · user ${subject}` : '',
        ' · ',
        h('span', { class: 'mono' }, d.id),
      ),
      d.targets.map((/** @type {any} */ t) => target(vendor, t)),
      h(
        'details',
        { 'data-key': `body-${d.id}` },
        h('summary', { 'data-key': `body-summary-${d.id}` }, 'Body'),
        h('pre', { class: 'body', tabindex: '0' }, pretty(d.body)),
      ),
      h(
        'div',
        { class: 'delivery-actions' },
        h(
          'button',
          {
            type: 'button',
            class: 'button small',
            'data-key': `redeliver-${d.id}`,
            'aria-label': `Redeliver ${d.eventType} ${d.id}`,
            'aria-disabled': sending.has(d.id) ? 'true' : null,
            onclick: () => redeliver(d),
          },
          sending.has(d.id) ? 'Sending…' : 'Redeliver',
        ),
        actionErrors[d.id] ? h('span', { class: 'error', role: 'alert' }, actionErrors[d.id]) : null,
      ),
    );
  }

  /**
   * @param {'atomic' | 'atelio'} vendor
   * @param {any} t
   */
  function target(vendor, t) {
    const attempts = t.attempts ?? [];
    const last = attempts[attempts.length - 1];
    return h(
      'div',
      { class: 'delivery-target' },
      h(
        'div',
        { class: 'line small' },
        h('span', null, `→ ${t.kind}`),
        h('span', { class: 'mono' }, t.url),
        h('span', { class: ['badge', statusClass(t.status)] }, t.status),
      ),
      attempts.length
        ? h(
            'table',
            { class: 'attempts', 'aria-label': `Attempts to ${t.url}` },
            headRow('#', 'Kind', 'When', 'Answer', { num: 'Latency' }),
            h(
              'tbody',
              null,
              attempts.map((/** @type {any} */ a) =>
                h(
                  'tr',
                  { 'data-attempt': a.attempt },
                  h('td', null, String(a.attempt)),
                  h('td', null, a.chaos ? `${a.kind} · ${a.chaos}` : a.kind, a.detached ? ' · detached' : ''),
                  h('td', null, formatDateTime(a.time)),
                  h(
                    'td',
                    null,
                    h(
                      'span',
                      { class: ['badge', a.ok ? 'ok' : 'bad'], title: a.responseSnippet ?? '' },
                      a.statusCode !== undefined ? String(a.statusCode) : 'no answer',
                    ),
                    a.error ? h('span', { class: 'small' }, ` ${a.error}`) : null,
                  ),
                  h('td', { class: 'num' }, formatLatency(a.latencyMs)),
                ),
              ),
            ),
          )
        : h(
            'p',
            { class: 'small muted' },
            t.status === 'dropped' ? 'Never sent.' : 'Queued, not attempted yet.',
          ),
      t.nextAttemptAt ? h('p', { class: 'small' }, `Next retry ${formatDateTime(t.nextAttemptAt)}`) : null,
      t.dropReason
        ? h(
            'p',
            { class: 'small error', 'data-drop-reason': '' },
            `Dropped ${formatDateTime(t.droppedAt)}: ${t.dropReason}`,
          )
        : null,
      t.chaos?.length
        ? h(
            'p',
            { class: 'small', 'data-chaos': '' },
            'Chaos: ',
            t.chaos.map((/** @type {any} */ c) =>
              h('span', { class: 'badge warn' }, `${c.kind} (${c.ruleId})`),
            ),
          )
        : null,
      last
        ? h(
            'p',
            { class: 'signature' },
            h('span', { class: 'muted' }, `${SIGNATURE_HEADERS[vendor]}: `),
            h('span', { class: 'mono' }, last.signature),
          )
        : null,
    );
  }

  return { load, redraw: draw };
}
