/* global window */
import { customerName, flow, framed, PRODUCT, state } from './launch.js';
import { record } from './server.js';

// Messages to the host page, in the SDK's postMessage protocol ({event, payload}).

export function post(event, payload) {
  if (!framed) return;
  window.parent.postMessage({ event, payload }, state.parentOrigin);
}

export const companyRef = () =>
  state.company ? { _id: state.company._id, name: state.company.name } : undefined;

export function interaction(name, value = {}) {
  const company = state.company?.name;
  post('atomic-transact-interaction', {
    name,
    value: {
      customer: customerName,
      product: flow.kind === 'payments-hub' ? 'manage' : PRODUCT,
      ...(company ? { company } : {}),
      ...value,
    },
  });
  record(name);
}
