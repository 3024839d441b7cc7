/**
 * The Syrup encoder as it was before the encode-speed round (commit 391c0aa,
 * src/syrup/encode.ts), kept unchanged apart from its imports as the oracle of
 * encode-differential.test.ts: the new encoder must write the same bytes, and throw where
 * this one throws. Test-only; do not optimise.
 */
import { SyrupDict, SyrupRecord, SyrupSet, SyrupSymbol, type SyrupValue } from '../../src/syrup/types.js';

const utf8Encoder = new TextEncoder();

function compareRanges(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): number {
  const aLen = aEnd - aStart;
  const bLen = bEnd - bStart;
  const n = aLen < bLen ? aLen : bLen;
  for (let i = 0; i < n; i++) {
    const d = a[aStart + i] - b[bStart + i];
    if (d !== 0) return d;
  }
  return aLen - bLen;
}
const MAX_ENCODE_DEPTH = 1000;

const C_PLUS = 0x2b;
const C_MINUS = 0x2d;
const C_COLON = 0x3a;
const C_DQUOTE = 0x22;
const C_SQUOTE = 0x27;

const INITIAL_SIZE = 8 * 1024;
const KEEP_SIZE = 1024 * 1024;

/** Encoded symbols (`5'fetch`) of short names, filled on first use, bounded. */
const symbolCache = new Map<string, Uint8Array>();
const SYMBOL_CACHE_MAX = 4096;
const SYMBOL_CACHE_NAME_MAX = 64;

type WellFormedString = string & { isWellFormed(): boolean };

/** A growable output buffer. */
class Writer {
  buf: Uint8Array;
  view: DataView;
  pos = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Writes a non-negative safe integer in decimal. */
  uint(n: number): void {
    this.ensure(16);
    const buf = this.buf;
    if (n < 10) {
      buf[this.pos++] = 0x30 + n;
      return;
    }
    let digits = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    while (n >= 10) {
      const q = Math.floor(n / 10);
      buf[--p] = 0x30 + (n - q * 10);
      n = q;
    }
    buf[--p] = 0x30 + n;
  }

