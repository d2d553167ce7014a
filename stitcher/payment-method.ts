/**
 * What an Atomic order's payment method means for stitching. vendor-docs 000: orders carry
 * `paymentMethod {type, lastFour?, brand?}` for cards, or a text description for non-card payments
 * ("gift card", "Affirm", "Google Play", "EBT") which never appear as a bank card transaction.
 */

export type PaymentInfo =
  | { kind: 'card'; lastFour: string | null; brand: string | null }
  | { kind: 'non-card'; method: string }
  | { kind: 'unknown' };

export type RawPaymentMethod =
  | string
  | {
      type?: string | null | undefined;
      lastFour?: string | null | undefined;
      brand?: string | null | undefined;
    }
  | null
  | undefined;

const CARD_WORDS = new Set([
  'card',
  'credit card',
  'debit card',
  'credit',
  'debit',
  'credit/debit card',
  'bank card',
]);
const CARD_BRANDS = new Set([
  'visa',
  'mastercard',
  'master card',
  'amex',
  'american express',
  'american-express',
  'discover',
  'diners club',
  'jcb',
  'unionpay',
]);

/** Known non-card methods with the name shown in reasons; anything else that is not a card is shown as given. */
const NON_CARD: Array<[RegExp, string]> = [
  [/gift\s*card|giftcard|gift\s*balance/, 'gift card'],
  [/\bebt\b|snap/, 'EBT'],
  [/affirm/, 'Affirm'],
  [/google\s*play/, 'Google Play'],
  [/paypal/, 'PayPal'],
  [/points|rewards/, 'reward points'],
  [/store credit|account balance|credit balance/, 'store credit'],
];

// "Amazon Visa", "Prime Store Card", "Chase Sapphire credit": still a card, only worded differently.
const CARD_HINT =
  /\bcard\b|\bvisa\b|master\s?card|\bamex\b|american express|\bdiscover\b|\bcredit\b|\bdebit\b/;

const normalise = (text: string) => text.trim().toLowerCase().replace(/[_-]+/g, ' ').replace(/\s+/g, ' ');
const LAST_FOUR = /^\d{4}$/;

type TextKind = { kind: 'card' } | { kind: 'non-card'; method: string } | { kind: 'empty' };

/** What a payment method's wording says, independent of last four and brand. */
function classifyText(type: string): TextKind {
  const text = normalise(type);
  if (text === '') return { kind: 'empty' };
  for (const [pattern, name] of NON_CARD) {
    if (pattern.test(text)) return { kind: 'non-card', method: name };
  }
  if (CARD_WORDS.has(text) || CARD_BRANDS.has(text) || CARD_HINT.test(text)) return { kind: 'card' };
  // A description that is neither a card nor a known non-card method ("cash on delivery"): it
  // cannot be a bank card charge, and guessing would create false matches.
  return { kind: 'non-card', method: type.trim() };
}

// The same few wordings repeat on every order; remember their meaning (bounded, so odd data cannot grow it).
const textMemo = new Map<string, TextKind>();
const TEXT_MEMO_LIMIT = 1000;

export function classifyPaymentMethod(method: RawPaymentMethod): PaymentInfo {
  if (method === null || method === undefined) return { kind: 'unknown' };
  const type = typeof method === 'string' ? method : (method.type ?? '');
  const rawLastFour = typeof method === 'string' ? null : (method.lastFour ?? null);
  const brand = typeof method === 'string' ? null : (method.brand ?? null);
  const lastFour = rawLastFour !== null && LAST_FOUR.test(rawLastFour.trim()) ? rawLastFour.trim() : null;

  let meaning = textMemo.get(type);
  if (meaning === undefined) {
    meaning = classifyText(type);
    if (textMemo.size < TEXT_MEMO_LIMIT) textMemo.set(type, meaning);
  }
  if (meaning.kind === 'non-card') return { kind: 'non-card', method: meaning.method };
  if (meaning.kind === 'card' || lastFour !== null || brand !== null)
    return { kind: 'card', lastFour, brand };
  return { kind: 'unknown' };
}
