/* global EventSource, setTimeout, clearTimeout */
// @ts-check

/** The messages GET /api/events sends (control/dashboard/events.ts). */
export const LIVE_EVENTS = ['hello', 'heartbeat', 'delivery', 'run', 'users', 'stitcher', 'reset', 'resync'];

/**
 * Listens to the control plane's event stream and keeps listening. The browser reconnects by
 * itself after a dropped stream; a stream that stays silent past a few heartbeats (a laptop that
 * slept, a proxy holding the connection) or that the browser gave up on is reopened here.
 *
 * @param {string} url
 * @param {{
 *   onMessage: (event: string, data: any) => void,
 *   onStatus: (state: 'connecting' | 'live' | 'reconnecting' | 'offline') => void,
 * }} handlers
 */
export function connectLive(url, handlers) {
  /** @type {EventSource | undefined} */
  let source;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let watchdog;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let retry;
  let heartbeatMs = 15_000;

  const reopen = () => {
    source?.close();
    clearTimeout(watchdog);
    clearTimeout(retry);
    retry = setTimeout(open, 2_000);
  };

  const expectMore = () => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      handlers.onStatus('reconnecting');
      reopen();
    }, heartbeatMs * 2.5);
  };

  function open() {
    source = new EventSource(url);
    const current = source;
    expectMore();
    for (const name of LIVE_EVENTS) {
      current.addEventListener(name, (event) => {
        expectMore();
        let data;
        try {
          data = JSON.parse(/** @type {MessageEvent} */ (event).data);
        } catch {
          return;
        }
        if (name === 'hello') {
          if (typeof data.heartbeatMs === 'number') heartbeatMs = data.heartbeatMs;
          handlers.onStatus('live');
        }
        handlers.onMessage(name, data);
      });
    }
    current.onerror = () => {
      if (current.readyState === EventSource.CLOSED) {
        // The browser will not try again by itself (e.g. the answer was not an event stream).
        handlers.onStatus('offline');
        reopen();
      } else {
        handlers.onStatus('reconnecting');
      }
    };
  }

  handlers.onStatus('connecting');
  open();
}
