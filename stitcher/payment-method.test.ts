import { describe, expect, it } from 'vitest';
import { classifyPaymentMethod } from './payment-method';

describe('classifyPaymentMethod', () => {
  it('reads a documented card payment method with last four and brand', () => {
    expect(classifyPaymentMethod({ type: 'card', lastFour: '2345', brand: 'Mastercard' })).toEqual({
      kind: 'card',
      lastFour: '2345',
      brand: 'Mastercard',
    });
  });

  it('keeps a card without last four as a card with unknown last four', () => {
    expect(classifyPaymentMethod({ type: 'card', brand: 'Visa' })).toEqual({
      kind: 'card',
      lastFour: null,
      brand: 'Visa',
    });
    expect(classifyPaymentMethod({ type: 'card', lastFour: '' })).toMatchObject({
      kind: 'card',
      lastFour: null,
    });
  });

  it('ignores a last four that is not four digits', () => {
    expect(classifyPaymentMethod({ type: 'card', lastFour: '12a4' })).toMatchObject({
      kind: 'card',
      lastFour: null,
    });
  });

  it.each(['credit card', 'Debit', 'Visa', 'Amazon Visa', 'american-express', 'Prime Store Card'])(
    'treats %j as a card',
    (type) => {
      expect(classifyPaymentMethod({ type }).kind).toBe('card');
    },
  );

  it.each([
    ['gift card', 'gift card'],
    ['Gift Card', 'gift card'],
    ['giftcard', 'gift card'],
    ['EBT', 'EBT'],
    ['SNAP EBT', 'EBT'],
    ['Affirm', 'Affirm'],
    ['Google Play', 'Google Play'],
    ['google_play', 'Google Play'],
    ['Amazon gift card balance', 'gift card'],
    ['store credit', 'store credit'],
  ])('treats the description %j as the non-card method %s', (text, method) => {
    expect(classifyPaymentMethod(text)).toEqual({ kind: 'non-card', method });
    expect(classifyPaymentMethod({ type: text })).toEqual({ kind: 'non-card', method });
  });

  it('reports a missing payment method as unknown', () => {
    expect(classifyPaymentMethod(undefined)).toEqual({ kind: 'unknown' });
    expect(classifyPaymentMethod(null)).toEqual({ kind: 'unknown' });
    expect(classifyPaymentMethod({})).toEqual({ kind: 'unknown' });
  });
});
