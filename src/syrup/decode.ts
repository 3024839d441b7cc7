/**
 * Strict canonical Syrup decoder (ocapn-notes §1.1–1.2). Iterative: nesting uses an explicit
 * stack bounded by `maxDepth`, never the JS call stack.
 *
 * @module
 */
import { compareRanges, decodeUtf8 } from './bytes.js';
import { INTERN_MAX, internString, internSymbol } from './intern.js';
import { resolveOptions, SyrupError, type DecodeOptions, type ResolvedOptions } from './errors.js';
import * as grammar from './grammar.js';
import {
  badTypeAfterDigits,
  CONTAINER_NAMES,
  digitRunTooLong,
  integerTooLong,
  leadingZero,
  lengthTooLong,
  negativeZero,
  notAValue,
  outOfOrder,
  setsNotAllowed,
  tooDeep,
  tooManyItems,
} from './grammar.js';
import { SyrupDict, SyrupRecord, SyrupSet, SyrupSymbol, type SyrupValue } from './types.js';

// Module-local copies: V8 folds module-local constants into the hot loop but reloads imported
// bindings each time (measured: about 4% more instructions per small message).
const { LIST, DICT, RECORD, SET, CLOSERS, OPENER_KIND, ORDER_EITHER, ORDER_CANONICAL, ORDER_JS, ORDER_NONE, ORDER_NEXT } = grammar;

/**
 * The open containers, one slot per depth, in arrays of small integers shared by every call
 * (decode is synchronous and calls no user code): kind, start offset, where the container's
 * items start on the value stack, the previous dictionary key / set item `[prevStart, prevEnd)`
 * (prevStart < 0 if none), and which key orders are still possible (grammar.ts ORDER_*).
 * Small integers only, so keeping them allocates nothing and needs no GC write barrier; they
 * grow to the deepest nesting seen (at most `maxDepth`). Plain arrays rather than
 * Int32Arrays: an offset past 2^31 (a huge input) still fits, V8 just widens the array.
 */
const fKind: number[] = [];
const fOrder: number[] = [];
const fStart: number[] = [];
const fBase: number[] = [];
const fPrevStart: number[] = [];
const fPrevEnd: number[] = [];

/**
 * `vals[from..to)` as a new exact-size array. Array literals for the short lengths most
 * messages have: `Array.prototype.slice` is a builtin call costing more than the copy.
 */
function take(vals: SyrupValue[], from: number, to: number): SyrupValue[] {
  switch (to - from) {
    case 0:
      return [];
    case 1:
      return [vals[from]];
    case 2:
      return [vals[from], vals[from + 1]];
    case 3:
      return [vals[from], vals[from + 1], vals[from + 2]];
    case 4:
      return [vals[from], vals[from + 1], vals[from + 2], vals[from + 3]];
    case 5:
      return [vals[from], vals[from + 1], vals[from + 2], vals[from + 3], vals[from + 4]];
    case 6:
      return [vals[from], vals[from + 1], vals[from + 2], vals[from + 3], vals[from + 4], vals[from + 5]];
    default:
      return vals.slice(from, to);
  }
}

const scratch = new DataView(new ArrayBuffer(8));

/** BigInts 0..SMALL_INTS-1, shared (bigints are primitives). */
const SMALL_INTS = 1024;
const smallInts: bigint[] = Array.from({ length: SMALL_INTS }, (_, i) => BigInt(i));

/**
 * Decodes exactly one canonical Syrup value that fills all of `bytes`.
 *
 * Returns: booleans, `bigint` integers, `number` floats, JS strings, `Uint8Array` bytestrings
 * (fresh copies, never views of `bytes`), {@link SyrupSymbol}s (short ones are shared
 * instances), plain arrays for lists, {@link SyrupDict} (entries in wire order, which is
 * canonical, or with `dictOrder: 'canonical-or-js'` possibly Endo's JS string order, then
 * marked `order: 'js'`), {@link SyrupRecord}, {@link SyrupSet}.
 *
 * @throws SyrupError (with `offset` and `rule`) for anything not canonical: dictionary keys
 *   or set items out of order (in an order the `dictOrder` option does not allow) or
 *   duplicated, leading zeros, `0-`, non-canonical NaN, invalid UTF-8, Float32, whitespace, unknown bytes, truncation, trailing bytes, or a broken limit.
 * @throws TypeError if `bytes` is not a Uint8Array; RangeError for bad options.
 */
