/**
 * The structural rules of Syrup (ocapn-notes §1.1–1.2) that the decoder ({@link decode}) and
 * the scanner ({@link scanValue}) both enforce: container kinds and their closers, the checks
 * on digit runs, and the errors they throw, so both report the same rule at the same offset.
 * Internal. For speed, the checks themselves stay inline in both hot loops, which also copy
 * the constants into module-local bindings; only data and the (cold) error construction
 * live here.
 *
 * @module
 */
import { describeByte, SyrupError, type ResolvedOptions } from './errors.js';

/** Container kinds (indexes into {@link CLOSERS} and {@link CONTAINER_NAMES}). @internal */
export const LIST = 0;
/** @internal */
export const DICT = 1;
/** @internal */
export const RECORD = 2;
/** @internal */
export const SET = 3;
/** The byte that closes each container kind: `]`, `}`, `>`, `$`. @internal */
export const CLOSERS: readonly number[] = [0x5d, 0x7d, 0x3e, 0x24];
/** Each container kind's name, for error messages. @internal */
export const CONTAINER_NAMES: readonly string[] = ['list', 'dictionary', 'record', 'set'];

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c || c === 0x0b;
}

/** Error for a byte that cannot start a value. @internal */
export function badStartByte(c: number, offset: number): SyrupError {
  if (isWhitespace(c)) return new SyrupError(`whitespace ${describeByte(c)} is not allowed`, offset);
  if (c === 0x46) return new SyrupError('Float32 (F) is not allowed; only Float64 (D)', offset);
  if (c === 0x2b || c === 0x2d) return new SyrupError(`sign ${describeByte(c)} before any digit`, offset);
  if (c === 0x5d || c === 0x7d || c === 0x3e || c === 0x24) {
    return new SyrupError(`unexpected closer ${describeByte(c)}`, offset);
  }
  return new SyrupError(`unknown type byte ${describeByte(c)}`, offset);
}

/**
 * The container kind each byte opens: {@link LIST} for `[`, {@link DICT} for `{`,
 * {@link RECORD} for `<`, {@link SET} for `#`, -1 for every other byte. A table, not a
 * function, so that the decoder's and the scanner's hot loops pay one load. @internal
 */
export const OPENER_KIND: Int8Array = (() => {
  const table = new Int8Array(256).fill(-1);
  table[0x5b] = LIST;
  table[0x7b] = DICT;
  table[0x3c] = RECORD;
  table[0x23] = SET;
  return table;
})();

/** Error for `#` when sets are not allowed. @internal */
export function setsNotAllowed(offset: number): SyrupError {
  return new SyrupError('sets are not allowed', offset);
}

/** Error for opening a container beyond `maxDepth`. @internal */
export function tooDeep(o: ResolvedOptions, offset: number): SyrupError {
  return new SyrupError(`nesting deeper than maxDepth (${o.maxDepth})`, offset);
}

/**
 * Error for byte `c`, which neither starts a value nor closes the open container.
 * @param openKind the innermost open container's kind, or -1 at top level.
 * @internal
 */
export function notAValue(c: number, openKind: number, offset: number): SyrupError {
  if (openKind >= 0 && CLOSERS.includes(c)) {
    return new SyrupError(`${CONTAINER_NAMES[openKind]} closed by ${describeByte(c)}`, offset);
  }
  return badStartByte(c, offset);
}

/** Error for a container over `maxContainerLength`. @internal */
export function tooManyItems(o: ResolvedOptions, offset: number): SyrupError {
  return new SyrupError(`container has more than maxContainerLength (${o.maxContainerLength}) items`, offset);
}

/*
 * Digit runs (an integer, or the length of a bytestring, string or symbol). The callers test
 * the conditions inline (check functions here cost the decoder ~2–3% on small messages) and only
 * build the error here.
 */

/** Error for a digit run of 2+ digits starting with `0`. @internal */
export function leadingZero(start: number): SyrupError {
  return new SyrupError('leading zero in integer or length', start);
}

/** Error for a digit run of more than 15 digits and more than `maxIntegerDigits`. @internal */
export function digitRunTooLong(o: ResolvedOptions, start: number): SyrupError {
  return new SyrupError(`digit run longer than maxIntegerDigits (${o.maxIntegerDigits})`, start);
}

/** Error for an integer of more than `maxIntegerDigits` digits. @internal */
export function integerTooLong(o: ResolvedOptions, start: number): SyrupError {
  return new SyrupError(`integer longer than maxIntegerDigits (${o.maxIntegerDigits})`, start);
}

/** Error for `0-`. @internal */
export function negativeZero(start: number): SyrupError {
  return new SyrupError('negative zero integer (0-)', start);
}

/** Error for a digit run followed by a byte other than `+ - : " '`. @internal */
export function badTypeAfterDigits(t: number, offset: number): SyrupError {
  return new SyrupError(`digits followed by ${describeByte(t)}, not + - : " '`, offset);
}

/** Error for a length over `maxBytesLength` (or over 15 digits). @internal */
export function lengthTooLong(o: ResolvedOptions, start: number): SyrupError {
  return new SyrupError(`length longer than maxBytesLength (${o.maxBytesLength})`, start);
}

/*
 * Dictionary key order (decoder only). A dictionary's frame holds which orders its keys may
 * still be in; each key after the first moves it through ORDER_NEXT, indexed by
 * `state * 4 + (canonical ascending ? 2 : 0) + (JS-string ascending ? 1 : 0)`. A strict
 * decode starts every dictionary (and set) in ORDER_CANONICAL; a `'canonical-or-js'` decode
 * starts dictionaries in ORDER_EITHER. Equal keys are refused before the table is consulted.
 */

/** Keys so far are in both canonical and JS string order. @internal */
export const ORDER_EITHER = 0;
/** Keys so far are in canonical order only. @internal */
export const ORDER_CANONICAL = 1;
/** Keys so far are in JS string order only (all strings). @internal */
export const ORDER_JS = 2;
/** Keys are in neither order: refused. @internal */
export const ORDER_NONE = 3;

/** The order state after one more key; see the comment above. @internal */
export const ORDER_NEXT: Int8Array = Int8Array.from([
  // EITHER:    neither,   JS only,   canonical only,  both
  ORDER_NONE, ORDER_JS, ORDER_CANONICAL, ORDER_EITHER,
  // CANONICAL
  ORDER_NONE, ORDER_NONE, ORDER_CANONICAL, ORDER_CANONICAL,
  // JS
  ORDER_NONE, ORDER_JS, ORDER_NONE, ORDER_JS,
  // NONE
  ORDER_NONE, ORDER_NONE, ORDER_NONE, ORDER_NONE,
]);

/**
 * Error for a dictionary key or set item that breaks the order, or repeats the previous one.
 * @param cmp the canonical comparison of the previous key with this one (0: duplicate).
 * @param lenient whether JS string order was also acceptable.
 * @internal
 */
export function outOfOrder(kind: number, cmp: number, lenient: boolean, offset: number): SyrupError {
  const what = kind === SET ? 'set items' : 'dictionary keys';
  if (cmp === 0) return new SyrupError(`duplicate ${what}`, offset);
  return new SyrupError(lenient ? `${what} in neither canonical nor JS string order` : `${what} not in canonical order`, offset);
}
