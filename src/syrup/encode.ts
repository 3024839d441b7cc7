/**
 * Canonical Syrup encoder (ocapn-notes §1.1–1.2).
 *
 * One scratch buffer, reused across calls, receives the bytes; the result is one exact-size
 * copy of them. Long bytestrings outside dictionaries and sets are not copied into the scratch
 * buffer at all: the writer notes where they belong and copies each once, straight into the
 * result (a 1 MiB bytestring costs one copy, not a chain of buffer doublings).
 *
 * @module
 */
import { utf8Encoder } from './bytes.js';
import { sortEntries } from './encode-sort.js';
import { SyrupDict, SyrupRecord, SyrupSet, SyrupSymbol, type SyrupValue } from './types.js';

/** Deepest nesting {@link encode} accepts (also stops cyclic values). */
export const MAX_ENCODE_DEPTH = 1000;

const C_PLUS = 0x2b;
const C_MINUS = 0x2d;
const C_COLON = 0x3a;
const C_DQUOTE = 0x22;
const C_SQUOTE = 0x27;
const C_LIST = 0x5b;
const C_LIST_END = 0x5d;
const C_RECORD = 0x3c;
const C_RECORD_END = 0x3e;
const C_DICT = 0x7b;
const C_DICT_END = 0x7d;
const C_SET = 0x23;
const C_SET_END = 0x24;
const C_TRUE = 0x74;
const C_FALSE = 0x66;
const C_FLOAT64 = 0x44;

/** Size of the shared scratch buffer; it is dropped after a value that grew it past KEEP_SIZE. */
const INITIAL_SIZE = 8 * 1024;
const KEEP_SIZE = 1024 * 1024;
/**
 * Bytestrings at least this long, outside a canonical dictionary or set (whose bytes are
 * sorted in the scratch buffer), go straight into the result instead of the scratch buffer.
 */
const DIRECT_MIN = 4 * 1024;
/** Byte runs up to this long are copied by a loop; longer ones by `TypedArray#set`. */
const LOOP_COPY_MAX = 16;

/**
 * Encoded symbols (`5'fetch`) of short names, filled on first use, bounded: a Map of up to
 * SYMBOL_CACHE_MAX names, with a small direct-mapped table in front of it (a hit there is one
 * string comparison, cheaper than a Map lookup).
 */
const symbolCache = new Map<string, Uint8Array>();
const SYMBOL_CACHE_MAX = 4096;
const SYMBOL_CACHE_NAME_MAX = 64;
const RECENT_SLOTS = 256;
const recentNames: (string | undefined)[] = new Array<string | undefined>(RECENT_SLOTS).fill(undefined);
const recentBytes: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(RECENT_SLOTS).fill(undefined);

/** The slot of `name` in the direct-mapped table. */
function recentSlot(name: string): number {
  const n = name.length;
  return n === 0 ? 0 : (n * 7 + name.charCodeAt(n - 1) * 31 + name.charCodeAt(n >> 1)) & (RECENT_SLOTS - 1);
}

/**
 * Small bigints are read through a 64-bit typed array instead of `Number(v)` (a runtime call
 * in V8): `LOW32` is the index of the low 32 bits in `BIG_SCRATCH_U32` on this platform.
 */
const BIG_SCRATCH = new BigUint64Array(1);
const BIG_SCRATCH_U32 = new Uint32Array(BIG_SCRATCH.buffer);
const LOW32 = ((): number => {
  BIG_SCRATCH[0] = 1n;
  return BIG_SCRATCH_U32[0] === 1 ? 0 : 1;
})();

/** Number of decimal digits of the non-negative safe integer `n` (at least 1). */
function decimalDigits(n: number): number {
  let digits = 1;
  for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
  return digits;
}

type WellFormedString = string & { isWellFormed(): boolean };

