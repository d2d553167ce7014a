/* global document, CSS */
import { app, config, inSdk } from './launch.js';

// Building and showing the frame's views.

let closeHandler = () => {};

/** What the frame's × button does (set once at start-up). */
export function onCloseButton(handler) {
  closeHandler = handler;
}

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat())
    if (child !== null && child !== undefined && child !== false) el.append(child);
  return el;
}

export function applyTheme() {
  const theme = config.theme ?? {};
  if (theme.dark) document.documentElement.classList.add('dark');
  if (typeof theme.brandColor === 'string' && CSS.supports('color', theme.brandColor))
    document.documentElement.style.setProperty('--brand', theme.brandColor);
}

function frame(view, title, ...content) {
  app.dataset.view = view;
  app.replaceChildren(
    h(
      'div',
      { class: 'frame' },
      h(
        'header',
        {},
        h('span', { class: 'title' }, title),
        inSdk
          ? h(
              'button',
              { id: 'close', class: 'icon', 'aria-label': 'Close', onclick: () => closeHandler() },
              '×',
            )
          : null,
      ),
      h('section', { class: 'content' }, ...content),
      h('footer', { class: 'muted' }, 'Atomic Transact · stitch-sandbox stand-in'),
    ),
  );
}

export const logo = (company) =>
  h('span', { class: 'logo', 'data-color': company.color, 'aria-hidden': 'true' }, company.name.slice(0, 1));

export function paintLogos() {
  for (const el of app.querySelectorAll('.logo[data-color]')) el.style.backgroundColor = el.dataset.color;
}

export function show(view, title, ...content) {
  frame(view, title, ...content);
  paintLogos();
}

export function showMessage(view, title, text, ...extra) {
  show(view, title, h('h1', {}, title), h('p', { id: 'message' }, text), ...extra);
}
