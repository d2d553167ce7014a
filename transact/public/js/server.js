/* global fetch */
import { state } from './launch.js';

// The app's own back end, under /api on this origin.

export async function api(method, path, body) {
  const response = await fetch(`/api${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok)
    throw Object.assign(new Error(data.message || `HTTP ${response.status}`), {
      code: data.code,
      status: response.status,
    });
  return data;
}

export function record(step, detail) {
  if (!state.sessionId) return;
  api('POST', `/sessions/${state.sessionId}/steps`, { step, ...(detail ? { detail } : {}) }).catch(() => {});
}