/** A growable output buffer with the encoder's writing methods. */
class Writer {
  buf: Uint8Array;
  view: DataView;
  pos = 0;
  /** How many canonical dictionaries and sets enclose the value being written. */
  sorting = 0;
  /** Key/item bounds of the dictionaries and sets being written (a stack; see dict/set). */
  readonly bounds: number[] = [];
  /** Bytestrings written directly into the result: `directBytes[i]` goes at scratch offset `directAt[i]`. */
  readonly directAt: number[] = [];
  readonly directBytes: Uint8Array[] = [];
  directTotal = 0;

  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  /** Makes room for `n` more bytes (offsets already written stay where they are). */
  grow(n: number): void {
    const need = this.pos + n;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Forgets the previous value (and any bytestrings it referred to). */
  reset(): void {
    this.pos = 0;
    this.sorting = 0;
    // (setting an array's length is a runtime call: only when needed)
    if (this.bounds.length !== 0) this.bounds.length = 0;
    if (this.directAt.length !== 0) {
      this.directAt.length = 0;
      this.directBytes.length = 0;
    }
    this.directTotal = 0;
  }

  /** The value written so far, as a fresh exact-size array. */
  result(): Uint8Array {
    const buf = this.buf;
    const n = this.pos;
    if (this.directAt.length === 0) return buf.slice(0, n);
    const out = new Uint8Array(n + this.directTotal);
    let from = 0;
    let to = 0;
    for (let i = 0; i < this.directAt.length; i++) {
      const at = this.directAt[i];
      const bytes = this.directBytes[i];
      out.set(buf.subarray(from, at), to);
      to += at - from;
      out.set(bytes, to);
      to += bytes.length;
      from = at;
    }
    out.set(buf.subarray(from, n), to);
    return out;
  }

  /** Writes one byte. */
  byte(b: number): void {
    if (this.pos >= this.buf.length) this.grow(1);
    this.buf[this.pos++] = b;
  }

  /** Writes the non-negative safe integer `n` in decimal, then the byte `suffix`. */
  uintThen(n: number, suffix: number): void {
    if (this.pos + 17 > this.buf.length) this.grow(17);
    const buf = this.buf;
    let p = this.pos;
    if (n < 10) {
      buf[p] = 0x30 + n;
      buf[p + 1] = suffix;
      this.pos = p + 2;
      return;
    }
    p += n < 100 ? 2 : n < 1e3 ? 3 : n < 1e4 ? 4 : n < 1e5 ? 5 : n < 1e6 ? 6 : n < 1e7 ? 7 : n < 1e8 ? 8 : decimalDigits(n);
    buf[p] = suffix;
    this.pos = p + 1;
    if (n <= 0x7fffffff) {
      // int32 arithmetic: (m / 10) | 0 is the exact quotient
      let m = n | 0;
      while (m >= 10) {
        const q = (m / 10) | 0;
        buf[--p] = 0x30 + (m - q * 10);
        m = q;
      }
      buf[--p] = 0x30 + m;
      return;
    }
    while (n >= 10) {
      const q = Math.floor(n / 10);
      buf[--p] = 0x30 + (n - q * 10);
      n = q;
    }
    buf[--p] = 0x30 + n;
  }

  /** Copies `bytes` in. */
  raw(bytes: Uint8Array): void {
    const n = bytes.length;
    if (this.pos + n > this.buf.length) this.grow(n);
    const buf = this.buf;
    let p = this.pos;
    if (n <= LOOP_COPY_MAX) {
      for (let i = 0; i < n; i++) buf[p++] = bytes[i];
      this.pos = p;
    } else {
      buf.set(bytes, p);
      this.pos = p + n;
    }
  }

  /**
   * Writes a string or symbol: length, type byte, UTF-8. One pass for ASCII: the length is
   * then `s.length`, so the characters are copied as they are checked; at the first non-ASCII
   * one the writer rewinds and encodes the string as UTF-8.
   */
  text(s: string, type: number): void {
    const n = s.length;
    const start = this.pos;
    this.uintThen(n, type);
    if (this.pos + n > this.buf.length) this.grow(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.pos = start;
        this.utf8Text(s, type);
        return;
      }
      buf[p++] = c;
    }
    this.pos = p;
  }

  /** Writes a string or symbol holding non-ASCII characters. */
  utf8Text(s: string, type: number): void {
    if (!(s as WellFormedString).isWellFormed()) {
      throw new TypeError('Syrup cannot encode a string with a lone surrogate (not well-formed UTF-16)');
    }
    const bytes = utf8Encoder.encode(s);
    this.uintThen(bytes.length, type);
    this.raw(bytes);
  }

  symbol(name: string): void {
    const slot = recentSlot(name);
    let cached = recentNames[slot] === name ? recentBytes[slot] : undefined;
    if (cached === undefined) {
      cached = symbolCache.get(name);
      if (cached === undefined) {
        const start = this.pos;
        this.text(name, C_SQUOTE);
        if (name.length > SYMBOL_CACHE_NAME_MAX) return;
        cached = this.buf.slice(start, this.pos);
        if (symbolCache.size < SYMBOL_CACHE_MAX) symbolCache.set(name, cached);
        recentNames[slot] = name;
        recentBytes[slot] = cached;
        return;
      }
      recentNames[slot] = name;
      recentBytes[slot] = cached;
    }
    this.raw(cached);
  }

  float64(x: number): void {
    if (this.pos + 9 > this.buf.length) this.grow(9);
    const buf = this.buf;
    const p = this.pos;
    buf[p] = C_FLOAT64;
    if (x !== x) {
      // Canonical NaN 7ff8000000000000, whatever the payload of this NaN.
      buf[p + 1] = 0x7f;
      buf[p + 2] = 0xf8;
      for (let i = 3; i < 9; i++) buf[p + i] = 0;
    } else {
      this.view.setFloat64(p + 1, x, false);
    }
    this.pos = p + 9;
  }

