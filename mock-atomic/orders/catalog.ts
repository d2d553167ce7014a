/**
 * Things people buy on Amazon, with realistic price ranges in cents. Digital items ship nothing and
 * have no return window, which matters to a stitching client (no shipping line, no returnBy).
 */
export interface CatalogProduct {
  description: string;
  minCents: number;
  maxCents: number;
  digital?: boolean;
}

export const AMAZON_PRODUCTS: readonly CatalogProduct[] = [
  { description: 'AAA Alkaline Batteries, 24 Count', minCents: 1099, maxCents: 1699 },
  { description: 'AA Rechargeable Batteries, 8 Pack', minCents: 1899, maxCents: 2799 },
  { description: 'USB-C to USB-C Cable, 6 ft, 2 Pack', minCents: 899, maxCents: 1599 },
  { description: 'Wireless Mouse, 2.4G Silent Click', minCents: 1199, maxCents: 2499 },
  { description: 'Mechanical Keyboard, Brown Switches', minCents: 4999, maxCents: 8999 },
  { description: 'Noise Cancelling Over-Ear Headphones', minCents: 7999, maxCents: 34999 },
  { description: 'Echo Dot (5th Gen) Smart Speaker', minCents: 2299, maxCents: 4999 },
  { description: 'Fire TV Stick 4K', minCents: 2499, maxCents: 4999 },
  { description: 'Kindle Paperwhite (16 GB)', minCents: 12999, maxCents: 16999 },
  { description: 'Portable Charger 10000mAh Power Bank', minCents: 1599, maxCents: 2999 },
  { description: 'Stainless Steel Insulated Water Bottle, 32 oz', minCents: 1999, maxCents: 3999 },
  { description: 'Nonstick Frying Pan, 10 Inch', minCents: 1799, maxCents: 3999 },
  { description: 'Chef Knife, 8 Inch High Carbon Steel', minCents: 2499, maxCents: 5999 },
  { description: 'Silicone Spatula Set, 5 Piece', minCents: 999, maxCents: 1799 },
  { description: 'Ground Coffee, Medium Roast, 32 oz', minCents: 1299, maxCents: 2199 },
  { description: 'K-Cup Coffee Pods, 72 Count', minCents: 3299, maxCents: 4599 },
  { description: 'Paper Towels, 12 Double Rolls', minCents: 2399, maxCents: 3299 },
  { description: 'Toilet Paper, 24 Mega Rolls', minCents: 2599, maxCents: 3499 },
  { description: 'Laundry Detergent Pacs, 81 Count', minCents: 1999, maxCents: 2899 },
  { description: 'Dish Soap, 3 Pack', minCents: 899, maxCents: 1499 },
  { description: 'Trash Bags, 13 Gallon, 110 Count', minCents: 1699, maxCents: 2499 },
  { description: 'Dog Food, Chicken & Rice, 30 lb Bag', minCents: 4499, maxCents: 6999 },
  { description: 'Cat Litter, Clumping, 40 lb', minCents: 1899, maxCents: 2999 },
  { description: 'Vitamin D3 5000 IU, 360 Softgels', minCents: 1099, maxCents: 1899 },
  { description: 'Electric Toothbrush Replacement Heads, 8 Pack', minCents: 1999, maxCents: 3499 },
  { description: 'Sunscreen SPF 50, 2 Pack', minCents: 1199, maxCents: 1999 },
  { description: 'Shampoo and Conditioner Set', minCents: 1299, maxCents: 2599 },
  { description: 'Yoga Mat, 6mm, Non Slip', minCents: 1999, maxCents: 3999 },
  { description: 'Adjustable Dumbbells, Pair', minCents: 7999, maxCents: 19999 },
  { description: 'Running Socks, 6 Pairs', minCents: 1499, maxCents: 2499 },
  { description: "Men's Crew Neck T-Shirts, 5 Pack", minCents: 1999, maxCents: 3299 },
  { description: "Women's Fleece Hoodie", minCents: 2499, maxCents: 4999 },
  { description: 'LEGO Classic Creative Bricks Box', minCents: 2499, maxCents: 5999 },
  { description: 'Board Game: Family Strategy Edition', minCents: 1999, maxCents: 4499 },
  { description: 'Hardcover Book: Bestselling Thriller', minCents: 1399, maxCents: 2899 },
  { description: 'Paperback Notebook, College Ruled, 5 Pack', minCents: 799, maxCents: 1499 },
  { description: 'Gel Pens, 12 Count', minCents: 899, maxCents: 1499 },
  { description: 'Printer Paper, 8.5 x 11, 500 Sheets', minCents: 899, maxCents: 1499 },
  { description: 'LED Desk Lamp with USB Charging Port', minCents: 2499, maxCents: 4499 },
  { description: 'Smart Plug, 4 Pack', minCents: 1999, maxCents: 3499 },
  { description: 'Air Purifier Replacement Filter', minCents: 1999, maxCents: 4499 },
  { description: 'Robot Vacuum Replacement Brushes Kit', minCents: 1599, maxCents: 2799 },
  { description: 'Phone Case with Screen Protector', minCents: 999, maxCents: 2499 },
  { description: 'Bluetooth Earbuds with Charging Case', minCents: 2499, maxCents: 7999 },
  { description: 'HDMI Cable 4K, 10 ft', minCents: 799, maxCents: 1699 },
  { description: 'Kindle eBook: Historical Fiction', minCents: 299, maxCents: 1499, digital: true },
  { description: 'Prime Video Movie Rental (HD)', minCents: 399, maxCents: 699, digital: true },
  { description: 'Audible Audiobook', minCents: 1495, maxCents: 2995, digital: true },
  { description: 'Digital Music Album', minCents: 799, maxCents: 1299, digital: true },
  { description: 'Amazon Gift Card eGift', minCents: 2500, maxCents: 10000, digital: true },
];

/** The three summary lines Amazon shows on every order, in its words (vendor-docs 000). */
export const LINE_ITEM_LABELS = {
  subtotal: 'Item(s) Subtotal',
  shipping: 'Shipping & Handling',
  tax: 'Estimated tax to be collected',
} as const;
