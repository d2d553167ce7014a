import { Faker, base, en } from '@faker-js/faker';

/**
 * Seeded data generation. Everything random in the platform (ids, names, amounts, order numbers)
 * comes from one of these, so the same seed reproduces the same data byte for byte.
 */
export interface SeededRandom {
  readonly seed: number;
  readonly faker: Faker;
  /** A 24-hex-character MongoDB ObjectId, the id format Atomic uses. */
  objectId(): string;
  /** A v4-shaped UUID, the id format Atelio uses. */
  uuid(): string;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  /** A float in [min, max] rounded to `decimals` places. */
  amount(min: number, max: number, decimals?: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
  /** An independent generator derived from this one and a label, so adding data in one area does not shift another. */
  fork(label: string): SeededRandom;
}

/** Turns any string or number into a 32-bit seed (FNV-1a), so seeds can be labels. */
export function toSeed(value: string | number): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value >>> 0;
  const text = String(value);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function createRandom(seed: string | number = 1): SeededRandom {
  const numericSeed = toSeed(seed);
  const faker = new Faker({ locale: [en, base] });
  faker.seed(numericSeed);
  const random: SeededRandom = {
    seed: numericSeed,
    faker,
    objectId: () => faker.database.mongodbObjectId(),
    uuid: () => faker.string.uuid(),
    int: (min, max) => faker.number.int({ min, max }),
    amount: (min, max, decimals = 2) => faker.number.float({ min, max, fractionDigits: decimals }),
    pick: (items) => {
      if (items.length === 0) throw new Error('SeededRandom.pick: empty list');
      return items[faker.number.int({ min: 0, max: items.length - 1 })]!;
    },
    chance: (probability) => faker.number.float({ min: 0, max: 1 }) < probability,
    fork: (label) => createRandom(toSeed(`${numericSeed}:${label}`)),
  };
  return random;
}

/** Money arithmetic in integer cents, so sums of line items and settlements are exact. */
export const toCents = (amount: number | string): number => Math.round(Number(amount) * 100);
export const fromCents = (cents: number): number => cents / 100;
/** Formats cents as a signed two-decimal string, the way Atelio sends amounts ("-30.49"). */
export const centsToDecimalString = (cents: number): string => {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
};
