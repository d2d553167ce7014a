/* global window, document, location, URLSearchParams */
// What the page was launched with (embedded in it), the app's state, and the frame's storage.

const launch = JSON.parse(document.getElementById('launch').textContent);
export const { config, flow, companies, encodedConfig } = launch;
export const handshakeId = new URLSearchParams(location.hash.slice(1)).get('hId');
export const framed = window.parent !== window;
export const inSdk = config.inSdk !== false;
export const handoff = new Set(Array.isArray(config.handoff) ? config.handoff : []);
export const customerName = config.customer?.name || 'Your bank';
export const PRODUCT = 'present';
/** How long to wait for the SDK's answer before saying the origin is wrong. */
export const TOKEN_WAIT_MS = 4000;
export const POLL_MS = 250;

export const app = document.getElementById('app');
export const storageKey = `stitch-transact:${handshakeId ?? encodedConfig.slice(0, 64)}`;

export const state = {
  sessionId: null,
  /** Where messages go: the origin that handed the token over, once known. */
  parentOrigin: '*',
  company: null,
  taskId: null,
  taskStatus: null,
  taskTerminal: true,
  authenticatedPosted: false,
  mfaShown: false,
  returnToHub: false,
  hubApp: null,
  /** What the X button comes back to from the exit prompt. */
  resumeView: null,
  pollTimer: null,
};

// The frame may refuse sessionStorage: then the session lasts as long as the page.
const memory = new Map();
export const storage = {
  get(key) {
    try {
      return window.sessionStorage.getItem(key);
    } catch {
      return memory.get(key) ?? null;
    }
  },
  set(key, value) {
    try {
      window.sessionStorage.setItem(key, value);
    } catch {
      memory.set(key, value);
    }
  },
  remove(key) {
    try {
      window.sessionStorage.removeItem(key);
    } catch {
      memory.delete(key);
    }
  },
};
