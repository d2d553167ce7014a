/**
 * Things people buy on Amazon, with realistic price ranges in cents and a category. The category
 * decides the sales tax and the return window (`CATEGORY_RULES`): groceries are taxed at a reduced
 * rate and cannot be returned, digital items and gift cards ship nothing and have no return window,
 * and gift cards carry no tax — all of which matters to a stitching client.
 */
export const PRODUCT_CATEGORIES = [
  'electronics',
  'home',
  'household',
  'grocery',
  'pet',
  'health',
  'beauty',
  'sports',
  'apparel',
  'toys',
  'books',
  'office',
  'digital',
  'gift-card',
] as const;
export type ProductCategory = (typeof PRODUCT_CATEGORIES)[number];

export interface CategoryRule {
  /** Sales tax on the item's price [choice: one typical US state's rates, not a tax engine]. */
  taxRate: number;
  /** Days after the order the item can be returned (end of that UTC day); null: not returnable. */
  returnDays: number | null;
  /** Digital delivery: nothing ships. */
  digital: boolean;
}

/**
 * [choice] General merchandise at 7 %, groceries at a reduced 2 %, digital goods at 5 % (taxed in
 * most states, often at their own rate), gift cards untaxed (a gift card is stored value; the tax is
 * paid when it is spent). Amazon's standard window is 30 days; electronics and Amazon devices too;
 * groceries and digital items are not returnable.
 */
export const CATEGORY_RULES: Readonly<Record<ProductCategory, CategoryRule>> = {
  electronics: { taxRate: 0.07, returnDays: 30, digital: false },
  home: { taxRate: 0.07, returnDays: 30, digital: false },
  household: { taxRate: 0.07, returnDays: 30, digital: false },
  grocery: { taxRate: 0.02, returnDays: null, digital: false },
  pet: { taxRate: 0.07, returnDays: 30, digital: false },
  health: { taxRate: 0.07, returnDays: 30, digital: false },
  beauty: { taxRate: 0.07, returnDays: 30, digital: false },
  sports: { taxRate: 0.07, returnDays: 30, digital: false },
  apparel: { taxRate: 0.07, returnDays: 30, digital: false },
  toys: { taxRate: 0.07, returnDays: 30, digital: false },
  books: { taxRate: 0.07, returnDays: 30, digital: false },
  office: { taxRate: 0.07, returnDays: 30, digital: false },
  digital: { taxRate: 0.05, returnDays: null, digital: true },
  'gift-card': { taxRate: 0, returnDays: null, digital: true },
};

export interface CatalogProduct {
  description: string;
  minCents: number;
  maxCents: number;
  category: ProductCategory;
}

