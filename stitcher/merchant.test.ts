import { describe, expect, it } from 'vitest';
import { isAmazonDescriptor } from './merchant';

describe('isAmazonDescriptor', () => {
  it.each([
    'AMZN Mktp US*2K4L71',
    'Amazon.com*1A2B3C4D',
    'AMAZON.COM',
    'Amzn.com/bill',
    'AMZN Digital',
    'Amazon.com               Amzn.com/billWAUSA',
    'AMAZON MKTPL*RT5YU0',
    'AMAZON MARKETPLACE',
    'AMAZONPRIME',
    'Amazon Prime*1B2C3',
    'WWW.AMAZON.COM SEATTLE WA',
    'Prime Video*2B4X1',
    'Kindle Svcs*ZE1CP0',
    'amzn mktp us',
  ])('recognises %s', (descriptor) => {
    expect(isAmazonDescriptor(descriptor)).toBe(true);
  });

  it.each([
    'TARGET #4744',
    'Paypal *Sephora Usa',
    'AMAZONIA GRILL',
    'AMAZONAS TACOS',
    'WHOLEFDS MKT 10234',
    'Pre-Auth Transaction-POS Signature Purchase',
    'PRIME STORAGE LLC',
    '',
  ])('does not take %j for Amazon', (descriptor) => {
    expect(isAmazonDescriptor(descriptor)).toBe(false);
  });
});
