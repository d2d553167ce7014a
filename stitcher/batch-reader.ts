/**
 * Reads a batch file's JSON text piece by piece, straight into the matcher's inputs.
 *
 * `JSON.parse` of a 150 MB batch builds some 400,000 vendor objects that all live at once, and the
 * garbage collector copies every one of them into the old generation before the matcher has read a
 * field. Here each top-level array (`orders`, `transactions`) is cut into pieces of about half a
 * megabyte; each piece is parsed, checked (batch-input.ts) and turned into matcher inputs
 * (normalize.ts) at once, so the vendor objects die young. On 100,000 orders that is a fifth less
 * wall time and a quarter less memory for `stitch-sandbox stitch FILE` (stitcher/README.md).
 *
 * Where to cut is guessed: an array's elements usually all open the same way (`{"_id":`), so the
 * next cut is the first `,` followed by that opening past the piece length. The opening holds a
 * quote right after `{`, so it can never be found inside a string; it can be found at a deeper level
 * (a nested object of the same shape), and then that piece does not parse (its unclosed object cannot
 * be closed by the `]` added around it), or the array seems to end early and the top level does not
 * read. A read that succeeds throughout is therefore right: every piece and the text around them
 * parsed, so the text is valid JSON, and JSON has only one reading. When a read with guessed cuts
 * fails anywhere, the text is read again with cuts found by scanning (counting brackets outside
 * strings), which is slower but never cuts wrong.
 *
 * The reader only takes what the fast check accepts. Anything else (invalid JSON, a field the check
 * refuses, an unusual top level) returns null, and the caller takes the ordinary path:
 * `JSON.parse` of the whole text and zod, which accepts it after all or says what is wrong.
 */
import { z } from 'zod';
import { isBatchOrder, isBatchTransaction } from './batch-input';
import type { MatchOrder, MatchTransaction } from './match-types';
import { orderForMatching, transactionForMatching } from './normalize';
import { AtelioCardSchema } from './vendor-schemas';

export interface MatchInputs {
  orders: MatchOrder[];
  transactions: MatchTransaction[];
}

export interface BatchReadOptions {
  /** 'guess' (default) cuts by each array's first element's opening, 'scan' by counting brackets. */
  cutBy?: 'guess' | 'scan';
  /** Characters per piece, about; the default suits a batch of any size. */
  pieceLength?: number;
}

const DEFAULT_PIECE_LENGTH = 512 * 1024;
const CardsSchema = z.array(AtelioCardSchema).default([]);

/** The batch's matcher inputs, or null when the text needs the ordinary path (see above). */
export function readBatchText(text: string, options: BatchReadOptions = {}): MatchInputs | null {
  const pieceLength = Math.max(1, options.pieceLength ?? DEFAULT_PIECE_LENGTH);
  if (options.cutBy === 'scan') return read(text, 'scan', pieceLength).inputs;
  const guessed = read(text, 'guess', pieceLength);
  // Without a guessed cut the read was a scanning read already.
  return guessed.inputs ?? (guessed.guessedCuts > 0 ? read(text, 'scan', pieceLength).inputs : null);
}

type Span = [from: number, to: number];

interface TopLevel {
  /** Each array's element text, as spans of comma-separated elements. */
  orders: Span[];
  transactions: Span[];
  cards: unknown;
}

interface Read {
  inputs: MatchInputs | null;
  guessedCuts: number;
}

function read(text: string, cutBy: 'guess' | 'scan', pieceLength: number): Read {
  const cuts = { guessed: 0 };
  const top = readTopLevel(text, cutBy, pieceLength, cuts);
  const inputs = top === null ? null : matchInputs(text, top);
  return { inputs, guessedCuts: cuts.guessed };
}

function matchInputs(text: string, top: TopLevel): MatchInputs | null {
  const cards = CardsSchema.safeParse(top.cards);
  if (!cards.success) return null;
  const lastFour = new Map<string, string | null>();
  for (const card of cards.data) lastFour.set(card.card_id, card.last_four ?? null);

  const orders: MatchOrder[] = [];
  for (const span of top.orders) {
    const elements = parsePiece(text, span);
    if (elements === null) return null;
    for (const o of elements) {
      if (!isBatchOrder(o)) return null;
      orders.push(orderForMatching(o, o.identifier));
    }
  }
  const transactions: MatchTransaction[] = [];
  for (const span of top.transactions) {
    const elements = parsePiece(text, span);
    if (elements === null) return null;
    for (const t of elements) {
      if (!isBatchTransaction(t)) return null;
      transactions.push(transactionForMatching(t, lastFour));
    }
  }
  return { orders, transactions };
}

function parsePiece(text: string, [from, to]: Span): unknown[] | null {
  try {
    return JSON.parse(`[${text.slice(from, to)}]`) as unknown[];
  } catch {
    return null;
  }
}

/**
 * `{ "orders": [...], "transactions": [...], "cards": [...] }` in any key order, with any other keys
 * (parsed, then ignored, as the schema does). Null for anything else: a repeated key (JSON.parse
 * would keep the last one), a missing array, trailing text.
 */
