/**
 * Users split in two for stitching a large batch on two threads (batch-parallel.ts). Stitching never
 * relates one user's orders to another user's transactions, so each half stitches on its own and
 * the two results, merged in canonical order, are the one-thread result.
 */

/** 0 or 1, the same in every thread: FNV-1a of the user id's UTF-16 code units. */
export function partitionOf(userId: string): 0 | 1 {
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) {
    hash ^= userId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash & 1) as 0 | 1;
}

/** Items of each partition, in their original order. */
export function splitByPartition<T extends { userId: string }>(items: readonly T[]): [T[], T[]] {
  const halves: [T[], T[]] = [[], []];
  for (const item of items) halves[partitionOf(item.userId)].push(item);
  return halves;
}
