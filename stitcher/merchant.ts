/**
 * Does a card transaction's merchant look like Amazon? Bank descriptors for Amazon orders come in
 * many spellings: "AMZN Mktp US*2K4L71", "Amazon.com*1A2B3C4D", "AMAZON.COM", "Amzn.com/bill",
 * "AMZN Digital", "AMAZON MKTPL*...", "Prime Video*...". Descriptors are split into alphanumeric
 * tokens so "Amazonia Grill" or "AMAZONAS TACOS" are not mistaken for Amazon.
 */

const AMAZON_COMPOUNDS = /^AMAZON(?:COM|PRIME|MKTP\w*|MKTPL\w*|MARKETPLACE|RETAIL|DIGITAL|FRESH)$/;

export function tokenize(descriptor: string): string[] {
  return descriptor
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((token) => token.length > 0);
}

export function isAmazonDescriptor(descriptor: string): boolean {
  const tokens = tokenize(descriptor);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.startsWith('AMZN')) return true;
    if (token === 'AMAZON' || AMAZON_COMPOUNDS.test(token)) return true;
    const next = tokens[i + 1];
    if (token === 'PRIME' && next === 'VIDEO') return true;
    if (token === 'KINDLE' && (next === 'SVCS' || next === 'EDITIONS' || next === 'UNLIMITED')) return true;
  }
  return false;
}