function readTopLevel(
  text: string,
  cutBy: 'guess' | 'scan',
  pieceLength: number,
  cuts: { guessed: number },
): TopLevel | null {
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== OPEN_BRACE) return null;
  i = skipSpace(text, i + 1);
  const seen = new Set<string>();
  const top: Partial<TopLevel> = {};
  if (text.charCodeAt(i) !== CLOSE_BRACE) {
    for (;;) {
      const keyEnd = stringEnd(text, i);
      if (keyEnd < 0) return null;
      const key = parseJson(text.slice(i, keyEnd));
      if (typeof key !== 'string' || seen.has(key)) return null;
      seen.add(key);
      i = skipSpace(text, keyEnd);
      if (text.charCodeAt(i) !== COLON) return null;
      i = skipSpace(text, i + 1);
      if (key === 'orders' || key === 'transactions') {
        const array = readArray(text, i, cutBy, pieceLength, cuts);
        if (array === null) return null;
        top[key] = array.spans;
        i = array.end;
      } else {
        const end = valueEnd(text, i);
        if (end < 0) return null;
        const value = parseJson(text.slice(i, end));
        if (value === undefined) return null;
        if (key === 'cards') top.cards = value;
        i = end;
      }
      i = skipSpace(text, i);
      const c = text.charCodeAt(i);
      if (c === CLOSE_BRACE) break;
      if (c !== COMMA) return null;
      i = skipSpace(text, i + 1);
    }
  }
  if (skipSpace(text, i + 1) !== text.length) return null;
  if (!top.orders || !top.transactions) return null;
  return { orders: top.orders, transactions: top.transactions, cards: top.cards };
}

/** An array starting at `start` (at its `[`): its elements as spans of about `pieceLength`, and where it ends. */
function readArray(
  text: string,
  start: number,
  cutBy: 'guess' | 'scan',
  pieceLength: number,
  cuts: { guessed: number },
): { spans: Span[]; end: number } | null {
  if (text.charCodeAt(start) !== OPEN_BRACKET) return null;
  let from = skipSpace(text, start + 1);
  if (text.charCodeAt(from) === CLOSE_BRACKET) return { spans: [], end: from + 1 };
  const spans: Span[] = [];
  const opening = cutBy === 'guess' ? elementOpening(text, from) : null;
  if (opening !== null) {
    // Guessed cuts while they are found; the rest of the array is scanned below.
    for (;;) {
      const cut = nextGuessedCut(text, opening, from + pieceLength);
      if (cut === null) break;
      spans.push([from, cut.comma]);
      cuts.guessed++;
      from = cut.element;
    }
  }
  // Scan element by element from the last cut to the array's `]`, cutting every pieceLength.
  let i = from;
  for (;;) {
    const end = valueEnd(text, i);
    if (end < 0) return null;
    i = skipSpace(text, end);
    const c = text.charCodeAt(i);
    if (c === CLOSE_BRACKET) {
      spans.push([from, end]);
      return { spans, end: i + 1 };
    }
    if (c !== COMMA) return null;
    if (end - from >= pieceLength) {
      spans.push([from, end]);
      from = skipSpace(text, i + 1);
      i = from;
    } else {
      i = skipSpace(text, i + 1);
    }
  }
}

/** The text an object element opens with, up to its first key's colon, when it holds a quote. */
function elementOpening(text: string, at: number): string | null {
  if (text.charCodeAt(at) !== OPEN_BRACE) return null;
  const colon = text.indexOf(':', at);
  if (colon < 0 || colon - at > 200) return null;
  const opening = text.slice(at, colon + 1);
  // The quote right after `{` (and any spaces) is what keeps the opening from matching inside a string.
  const afterBrace = skipSpace(opening, 1);
  return opening.charCodeAt(afterBrace) === QUOTE ? opening : null;
}

/** The first `,` + spaces + opening at or past `from`: the comma to cut at and where the next element starts. */
function nextGuessedCut(
  text: string,
  opening: string,
  from: number,
): { comma: number; element: number } | null {
  let at = from;
  for (;;) {
    const element = text.indexOf(opening, at);
    if (element < 0) return null;
    let k = element - 1;
    while (k >= 0 && isSpace(text.charCodeAt(k))) k--;
    if (k >= from && text.charCodeAt(k) === COMMA) return { comma: k, element };
    at = element + 1;
  }
}

/** Where the JSON value starting at `start` ends (exclusive), by counting brackets outside strings; -1 if the text ends first. */
function valueEnd(text: string, start: number): number {
  const first = text.charCodeAt(start);
  if (first === QUOTE) return stringEnd(text, start);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    // A number, true, false or null: up to the next delimiter. JSON.parse judges it.
    let i = start;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isSpace(c)) break;
      i++;
    }
    return i > start ? i : -1;
  }
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i) - 1;
      if (i < 0) return -1;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** End (exclusive) of the string literal whose opening quote is at `start`; -1 when unterminated. */
function stringEnd(text: string, start: number): number {
  if (text.charCodeAt(start) !== QUOTE) return -1;
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) return -1;
    let backslashes = 0;
    for (let k = quote - 1; text.charCodeAt(k) === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function skipSpace(text: string, at: number): number {
  let i = at;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
