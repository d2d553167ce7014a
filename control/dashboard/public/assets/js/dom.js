/* global document, Node, HTMLElement, CSS, setTimeout */
// @ts-check

/**
 * A small element builder. Text always goes in as text nodes, never as HTML, so webhook bodies,
 * merchant names and scenario notes can never inject markup.
 *
 *   h('button', { class: 'button', type: 'button', onclick: run }, 'Run')
 *
 * @param {string} tag
 * @param {Record<string, unknown> | null} [props]
 * @param {...unknown} children
 * @returns {HTMLElement}
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : String(value);
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

/**
 * A table's header row: plain labels, or `{ num: 'Label' }` for a right-aligned number column.
 *
 * @param {...(string | { num: string })} headings
 * @returns {HTMLElement}
 */
export function headRow(...headings) {
  return h(
    'thead',
    null,
    h(
      'tr',
      null,
      headings.map((heading) =>
        typeof heading === 'string' ? h('th', null, heading) : h('th', { class: 'num' }, heading.num),
      ),
    ),
  );
}

/**
 * @param {HTMLElement} el
 * @param {unknown[]} children
 */
function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/**
 * Replaces what `container` shows, keeping what the person was doing: the focused control (matched
 * by `data-key`) and which `<details data-key>` were open. Live updates re-render panels often, and
 * a button that vanishes under the keyboard focus or a body that snaps shut would make the page
 * unusable.
 *
 * @param {HTMLElement} container
 * @param {...unknown} children
 */
export function render(container, ...children) {
  const active = document.activeElement;
  const focusKey =
    active instanceof HTMLElement && container.contains(active) ? active.dataset['key'] : undefined;
  const open = new Set(
    [...container.querySelectorAll('details[open][data-key]')].map(
      (d) => /** @type {HTMLElement} */ (d).dataset['key'],
    ),
  );
  const fragment = document.createDocumentFragment();
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    fragment.append(child instanceof Node ? child : String(child));
  }
  for (const details of fragment.querySelectorAll('details[data-key]')) {
    if (open.has(/** @type {HTMLElement} */ (details).dataset['key'])) details.setAttribute('open', '');
  }
  container.replaceChildren(fragment);
  if (focusKey !== undefined) {
    const again = container.querySelector(`[data-key="${CSS.escape(focusKey)}"]`);
    if (again instanceof HTMLElement) again.focus({ preventScroll: true });
  }
}

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el;
}

/** Says something to screen readers (and leaves it readable in the live region). */
export function announce(/** @type {string} */ message) {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  // A fresh text node after clearing makes screen readers read repeated messages again.
  setTimeout(() => (region.textContent = message), 30);
}

/**
 * Marks a button as working (or done). It stays focusable: a disabled button drops the keyboard
 * focus, which would leave someone using the keyboard at the top of the page after every click.
 *
 * @param {HTMLElement} button
 * @param {boolean} working
 * @param {string} [label] text while working
 */
export function setBusy(button, working, label) {
  if (working) {
    if (label) {
      button.dataset['idleLabel'] = button.textContent ?? '';
      button.textContent = label;
    }
    button.setAttribute('aria-disabled', 'true');
  } else {
    if (button.dataset['idleLabel'] !== undefined) button.textContent = button.dataset['idleLabel'];
    delete button.dataset['idleLabel'];
    button.removeAttribute('aria-disabled');
  }
}

/** Whether a button is marked as working. */
export const isBusy = (/** @type {Element} */ button) => button.getAttribute('aria-disabled') === 'true';

/**
 * Runs a panel button's action with the button marked busy; a click while it works is ignored.
 * Resolves to undefined when ignored, else to the error message ('' on success). The button is
 * not unmarked: the panel redraws it from fresh data afterwards.
 *
 * @param {Event} event
 * @param {() => Promise<unknown>} action
 * @param {(error: unknown) => string} describe
 * @returns {Promise<string | undefined>}
 */
export async function runBusy(event, action, describe) {
  const button = /** @type {HTMLElement} */ (event.currentTarget);
  if (isBusy(button)) return undefined;
  setBusy(button, true);
  try {
    await action();
    return '';
  } catch (e) {
    return describe(e);
  }
}

/**
 * A vendor's on/off button for one preset rule (a fault or a delivery-chaos rule): pressed while
 * `active` exists; a click deletes it at `${collection}/{id}` or posts the preset's rule to
 * `collection`, through the panel's `act` (busy marking, error, reload).
 *
 * @param {{
 *   vendor: { id: string, name: string },
 *   preset: { id: string, label: string, rule: object },
 *   active: { id: string } | undefined,
 *   collection: string,
 *   key: string,
 *   title: string,
 *   act: (event: Event, action: () => Promise<void>) => Promise<void>,
 *   request: (path: string, init?: { method?: string, body?: unknown }) => Promise<unknown>,
 * }} options
 */
export function presetToggle({ vendor, preset, active, collection, key, title, act, request }) {
  return h(
    'button',
    {
      type: 'button',
      class: 'button small',
      'aria-pressed': active ? 'true' : 'false',
      'data-key': key,
      title,
      onclick: (/** @type {Event} */ e) =>
        act(e, async () => {
          if (active) {
            await request(`${collection}/${encodeURIComponent(active.id)}`, { method: 'DELETE' });
            announce(`${vendor.name}: ${preset.label} off`);
          } else {
            await request(collection, { method: 'POST', body: { vendor: vendor.id, ...preset.rule } });
            announce(`${vendor.name}: ${preset.label} on`);
          }
        }),
    },
    preset.label,
  );
}