  bigint(v: bigint): void {
    if (v >= 0n && v <= 0xffffffffn) {
      BIG_SCRATCH[0] = v;
      this.uintThen(BIG_SCRATCH_U32[LOW32], C_PLUS);
      return;
    }
    const small = Number(v);
    if (small >= 0 && small <= Number.MAX_SAFE_INTEGER) {
      this.uintThen(small, C_PLUS);
    } else if (small < 0 && small >= -Number.MAX_SAFE_INTEGER) {
      this.uintThen(-small, C_MINUS);
    } else {
      const digits = (v < 0n ? -v : v).toString();
      const n = digits.length;
      if (this.pos + n + 1 > this.buf.length) this.grow(n + 1);
      const buf = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) buf[p++] = digits.charCodeAt(i);
      buf[p++] = v < 0n ? C_MINUS : C_PLUS;
      this.pos = p;
    }
  }

  bytestring(v: Uint8Array): void {
    const n = v.length;
    this.uintThen(n, C_COLON);
    if (n >= DIRECT_MIN && this.sorting === 0) {
      this.directAt.push(this.pos);
      this.directBytes.push(v);
      this.directTotal += n;
    } else {
      this.raw(v);
    }
  }

  value(v: SyrupValue, depth: number): void {
    // An if-chain of `typeof v === '…'` tests: V8 compiles each to a type check, while a
    // `switch (typeof v)` builds the type name and compares strings.
    if (typeof v !== 'object') {
      if (typeof v === 'bigint') this.bigint(v);
      else if (typeof v === 'string') this.text(v, C_DQUOTE);
      else if (typeof v === 'boolean') this.byte(v ? C_TRUE : C_FALSE);
      else if (typeof v === 'number') this.float64(v);
      else throw new TypeError(`Syrup cannot encode a value of type ${typeof v}`);
      return;
    }
    if (v === null) throw new TypeError('Syrup cannot encode null (OCapN Null is the record <null>)');
    if (depth >= MAX_ENCODE_DEPTH) {
      throw new TypeError(`Syrup value nested deeper than ${MAX_ENCODE_DEPTH} levels (or cyclic)`);
    }
    if (v instanceof SyrupRecord) {
      this.byte(C_RECORD);
      const label = v.label;
      if (label instanceof SyrupSymbol) this.symbol(label.name);
      else this.value(label, depth + 1);
      const fields = v.fields;
      if (!Array.isArray(fields)) throw new TypeError('SyrupRecord fields must be an array');
      for (let i = 0; i < fields.length; i++) this.value(fields[i], depth + 1);
      this.byte(C_RECORD_END);
    } else if (v instanceof SyrupSymbol) {
      this.symbol(v.name);
    } else if (Array.isArray(v)) {
      this.byte(C_LIST);
      for (let i = 0; i < v.length; i++) this.value(v[i], depth + 1);
      this.byte(C_LIST_END);
    } else if (v instanceof Uint8Array) {
      this.bytestring(v);
    } else if (v instanceof SyrupDict) {
      this.dict(v, depth + 1);
    } else if (v instanceof SyrupSet) {
      this.set(v, depth + 1);
    } else {
      const what = Object.getPrototypeOf(v)?.constructor?.name ?? 'object';
      throw new TypeError(`Syrup cannot encode ${what === 'Object' ? 'a plain object (use SyrupDict)' : `a ${what}`}`);
    }
  }

  /**
   * Writes a canonical dictionary: every entry is written in the given order, then the
   * entries are put in order of their key bytes (ocapn-notes §1.2). Each entry's bounds (key
   * start, key end, value end) go on the `bounds` stack from `base` on.
   */
  dict(d: SyrupDict, depth: number): void {
    const entries = d.entries;
    if (!Array.isArray(entries)) throw new TypeError('SyrupDict entries must be an array');
    const order = d.order;
    if (order === 'js') {
      this.jsOrderedDict(entries, depth);
      return;
    }
    if (order !== 'canonical' && order !== undefined) throw new TypeError(`SyrupDict order must be 'canonical' or 'js', got ${String(order)}`);
    this.byte(C_DICT);
    const n = entries.length;
    const regionStart = this.pos;
    const bounds = this.bounds;
    const base = bounds.length;
    this.sorting++;
    for (let i = 0; i < n; i++) {
      const entry = entries[i];
      if (!Array.isArray(entry) || entry.length !== 2) {
        throw new TypeError(`SyrupDict entry ${i} must be a [key, value] pair`);
      }
      const ks = this.pos;
      this.value(entry[0], depth);
      const ke = this.pos;
      this.value(entry[1], depth);
      if (n > 1) bounds.push(ks, ke, this.pos);
    }
    this.sorting--;
    if (n > 1) {
      sortEntries(this.buf, regionStart, this.pos, bounds, base, 3, 'dictionary key');
      bounds.length = base;
    }
    this.byte(C_DICT_END);
  }

  /**
   * Writes a dictionary in JS string order of its keys (UTF-16 code units; Endo's struct
   * order, notes §15.1). Every key must be a string.
   */
  jsOrderedDict(entries: ReadonlyArray<readonly [SyrupValue, SyrupValue]>, depth: number): void {
    const n = entries.length;
    let sorted = true;
    for (let i = 0; i < n; i++) {
      const entry = entries[i];
      if (!Array.isArray(entry) || entry.length !== 2) {
        throw new TypeError(`SyrupDict entry ${i} must be a [key, value] pair`);
      }
      if (typeof entry[0] !== 'string') throw new TypeError(`SyrupDict with order 'js' needs string keys; entry ${i} has a ${typeof entry[0]} key`);
      if (i > 0 && !((entries[i - 1][0] as string) < entry[0])) sorted = false;
    }
    const list = sorted ? entries : [...entries].sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : (a[0] as string) > (b[0] as string) ? 1 : 0));
    this.byte(C_DICT);
    for (let i = 0; i < n; i++) {
      if (i > 0 && list[i - 1][0] === list[i][0]) throw new TypeError('Syrup: duplicate dictionary key');
      this.value(list[i][0], depth);
      this.value(list[i][1], depth);
    }
    this.byte(C_DICT_END);
  }

  /** Writes a set: like {@link dict}, items sorted by their bytes; bounds (start, end) per item. */
  set(s: SyrupSet, depth: number): void {
    const items = s.items;
    if (!Array.isArray(items)) throw new TypeError('SyrupSet items must be an array');
    this.byte(C_SET);
    const n = items.length;
    const regionStart = this.pos;
    const bounds = this.bounds;
    const base = bounds.length;
    this.sorting++;
    for (let i = 0; i < n; i++) {
      const start = this.pos;
      this.value(items[i], depth);
      if (n > 1) bounds.push(start, this.pos);
    }
    this.sorting--;
    if (n > 1) {
      sortEntries(this.buf, regionStart, this.pos, bounds, base, 2, 'set item');
      bounds.length = base;
    }
    this.byte(C_SET_END);
  }
}