export const AMAZON_PRODUCTS: readonly CatalogProduct[] = [
  { description: 'AAA Alkaline Batteries, 24 Count', minCents: 1099, maxCents: 1699, category: 'household' },
  { description: 'AA Rechargeable Batteries, 8 Pack', minCents: 1899, maxCents: 2799, category: 'household' },
  {
    description: 'USB-C to USB-C Cable, 6 ft, 2 Pack',
    minCents: 899,
    maxCents: 1599,
    category: 'electronics',
  },
  {
    description: 'Wireless Mouse, 2.4G Silent Click',
    minCents: 1199,
    maxCents: 2499,
    category: 'electronics',
  },
  {
    description: 'Mechanical Keyboard, Brown Switches',
    minCents: 4999,
    maxCents: 8999,
    category: 'electronics',
  },
  {
    description: 'Noise Cancelling Over-Ear Headphones',
    minCents: 7999,
    maxCents: 34999,
    category: 'electronics',
  },
  {
    description: 'Echo Dot (5th Gen) Smart Speaker',
    minCents: 2299,
    maxCents: 4999,
    category: 'electronics',
  },
  { description: 'Fire TV Stick 4K', minCents: 2499, maxCents: 4999, category: 'electronics' },
  { description: 'Kindle Paperwhite (16 GB)', minCents: 12999, maxCents: 16999, category: 'electronics' },
  {
    description: 'Portable Charger 10000mAh Power Bank',
    minCents: 1599,
    maxCents: 2999,
    category: 'electronics',
  },
  {
    description: 'Stainless Steel Insulated Water Bottle, 32 oz',
    minCents: 1999,
    maxCents: 3999,
    category: 'home',
  },
  { description: 'Nonstick Frying Pan, 10 Inch', minCents: 1799, maxCents: 3999, category: 'home' },
  { description: 'Chef Knife, 8 Inch High Carbon Steel', minCents: 2499, maxCents: 5999, category: 'home' },
  { description: 'Silicone Spatula Set, 5 Piece', minCents: 999, maxCents: 1799, category: 'home' },
  { description: 'Ground Coffee, Medium Roast, 32 oz', minCents: 1299, maxCents: 2199, category: 'grocery' },
  { description: 'K-Cup Coffee Pods, 72 Count', minCents: 3299, maxCents: 4599, category: 'grocery' },
  { description: 'Paper Towels, 12 Double Rolls', minCents: 2399, maxCents: 3299, category: 'household' },
  { description: 'Toilet Paper, 24 Mega Rolls', minCents: 2599, maxCents: 3499, category: 'household' },
  { description: 'Laundry Detergent Pacs, 81 Count', minCents: 1999, maxCents: 2899, category: 'household' },
  { description: 'Dish Soap, 3 Pack', minCents: 899, maxCents: 1499, category: 'household' },
  { description: 'Trash Bags, 13 Gallon, 110 Count', minCents: 1699, maxCents: 2499, category: 'household' },
  { description: 'Dog Food, Chicken & Rice, 30 lb Bag', minCents: 4499, maxCents: 6999, category: 'pet' },
  { description: 'Cat Litter, Clumping, 40 lb', minCents: 1899, maxCents: 2999, category: 'pet' },
  { description: 'Vitamin D3 5000 IU, 360 Softgels', minCents: 1099, maxCents: 1899, category: 'health' },
  {
    description: 'Electric Toothbrush Replacement Heads, 8 Pack',
    minCents: 1999,
    maxCents: 3499,
    category: 'health',
  },
  { description: 'Sunscreen SPF 50, 2 Pack', minCents: 1199, maxCents: 1999, category: 'beauty' },
  { description: 'Shampoo and Conditioner Set', minCents: 1299, maxCents: 2599, category: 'beauty' },
  { description: 'Yoga Mat, 6mm, Non Slip', minCents: 1999, maxCents: 3999, category: 'sports' },
  { description: 'Adjustable Dumbbells, Pair', minCents: 7999, maxCents: 19999, category: 'sports' },
  { description: 'Running Socks, 6 Pairs', minCents: 1499, maxCents: 2499, category: 'apparel' },
  { description: "Men's Crew Neck T-Shirts, 5 Pack", minCents: 1999, maxCents: 3299, category: 'apparel' },
  { description: "Women's Fleece Hoodie", minCents: 2499, maxCents: 4999, category: 'apparel' },
  { description: 'LEGO Classic Creative Bricks Box', minCents: 2499, maxCents: 5999, category: 'toys' },
  { description: 'Board Game: Family Strategy Edition', minCents: 1999, maxCents: 4499, category: 'toys' },
  { description: 'Hardcover Book: Bestselling Thriller', minCents: 1399, maxCents: 2899, category: 'books' },
  {
    description: 'Paperback Notebook, College Ruled, 5 Pack',
    minCents: 799,
    maxCents: 1499,
    category: 'office',
  },
  { description: 'Gel Pens, 12 Count', minCents: 899, maxCents: 1499, category: 'office' },
  { description: 'Printer Paper, 8.5 x 11, 500 Sheets', minCents: 899, maxCents: 1499, category: 'office' },
  { description: 'LED Desk Lamp with USB Charging Port', minCents: 2499, maxCents: 4499, category: 'home' },
  { description: 'Smart Plug, 4 Pack', minCents: 1999, maxCents: 3499, category: 'electronics' },
  { description: 'Air Purifier Replacement Filter', minCents: 1999, maxCents: 4499, category: 'home' },
  { description: 'Robot Vacuum Replacement Brushes Kit', minCents: 1599, maxCents: 2799, category: 'home' },
  { description: 'Phone Case with Screen Protector', minCents: 999, maxCents: 2499, category: 'electronics' },
  {
    description: 'Bluetooth Earbuds with Charging Case',
    minCents: 2499,
    maxCents: 7999,
    category: 'electronics',
  },
  { description: 'HDMI Cable 4K, 10 ft', minCents: 799, maxCents: 1699, category: 'electronics' },
  { description: 'Kindle eBook: Historical Fiction', minCents: 299, maxCents: 1499, category: 'digital' },
  { description: 'Prime Video Movie Rental (HD)', minCents: 399, maxCents: 699, category: 'digital' },
  { description: 'Audible Audiobook', minCents: 1495, maxCents: 2995, category: 'digital' },
  { description: 'Digital Music Album', minCents: 799, maxCents: 1299, category: 'digital' },
  { description: 'Amazon Gift Card eGift', minCents: 2500, maxCents: 10000, category: 'gift-card' },
];

/** The three summary lines Amazon shows on every order, in its words (vendor-docs 000). */
export const LINE_ITEM_LABELS = {
  subtotal: 'Item(s) Subtotal',
  shipping: 'Shipping & Handling',
  tax: 'Estimated tax to be collected',
} as const;

const BY_DESCRIPTION = new Map(AMAZON_PRODUCTS.map((p) => [p.description, p]));

/** The catalogue entry with this exact description, if any (scenario products may name one). */
export const catalogProduct = (description: string): CatalogProduct | undefined =>
  BY_DESCRIPTION.get(description);
