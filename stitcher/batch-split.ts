/**
 * Cutting a batch file in two so that each half parses on its own thread (batch-parallel.ts).
 *
 * Parsing is most of the cost of a large batch, and JSON.parse is single-threaded. So the file is cut
 * inside its `transactions` array, between two elements: the head (everything before the cut) is
 * closed with a sentinel element and `]}`, and the tail (everything after it) is opened with
 * `{"<TAIL_KEY>":[`. Each half is then a JSON document of its own.
 *
 * The cut is found by text search, not by a full scan (which would cost about as much as the parse
 * it is meant to halve): the separator between two elements, `},{"<first key>":`, where the first key
 * is that of the array's first element. In valid JSON that text can only be a real boundary between
 * two objects (an unescaped `"` never sits inside a string), but not necessarily at the depth of the
 * `transactions` array. The parse itself tells: the head parses only if, at the cut, exactly one array
 * directly inside the top-level object is open, and the sentinel then ends exactly one top-level array;
 * the tail parses only if the rest of the file is a valid continuation from there. When either half
 * does not parse, or the sentinel ends anything but the `transactions` array, nothing is guessed:
 * the caller parses the whole file as usual, which also gives invalid input its ordinary error message.
 */

/** Appended to the head's open array; a caller checks it ends exactly one top-level array. */
export const SPLIT_SENTINEL = '\u0000stitch-sandbox: cut here';
/** The key the tail's leading elements are parsed under. */
export const TAIL_KEY = '\u0000stitch-sandbox: tail';

const SENTINEL_JSON = JSON.stringify(SPLIT_SENTINEL);
const TAIL_OPENING = `{${JSON.stringify(TAIL_KEY)}:[`;
const ARRAY_OPENING = Buffer.from('"transactions":[');

/**
 * The offset of the `}` that ends the element before the cut, as near as possible after
 * `share` of the file; null when the file has no `transactions` array of objects to cut.
 */
export function findTransactionsCut(bytes: Uint8Array, share: number): number | null {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const opening = buffer.indexOf(ARRAY_OPENING);
  if (opening < 0) return null;
  const firstElement = opening + ARRAY_OPENING.length;
  // The first element's first key: `{"transaction_id":` in Atelio's own order.
  if (buffer[firstElement] !== 0x7b || buffer[firstElement + 1] !== 0x22) return null;
  const keyEnd = buffer.indexOf(0x22, firstElement + 2);
  if (keyEnd < 0 || buffer[keyEnd + 1] !== 0x3a) return null;
  const separator = Buffer.concat([Buffer.from('},'), buffer.subarray(firstElement, keyEnd + 2)]);
  const from = Math.max(firstElement, Math.floor(buffer.length * share));
  const after = buffer.indexOf(separator, from);
  if (after >= 0) return after;
  // The array ends before that share of the file (other keys follow it): cut before instead.
  const before = buffer.lastIndexOf(separator, from);
  return before > firstElement ? before : null;
}

/** The head document: the file up to and including the `}` at `cut`, closed after a sentinel element. */
export function headText(bytes: Uint8Array, cut: number): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return `${buffer.toString('utf8', 0, cut + 1)},${SENTINEL_JSON}]}`;
}

/** The tail document: the elements after the cut under TAIL_KEY, then the rest of the file as it is. */
export function tailText(bytes: Uint8Array, cut: number): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return TAIL_OPENING + buffer.toString('utf8', cut + 2);
}

/**
 * The head's `transactions` elements (sentinel removed) when the sentinel ends that array and no
 * other top-level array; otherwise null (the cut was not where it had to be).
 */
export function headTransactions(head: unknown): unknown[] | null {
  if (typeof head !== 'object' || head === null || Array.isArray(head)) return null;
  let found: unknown[] | null = null;
  for (const [key, value] of Object.entries(head)) {
    if (!Array.isArray(value) || value.length === 0 || value[value.length - 1] !== SPLIT_SENTINEL) continue;
    if (key !== 'transactions' || found) return null;
    found = value;
  }
  found?.pop();
  return found;
}
