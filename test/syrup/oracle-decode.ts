/**
 * The Syrup decoder as it was before the decode-speed round (commit 391c0aa,
 * src/syrup/decode.ts), kept unchanged apart from its imports and name as the oracle of
 * decode-differential.test.ts: the new decoder must return the same values and throw the same
 * errors at the same offsets. Test-only; do not optimise.
 */
import { compareRanges, decodeUtf8 } from '../../src/syrup/bytes.js';
import { INTERN_MAX, internString, internSymbol } from '../../src/syrup/intern.js';
import { resolveOptions, SyrupError, type DecodeOptions, type ResolvedOptions } from '../../src/syrup/errors.js';
import * as grammar from '../../src/syrup/grammar.js';
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
} from '../../src/syrup/grammar.js';
import { SyrupDict, SyrupRecord, SyrupSet, SyrupSymbol, type SyrupValue } from '../../src/syrup/types.js';

// Module-local copies: V8 folds module-local constants into the hot loop but reloads imported
// bindings each time (measured: about 4% more instructions per small message).
const { LIST, DICT, RECORD, SET, CLOSERS, OPENER_KIND, ORDER_EITHER, ORDER_CANONICAL, ORDER_JS, ORDER_NONE, ORDER_NEXT } = grammar;

/** One open container. */
interface Frame {
  kind: number;
  start: number;
  items: SyrupValue[];
  /** Record: label seen. */
  hasLabel: boolean;
  label: SyrupValue;
  /** Dictionary key / set item last seen: [prevStart, prevEnd), prevStart < 0 if none. */
  prevStart: number;
  prevEnd: number;
  /** Dictionary/set: which key orders are still possible (grammar.ts ORDER_*). */
  order: number;
}

const scratch = new DataView(new ArrayBuffer(8));

/** BigInts 0..SMALL_INTS-1, shared (bigints are primitives). */
const SMALL_INTS = 1024;
const smallInts: bigint[] = Array.from({ length: SMALL_INTS }, (_, i) => BigInt(i));

/** Frames reused across calls (decode is synchronous and calls no user code). */
const pool: Frame[] = [];
const POOL_MAX = 256;
const NO_ITEMS: SyrupValue[] = [];

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
export function oracleDecode(bytes: Uint8Array, options?: DecodeOptions): SyrupValue {
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
    const stack: Frame[] = [];
    for (;;) {
      let pos = this.pos;
      if (pos >= end) {
        throw new SyrupError(stack.length ? `unterminated ${CONTAINER_NAMES[stack[stack.length - 1].kind]}` : 'empty input', pos);
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
          if (stack.length >= o.maxDepth) throw tooDeep(o, pos);
          const depth = stack.length;
          const order = kind === DICT ? this.dictStart : ORDER_CANONICAL;
          let f = pool[depth];
          if (f === undefined) {
            f = { kind, start: pos, items: [], hasLabel: false, label: false, prevStart: -1, prevEnd: -1, order };
            if (depth < POOL_MAX) pool[depth] = f;
          } else {
            f.kind = kind;
            f.start = pos;
            f.items = [];
            f.hasLabel = false;
            f.label = false;
            f.prevStart = -1;
            f.order = order;
          }
          stack.push(f);
          this.pos = pos + 1;
          continue;
        }
        const top = stack.length ? stack[stack.length - 1] : undefined;
        if (top === undefined || c !== CLOSERS[top.kind]) throw notAValue(c, top === undefined ? -1 : top.kind, pos);
        stack.pop();
        start = top.start;
        this.pos = pos + 1;
        const items = top.items;
        switch (top.kind) {
          case LIST:
            v = items;
            break;
          case DICT: {
            if (items.length & 1) throw new SyrupError('dictionary key without a value', pos);
            const entries = new Array<[SyrupValue, SyrupValue]>(items.length >> 1);
            for (let i = 0, j = 0; i < items.length; i += 2, j++) entries[j] = [items[i], items[i + 1]];
            v = new SyrupDict(entries, top.order === ORDER_JS ? 'js' : 'canonical');
            break;
          }
          case RECORD:
            if (!top.hasLabel) throw new SyrupError('record without a label', pos);
            v = new SyrupRecord(top.label, items);
            break;
          default:
            v = new SyrupSet(items);
        }
        // let the pooled frame forget the value
        top.items = NO_ITEMS;
        top.label = false;
      }
      // Hand the finished value [start, this.pos) to its container.
      if (stack.length === 0) return v;
      const top = stack[stack.length - 1];
      const kind = top.kind;
      if (kind === LIST) {
        if (top.items.length >= o.maxContainerLength) throw this.tooMany(start);
        top.items.push(v);
      } else if (kind === RECORD) {
        if (!top.hasLabel) {
          top.hasLabel = true;
          top.label = v;
        } else {
          if (top.items.length >= o.maxContainerLength) throw this.tooMany(start);
          top.items.push(v);
        }
      } else {
        const items = top.items;
        if (kind === SET || (items.length & 1) === 0) {
          if ((kind === SET ? items.length : items.length >> 1) >= o.maxContainerLength) throw this.tooMany(start);
          const end2 = this.pos;
          if (top.prevStart >= 0) {
            const cmp = compareRanges(bytes, top.prevStart, top.prevEnd, bytes, start, end2);
            // Fast path: ascending, and only canonical order allowed (every strict decode).
            if (cmp >= 0 || top.order !== ORDER_CANONICAL) this.nextKeyOrder(top, cmp, v, start);
          }
          top.prevStart = start;
          top.prevEnd = end2;
        }
        items.push(v);
      }
    }
  }

  /**
   * Moves a dictionary's or set's order state past one more key or item (`v`, starting at
   * `offset`); `cmp` compares the previous one's bytes with this one's. Throws if the keys are
   * now in no acceptable order, or repeat.
   */
  nextKeyOrder(top: Frame, cmp: number, v: SyrupValue, offset: number): void {
    const state = top.order;
    const lenient = top.kind === DICT && this.dictStart !== ORDER_CANONICAL;
    if (cmp === 0 || state === ORDER_CANONICAL) throw outOfOrder(top.kind, cmp, lenient, offset);
    const items = top.items;
    const prev = items[items.length - 2];
    const jsAscending = typeof prev === 'string' && typeof v === 'string' && prev < v;
    const next = ORDER_NEXT[state * 4 + (cmp < 0 ? 2 : 0) + (jsAscending ? 1 : 0)];
    if (next === ORDER_NONE) throw outOfOrder(top.kind, cmp, true, offset);
    top.order = next;
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
