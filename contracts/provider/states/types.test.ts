import { describe, expect, it } from 'vitest';
import { checkParams, describeState, ProviderStateError, requiredParams } from './types';
import type { ProviderStateDefinition } from './types';

const state: ProviderStateDefinition<unknown> = {
  name: 'card {cardId} with last four {lastFour} exists',
  summary: 'a card',
  optionalParams: { status: 'card status' },
  setup: () => undefined,
};

describe('provider state parameters', () => {
  it('takes the required parameters from the placeholders in the name', () => {
    expect(requiredParams(state.name)).toEqual(['cardId', 'lastFour']);
    expect(describeState(state)).toEqual({
      name: state.name,
      summary: 'a card',
      params: ['cardId', 'lastFour'],
      optionalParams: { status: 'card status' },
      provides: [],
    });
  });

  it('accepts required and optional parameters, numbers as strings', () => {
    expect(checkParams(state, { cardId: 'c-1', lastFour: 4242, status: 'active' })).toEqual({
      cardId: 'c-1',
      lastFour: '4242',
      status: 'active',
    });
  });

  it('names a missing parameter', () => {
    expect(() => checkParams(state, { cardId: 'c-1' })).toThrow(
      new ProviderStateError(
        'provider state "card {cardId} with last four {lastFour} exists": parameter "lastFour" is missing',
      ),
    );
  });

  it('names a parameter the state does not take, with the ones it does', () => {
    expect(() => checkParams(state, { cardId: 'c-1', lastFour: '1', last4: '1' })).toThrow(
      'parameter "last4" is not one this state takes (it takes: cardId, lastFour, status)',
    );
  });

  it('refuses empty, boolean and object values', () => {
    expect(() => checkParams(state, { cardId: '', lastFour: true })).toThrow(
      'parameter "cardId" must be a non-empty string or a number; parameter "lastFour" must be a non-empty string or a number',
    );
  });

  it('treats absent parameters as none', () => {
    expect(() => checkParams(state, undefined)).toThrow(
      'parameter "cardId" is missing; parameter "lastFour" is missing',
    );
  });
});