export function decode(bytes: Uint8Array, options?: DecodeOptions): SyrupValue {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('Syrup decode expects a Uint8Array');
  const o = resolveOptions(options);
  if (bytes.length > o.maxValueBytes) {
    throw new SyrupError(`value longer than maxValueBytes (${o.maxValueBytes})`, 0);
  }
  const d = new Decoder(bytes, o);
  const v = d.run();
  if (d.pos !== bytes.length) {
    throw new SyrupError(`trailing bytes after the value (${bytes.length - d.pos} bytes)`, d.pos);
  }
  return v;
}

class Decoder {
  pos = 0;
  /** The order state a new dictionary starts in (grammar.ts ORDER_*). */
  readonly dictStart: number;
  constructor(
    readonly bytes: Uint8Array,
    readonly o: ResolvedOptions,
  ) {
    this.dictStart = o.dictOrder === 'canonical' ? ORDER_CANONICAL : ORDER_EITHER;
  }

  run(): SyrupValue {
    const bytes = this.bytes;
    const end = bytes.length;
    const o = this.o;
    const maxItems = o.maxContainerLength;
    // Finished values waiting for their container to close: items of the container at
    // depth d are vals[fBase[d] .. sp). Per call, so it stays in the young generation.
    const vals: SyrupValue[] = [];
    let sp = 0;
    let depth = 0;
    for (;;) {
      const pos = this.pos;
      if (pos >= end) {
        throw new SyrupError(depth > 0 ? `unterminated ${CONTAINER_NAMES[fKind[depth - 1]]}` : 'empty input', pos);
      }
      let start = pos;
      const c = bytes[pos];
      let v: SyrupValue;
      if (c >= 0x30 && c <= 0x39) {
        v = this.numeric();
      } else if (c === 0x74) {
        v = true;
        this.pos = pos + 1;
      } else if (c === 0x66) {
        v = false;
        this.pos = pos + 1;
      } else if (c === 0x44) {
        v = this.float64();
      } else {
        const kind = OPENER_KIND[c];
        if (kind >= 0) {
          if (kind === SET && !o.allowSets) throw setsNotAllowed(pos);
          if (depth >= o.maxDepth) throw tooDeep(o, pos);
          fKind[depth] = kind;
          fStart[depth] = pos;
          fBase[depth] = sp;
          fPrevStart[depth] = -1;
          fOrder[depth] = kind === DICT ? this.dictStart : ORDER_CANONICAL;
          depth++;
          this.pos = pos + 1;
          continue;
        }
        const topKind = depth > 0 ? fKind[depth - 1] : -1;
        if (topKind < 0 || c !== CLOSERS[topKind]) throw notAValue(c, topKind, pos);
        depth--;
        start = fStart[depth];
        this.pos = pos + 1;
        const base = fBase[depth];
        const count = sp - base;
        switch (topKind) {
          case LIST:
            v = take(vals, base, sp);
            break;
          case DICT: {
            if (count & 1) throw new SyrupError('dictionary key without a value', pos);
            const entries = new Array<[SyrupValue, SyrupValue]>(count >> 1);
            for (let i = base, j = 0; i < sp; i += 2, j++) entries[j] = [vals[i], vals[i + 1]];
            v = new SyrupDict(entries, fOrder[depth] === ORDER_JS ? 'js' : 'canonical');
            break;
          }
          case RECORD:
            if (count === 0) throw new SyrupError('record without a label', pos);
            v = new SyrupRecord(vals[base], take(vals, base + 1, sp));
            break;
          default:
            v = new SyrupSet(take(vals, base, sp));
        }
        sp = base;
      }
      // Hand the finished value [start, this.pos) to its container.
      if (depth === 0) return v;
      const d = depth - 1;
      const kind = fKind[d];
      const count = sp - fBase[d];
      if (kind === LIST) {
        if (count >= maxItems) throw this.tooMany(start);
      } else if (kind === RECORD) {
        // the first value is the label, not counted
        if (count > maxItems) throw this.tooMany(start);
      } else if (kind === SET || (count & 1) === 0) {
        if ((kind === SET ? count : count >> 1) >= maxItems) throw this.tooMany(start);
        const end2 = this.pos;
        if (fPrevStart[d] >= 0) {
          const cmp = compareRanges(bytes, fPrevStart[d], fPrevEnd[d], bytes, start, end2);
          // Fast path: ascending, and only canonical order allowed (every strict decode).
          if (cmp >= 0 || fOrder[d] !== ORDER_CANONICAL) this.nextKeyOrder(d, cmp, vals[sp - 2], v, start);
        }
        fPrevStart[d] = start;
        fPrevEnd[d] = end2;
      }
      vals[sp++] = v;
    }
  }

