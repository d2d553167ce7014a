/**
 * Which of an order's products a charge or a refund is for. Amazon charges each shipment for the
 * items in it plus their share of the tax, so a part's amount is its items' prices scaled by
 * order total / item subtotal, give or take a few cents of per-shipment rounding (vendor-docs 000:
 * `products[].amount` are item prices, the order `amount` includes tax and shipping).
 */

/** More products than this and the search is not worth it: the split is matched without attribution. */
const MAX_PRODUCTS = 12;

/**
 * Rounding slack of a scaled share in cents: tax is rounded per item, so a shipment of several
 * items may be a few cents off its items' share, a single item at most a cent. Kept tight on
 * purpose: a looser slack lets unrelated amounts fit some set of products.
 */
const SHIPMENT_SLACK = 3;
const ITEM_SLACK = 1;
const slack = (_cents: number) => SHIPMENT_SLACK;

function readable(productCents: ReadonlyArray<number | null>): number[] | null {
  if (productCents.length === 0 || productCents.length > MAX_PRODUCTS) return null;
  const out: number[] = [];
  for (const c of productCents) {
    if (c === null || c <= 0) return null;
    out.push(c);
  }
  return out;
}

/**
 * Assigns every product to one part so that each part's share of the order equals the part's
 * amount (within rounding); null when no assignment fits. Result: product indexes per part.
 */
export function attributeProducts(
  productCents: ReadonlyArray<number | null>,
  orderCents: number,
  partCents: readonly number[],
): number[][] | null {
  const prices = readable(productCents);
  if (prices === null || prices.length < partCents.length) return null;
  const subtotal = prices.reduce((a, b) => a + b, 0);
  const ratio = orderCents / subtotal;
  // Largest first: the search fails fast on big items that fit nowhere.
  const byPrice = prices.map((cents, index) => ({ cents, index })).sort((a, b) => b.cents - a.cents);
  const sums = partCents.map(() => 0);
  const counts = partCents.map(() => 0);
  const assignment: number[] = new Array<number>(byPrice.length).fill(-1);

  const place = (k: number): boolean => {
    if (k === byPrice.length) {
      return partCents.every((part, p) => counts[p]! > 0 && Math.abs(sums[p]! * ratio - part) <= slack(part));
    }
    const item = byPrice[k]!;
    for (let p = 0; p < partCents.length; p++) {
      const part = partCents[p]!;
      if ((sums[p]! + item.cents) * ratio > part + slack(part)) continue;
      sums[p]! += item.cents;
      counts[p]!++;
      assignment[k] = p;
      if (place(k + 1)) return true;
      sums[p]! -= item.cents;
      counts[p]!--;
    }
    return false;
  };
  if (!place(0)) return null;
  const parts: number[][] = partCents.map(() => []);
  byPrice.forEach((item, k) => parts[assignment[k]!]!.push(item.index));
  for (const list of parts) list.sort((a, b) => a - b);
  return parts;
}

/**
 * The products a refund of `refundCents` is for: a set whose prices add up to the refund exactly
 * (refunded before tax) or whose share of the order, tax included, does (within rounding). Only
 * products in `available` are considered. Null when no set fits; the smallest fitting set wins.
 */
export function productsForRefund(
  productCents: ReadonlyArray<number | null>,
  orderCents: number,
  refundCents: number,
  available: ReadonlySet<number> | null = null,
  maxProducts = MAX_PRODUCTS,
): number[] | null {
  const tolerance = maxProducts === 1 ? ITEM_SLACK : SHIPMENT_SLACK;
  const prices = readable(productCents);
  if (prices === null) return null;
  const subtotal = prices.reduce((a, b) => a + b, 0);
  const ratio = orderCents / subtotal;
  const pool = prices
    .map((cents, index) => ({ cents, index }))
    .filter((p) => available === null || available.has(p.index));
  let best: number[] | null = null;
  const chosen: number[] = [];
  const walk = (from: number, sum: number) => {
    if (
      chosen.length > 0 &&
      (sum === refundCents || Math.abs(sum * ratio - refundCents) <= slack(refundCents))
    ) {
      if (best === null || chosen.length < best.length) best = [...chosen];
    }
    if (chosen.length === maxProducts) return;
    if (best !== null && chosen.length + 1 >= best.length) return;
    for (let k = from; k < pool.length; k++) {
      const item = pool[k]!;
      if (Math.min(sum + item.cents, (sum + item.cents) * ratio) > refundCents + tolerance) continue;
      chosen.push(item.index);
      walk(k + 1, sum + item.cents);
      chosen.pop();
    }
  };
  walk(0, 0);
  return best === null ? null : (best as number[]).sort((a, b) => a - b);
}