  /** Writes the ASCII string `s` (caller guarantees every code unit < 0x80). */
  ascii(s: string): void {
    const n = s.length;
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /**
   * Writes a string or symbol: length, type byte, UTF-8. One pass for ASCII: the length is
   * then `s.length`, so the characters are copied as they are checked; at the first non-ASCII
   * one the writer rewinds and encodes the string as UTF-8.
   */
  text(s: string, type: number): void {
    const n = s.length;
    const start = this.pos;
    this.uint(n);
    this.ensure(n + 1);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = type;
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
    this.uint(bytes.length);
    this.ensure(bytes.length + 1);
    this.buf[this.pos++] = type;
    this.raw(bytes);
  }

  symbol(name: string): void {
    const cached = symbolCache.get(name);
    if (cached !== undefined) {
      this.raw(cached);
      return;
    }
    const start = this.pos;
    this.text(name, C_SQUOTE);
    if (name.length <= SYMBOL_CACHE_NAME_MAX && symbolCache.size < SYMBOL_CACHE_MAX) {
      symbolCache.set(name, this.buf.slice(start, this.pos));
    }
  }

  float64(x: number): void {
    this.ensure(9);
    const buf = this.buf;
    buf[this.pos] = 0x44;
    if (x !== x) {
      // Canonical NaN 7ff8000000000000, whatever the payload of this NaN.
      buf[this.pos + 1] = 0x7f;
      buf[this.pos + 2] = 0xf8;
      buf.fill(0, this.pos + 3, this.pos + 9);
    } else {
      this.view.setFloat64(this.pos + 1, x, false);
    }
    this.pos += 9;
  }

  bigint(v: bigint): void {
    const small = Number(v);
    if (small >= 0 && small <= Number.MAX_SAFE_INTEGER) {
      this.uint(small);
      this.ensure(1);
      this.buf[this.pos++] = C_PLUS;
      return;
    }
    if (small < 0 && small >= -Number.MAX_SAFE_INTEGER) {
      this.uint(-small);
      this.ensure(1);
      this.buf[this.pos++] = C_MINUS;
      return;
    }
    if (v < 0n) {
      this.ascii((-v).toString());
      this.ensure(1);
      this.buf[this.pos++] = C_MINUS;
    } else {
      this.ascii(v.toString());
      this.ensure(1);
      this.buf[this.pos++] = C_PLUS;
    }
  }

  value(v: SyrupValue, depth: number): void {
    switch (typeof v) {
      case 'boolean':
        this.ensure(1);
        this.buf[this.pos++] = v ? 0x74 : 0x66;
        return;
      case 'bigint':
        this.bigint(v);
        return;
      case 'number':
        this.float64(v);
        return;
      case 'string':
        this.text(v, C_DQUOTE);
        return;
      case 'object':
        break;
      default:
        throw new TypeError(`Syrup cannot encode a value of type ${typeof v}`);
    }
    if (v === null) throw new TypeError('Syrup cannot encode null (OCapN Null is the record <null>)');
    if (depth >= MAX_ENCODE_DEPTH) {
      throw new TypeError(`Syrup value nested deeper than ${MAX_ENCODE_DEPTH} levels (or cyclic)`);
    }
    if (v instanceof SyrupRecord) {
      this.ensure(1);
      this.buf[this.pos++] = 0x3c;
      const label = v.label;
      if (label instanceof SyrupSymbol) this.symbol(label.name);
      else this.value(label, depth + 1);
      const fields = v.fields;
      if (!Array.isArray(fields)) throw new TypeError('SyrupRecord fields must be an array');
      for (let i = 0; i < fields.length; i++) this.value(fields[i], depth + 1);
      this.ensure(1);
      this.buf[this.pos++] = 0x3e;
    } else if (v instanceof SyrupSymbol) {
      this.symbol(v.name);
    } else if (Array.isArray(v)) {
      this.ensure(1);
      this.buf[this.pos++] = 0x5b;
      for (let i = 0; i < v.length; i++) this.value(v[i], depth + 1);
      this.ensure(1);
      this.buf[this.pos++] = 0x5d;
    } else if (v instanceof Uint8Array) {
      this.uint(v.length);
      this.ensure(v.length + 1);
      this.buf[this.pos++] = C_COLON;
      this.raw(v);
    } else if (v instanceof SyrupDict) {
      this.dict(v, depth + 1);
    } else if (v instanceof SyrupSet) {
      this.set(v, depth + 1);
    } else {
      const what = Object.getPrototypeOf(v)?.constructor?.name ?? 'object';
      throw new TypeError(`Syrup cannot encode ${what === 'Object' ? 'a plain object (use SyrupDict)' : `a ${what}`}`);
    }
  }

  dict(d: SyrupDict, depth: number): void {
    const entries = d.entries;
    if (!Array.isArray(entries)) throw new TypeError('SyrupDict entries must be an array');
    const order = d.order;
    if (order === 'js') {
      this.jsOrderedDict(entries, depth);
      return;
    }
    if (order !== 'canonical' && order !== undefined) throw new TypeError(`SyrupDict order must be 'canonical' or 'js', got ${String(order)}`);
    this.ensure(1);
    this.buf[this.pos++] = 0x7b;
    const n = entries.length;
    const regionStart = this.pos;
    // bounds[3i] = key start, bounds[3i+1] = key end (value start), bounds[3i+2] = value end
    const bounds = n > 1 ? new Array<number>(3 * n) : undefined;
    for (let i = 0; i < n; i++) {
      const entry = entries[i];
      if (!Array.isArray(entry) || entry.length !== 2) {
        throw new TypeError(`SyrupDict entry ${i} must be a [key, value] pair`);
      }
      const ks = this.pos;
      this.value(entry[0], depth);
      const ke = this.pos;
      this.value(entry[1], depth);
      if (bounds !== undefined) {
        bounds[3 * i] = ks;
        bounds[3 * i + 1] = ke;
        bounds[3 * i + 2] = this.pos;
      }
    }
    if (bounds !== undefined) this.sortRegion(regionStart, bounds, 3, 'dictionary key');
    this.ensure(1);
    this.buf[this.pos++] = 0x7d;
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
    this.ensure(1);
    this.buf[this.pos++] = 0x7b;
    for (let i = 0; i < n; i++) {
      if (i > 0 && list[i - 1][0] === list[i][0]) throw new TypeError('Syrup: duplicate dictionary key');
      this.value(list[i][0], depth);
      this.value(list[i][1], depth);
    }
    this.ensure(1);
    this.buf[this.pos++] = 0x7d;
  }

  set(s: SyrupSet, depth: number): void {
    const items = s.items;
    if (!Array.isArray(items)) throw new TypeError('SyrupSet items must be an array');
    this.ensure(1);
    this.buf[this.pos++] = 0x23;
    const n = items.length;
    const regionStart = this.pos;
    const bounds = n > 1 ? new Array<number>(2 * n) : undefined;
    for (let i = 0; i < n; i++) {
      const start = this.pos;
      this.value(items[i], depth);
      if (bounds !== undefined) {
        bounds[2 * i] = start;
        bounds[2 * i + 1] = this.pos;
      }
    }
    if (bounds !== undefined) this.sortRegion(regionStart, bounds, 2, 'set item');
    this.ensure(1);
    this.buf[this.pos++] = 0x24;
  }

  /**
   * Puts the just-written entries of a dictionary (stride 3) or set (stride 2) into canonical
   * order: by the bytes of the key/item, which is `[bounds[s*i], bounds[s*i+1])`.
   */
  sortRegion(regionStart: number, bounds: number[], stride: number, what: string): void {
    const n = bounds.length / stride;
    const buf = this.buf;
    let sorted = true;
    for (let i = 1; i < n; i++) {
      const a = (i - 1) * stride;
      const b = i * stride;
      const c = compareRanges(buf, bounds[a], bounds[a + 1], buf, bounds[b], bounds[b + 1]);
      if (c === 0) throw new TypeError(`Syrup: duplicate ${what}`);
      if (c > 0) sorted = false;
    }
    if (sorted) return;
    const regionEnd = this.pos;
    const copy = buf.slice(regionStart, regionEnd);
    const order = Array.from({ length: n }, (_, i) => i);
    const k0 = (i: number): number => bounds[i * stride] - regionStart;
    const k1 = (i: number): number => bounds[i * stride + 1] - regionStart;
    order.sort((x, y) => compareRanges(copy, k0(x), k1(x), copy, k0(y), k1(y)));
    let p = regionStart;
    for (let j = 0; j < n; j++) {
      const i = order[j];
      if (j > 0 && compareRanges(copy, k0(order[j - 1]), k1(order[j - 1]), copy, k0(i), k1(i)) === 0) {
        throw new TypeError(`Syrup: duplicate ${what}`);
      }
      const start = k0(i);
      const end = bounds[i * stride + stride - 1] - regionStart;
      buf.set(copy.subarray(start, end), p);
      p += end - start;
    }
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
export function oracleEncode(value: SyrupValue): Uint8Array {
  // A reentrant call (e.g. from a getter inside `value`) gets its own writer.
  const w = sharedBusy ? new Writer(256) : (shared ??= new Writer(INITIAL_SIZE));
  const owned = w === shared;
  if (owned) sharedBusy = true;
  w.pos = 0;
  try {
    w.value(value, 0);
    const n = w.pos;
    const out = new Uint8Array(n);
    const buf = w.buf;
    if (n <= 256) for (let i = 0; i < n; i++) out[i] = buf[i];
    else out.set(buf.subarray(0, n));
    return out;
  } finally {
    if (owned) {
      sharedBusy = false;
      if (w.buf.length > KEEP_SIZE) shared = undefined;
    }
  }
}