  /**
   * Moves the order state of the dictionary or set at depth `d` past one more key or item
   * (`v`, starting at `offset`; `prev` is the previous key of a dictionary); `cmp` compares the
   * previous one's bytes with this one's. Throws if the keys are now in no acceptable order,
   * or repeat.
   */
  nextKeyOrder(d: number, cmp: number, prev: SyrupValue, v: SyrupValue, offset: number): void {
    const state = fOrder[d];
    const kind = fKind[d];
    const lenient = kind === DICT && this.dictStart !== ORDER_CANONICAL;
    if (cmp === 0 || state === ORDER_CANONICAL) throw outOfOrder(kind, cmp, lenient, offset);
    const jsAscending = typeof prev === 'string' && typeof v === 'string' && prev < v;
    const next = ORDER_NEXT[state * 4 + (cmp < 0 ? 2 : 0) + (jsAscending ? 1 : 0)];
    if (next === ORDER_NONE) throw outOfOrder(kind, cmp, true, offset);
    fOrder[d] = next;
  }

  tooMany(offset: number): SyrupError {
    return tooManyItems(this.o, offset);
  }

  /** A digit run: integer, or length of bytes/string/symbol. */
  numeric(): SyrupValue {
    const bytes = this.bytes;
    const end = bytes.length;
    const start = this.pos;
    let p = start;
    let n = 0;
    let c = 0;
    while (p < end && (c = bytes[p]) >= 0x30 && c <= 0x39) {
      n = n * 10 + (c - 0x30);
      p++;
    }
    const digits = p - start;
    if (digits > 1 && bytes[start] === 0x30) throw leadingZero(start);
    if (digits > 15 && digits > this.o.maxIntegerDigits) throw digitRunTooLong(this.o, start);
    if (p >= end) throw new SyrupError('digits not followed by a type byte (truncated)', p);
    const t = bytes[p];
    if (t === 0x2b || t === 0x2d) {
      if (digits > this.o.maxIntegerDigits) throw integerTooLong(this.o, start);
      this.pos = p + 1;
      let v: bigint;
      if (digits <= 15) v = n < SMALL_INTS ? smallInts[n] : BigInt(n);
      else v = BigInt(String.fromCharCode.apply(null, bytes.subarray(start, p) as unknown as number[]));
      if (t === 0x2b) return v;
      if (n === 0) throw negativeZero(start);
      return -v;
    }
    if (t !== 0x3a && t !== 0x22 && t !== 0x27) throw badTypeAfterDigits(t, p);
    if (digits > 15 || n > this.o.maxBytesLength) throw lengthTooLong(this.o, start);
    const dataStart = p + 1;
    const dataEnd = dataStart + n;
    if (dataEnd > end) {
      const what = t === 0x3a ? 'bytestring' : t === 0x22 ? 'string' : 'symbol';
      throw new SyrupError(`${what} shorter than its length ${n} (truncated)`, dataStart);
    }
    this.pos = dataEnd;
    if (t === 0x3a) return bytes.slice(dataStart, dataEnd);
    const short = n <= INTERN_MAX;
    const s =
      t === 0x22
        ? short
          ? internString(bytes, dataStart, dataEnd)
          : decodeUtf8(bytes, dataStart, dataEnd)
        : short
          ? internSymbol(bytes, dataStart, dataEnd)
          : decodeUtf8(bytes, dataStart, dataEnd);
    if (s === undefined) {
      throw new SyrupError(`${t === 0x22 ? 'string' : 'symbol'} is not valid UTF-8`, dataStart);
    }
    return typeof s === 'string' && t === 0x27 ? new SyrupSymbol(s) : s;
  }

  float64(): number {
    const bytes = this.bytes;
    const p = this.pos + 1;
    if (p + 8 > bytes.length) throw new SyrupError('Float64 shorter than 8 bytes (truncated)', this.pos);
    for (let i = 0; i < 8; i++) scratch.setUint8(i, bytes[p + i]);
    const x = scratch.getFloat64(0, false);
    if (x !== x && (scratch.getUint32(0, false) !== 0x7ff80000 || scratch.getUint32(4, false) !== 0)) {
      throw new SyrupError('non-canonical NaN (only 7ff8000000000000 is allowed)', this.pos);
    }
    this.pos = p + 8;
    return x;
  }
}