let shared: Writer | undefined;
let sharedBusy = false;

/**
 * Encodes a value as canonical Syrup (ocapn-notes §1.2): dictionary entries and set items
 * sorted by their encoded bytes (except a {@link SyrupDict} whose `order` is `'js'`: its
 * entries are sorted by key as JS strings, Endo's struct order; notes §15.1), integers without leading zeros, every NaN as
 * `7ff8000000000000`, -0 kept, strings as UTF-8.
 *
 * @param value a {@link SyrupValue}: `boolean`, `bigint` (integers), `number` (always Float64
 *   `D`), `string`, `Uint8Array`, {@link SyrupSymbol}, arrays, {@link SyrupDict},
 *   {@link SyrupRecord}, {@link SyrupSet}.
 * @returns a fresh `Uint8Array` (not shared with later calls).
 * @throws TypeError for anything else (`undefined`, `null`, plain objects, other typed arrays,
 *   strings with lone surrogates), duplicate dictionary keys or set items, a non-string key in
 *   a dictionary of order `'js'`, or nesting deeper than
 *   {@link MAX_ENCODE_DEPTH}.
 */
export function encode(value: SyrupValue): Uint8Array {
  // A reentrant call (e.g. from a getter inside `value`) gets its own writer.
  const w = sharedBusy ? new Writer(256) : (shared ??= new Writer(INITIAL_SIZE));
  const owned = w === shared;
  if (owned) sharedBusy = true;
  w.reset();
  try {
    w.value(value, 0);
    const out = w.result();
    if (owned && w.directAt.length !== 0) {
      // A large result was just allocated. Starting the next call with a new scratch buffer
      // (allocated now, after the result) measurably keeps glibc's malloc from handing the
      // memory of freed results back to the OS at every GC and faulting it in again for the
      // next one: 1 MiB-bytestring messages went from ~250 page faults per encode to ~10
      // (bench/syrup.mjs on Node 20). It costs one 8 KiB allocation per such value.
      shared = new Writer(INITIAL_SIZE);
    }
    return out;
  } finally {
    w.reset();
    if (owned) {
      sharedBusy = false;
      if (w.buf.length > KEEP_SIZE) shared = undefined;
    }
  }
}
