/**
 * Reading the readable notation of the interop vectors (`shared/vectors/README.md`,
 * "Readable notation"; written by {@link toNotation}) back into Syrup values, so a person can
 * type a value (the `ocapn call` arguments) in the same notation the tools print.
 *
 * | Notation | Syrup value |
 * |---|---|
 * | `t` `f` | boolean |
 * | `42` `-7` | integer (`bigint`) |
 * | `1.5` `-0.0` `1e+16` `+inf` `-inf` `nan` (`nan:<16 hex digits>`) | Float64 (`number`) |
 * | `"text"` (JSON escapes) | string |
 * | `'name` or `'"any name"` | {@link SyrupSymbol} |
 * | `b"abc"` (printable ASCII, `\"` `\\` escaped) or `:616263` | bytestring (`Uint8Array`) |
 * | `[a b]` | list |
 * | `{k: v, k2: v2}` | {@link SyrupDict} |
 * | `#{a b}` | {@link SyrupSet} |
 * | `<label f1 f2>` (label bare when a simple symbol, else any value) | {@link SyrupRecord} |
 *
 * Items are separated by whitespace; dictionary entries by `,`. For every Syrup value `v`,
 * `parseNotation(toNotation(v))` is `v` again (NaN payloads aside).
 * @module
 */
import { MAX_ENCODE_DEPTH } from './encode.js';
import { SyrupDict, SyrupRecord, SyrupSet, SyrupSymbol, type SyrupValue } from './types.js';

/** Characters of a symbol written without quotes (`'name`, or a bare record label). */
const SYMBOL_CHAR = /[A-Za-z0-9_:.!?*+/=-]/;
const INTEGER = /^-?\d+$/;
const FLOAT = /^-?\d+(?:\.\d+(?:[eE][+-]?\d+)?|[eE][+-]?\d+)$/;
const NAN_BITS = /^nan:[0-9a-f]{16}$/;

/**
 * What a bare word (a run of symbol characters) reads as outside a record label, or
 * `undefined` when it is not a value. {@link toNotation} writes a record label bare only
 * when this gives `undefined` for it, so labels read back unambiguously.
 */
export function bareAtom(word: string): boolean | bigint | number | undefined {
  if (word === 't') return true;
  if (word === 'f') return false;
  if (word === 'nan' || NAN_BITS.test(word)) return NaN;
  if (word === '+inf') return Infinity;
  if (word === '-inf') return -Infinity;
  if (INTEGER.test(word)) return BigInt(word);
  if (FLOAT.test(word)) return Number(word);
  return undefined;
}

class Reader {
  pos = 0;
  constructor(readonly text: string) {}

  fail(what: string, at = this.pos): never {
    const near = this.text.slice(at, at + 12);
    throw new TypeError(`notation: ${what} at offset ${at}${near ? ` (near ${JSON.stringify(near)})` : ' (end of input)'}`);
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  /**
   * A run of symbol characters starting here (possibly empty). In a dictionary key (`key`),
   * a final `:` is the key's separator (`{'a: 1}`, `{1: 2}`, `{'a:: 1}` for the Symbol `a:`).
   */
  word(key = false): string {
    const start = this.pos;
    while (this.pos < this.text.length && SYMBOL_CHAR.test(this.text[this.pos]!)) this.pos++;
    if (key && this.pos > start && this.text[this.pos - 1] === ':') this.pos--;
    return this.text.slice(start, this.pos);
  }

  /** A JSON string starting at the `"` here. */
  jsonString(): string {
    const start = this.pos;
    let i = start + 1;
    for (; i < this.text.length && this.text[i] !== '"'; i++) if (this.text[i] === '\\') i++;
    if (i >= this.text.length) this.fail('unterminated string', start);
    this.pos = i + 1;
    try {
      return JSON.parse(this.text.slice(start, this.pos)) as string;
    } catch (e) {
      return this.fail(`bad string (${(e as Error).message})`, start);
    }
  }

  bytesQuoted(): Uint8Array {
    const start = this.pos;
    this.pos += 2; // b"
    const out: number[] = [];
    for (;;) {
      if (this.pos >= this.text.length) this.fail('unterminated b"…" bytes', start);
      let c = this.text.charCodeAt(this.pos++);
      if (c === 0x22) break;
      if (c === 0x5c) {
        if (this.pos >= this.text.length) this.fail('unterminated b"…" bytes', start);
        c = this.text.charCodeAt(this.pos++);
      }
      if (c < 0x20 || c > 0x7e) this.fail('b"…" holds printable ASCII only; write other bytes as :hex', this.pos - 1);
      out.push(c);
    }
    return new Uint8Array(out);
  }

  bytesHex(key: boolean): Uint8Array {
    const start = this.pos++;
    const digits = this.word(key);
    if (digits.length === 0 || digits.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(digits)) {
      this.fail('bytes :hex need an even number (at least 2) of hex digits; empty bytes are b""', start);
    }
    const out = new Uint8Array(digits.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
    return out;
  }

  symbol(key: boolean): SyrupSymbol {
    const start = this.pos++; // '
    if (this.text[this.pos] === '"') return new SyrupSymbol(this.jsonString());
    const name = this.word(key);
    if (name === '') this.fail(`a Symbol is 'name or '"any name"`, start);
    if (this.text[this.pos] === "'") this.fail(`a Symbol is written 'name, with no closing quote`, this.pos);
    return new SyrupSymbol(name);
  }

  /** Values up to `close`, separated by whitespace. */
  items(close: string, depth: number): SyrupValue[] {
    const out: SyrupValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.text.length) this.fail(`missing "${close}"`);
      if (this.text[this.pos] === close) {
        this.pos++;
        return out;
      }
      if (this.text[this.pos] === ',') this.fail('items are separated by spaces, not commas');
      out.push(this.value(depth));
    }
  }

  dict(depth: number): SyrupDict {
    this.pos++; // {
    const entries: [SyrupValue, SyrupValue][] = [];
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return new SyrupDict(entries);
    }
    for (;;) {
      const key = this.value(depth, true);
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.fail('expected ": " after a dictionary key');
      this.pos++;
      const value = this.value(depth);
      entries.push([key, value]);
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === '}') return new SyrupDict(entries);
      if (c !== ',') this.fail('expected "," or "}" after a dictionary entry', this.pos - 1);
    }
  }

  record(depth: number): SyrupRecord {
    this.pos++; // <
    this.skipSpace();
    let label: SyrupValue;
    const start = this.pos;
    const c = this.text[this.pos];
    const bare = c === ':' || (c === 'b' && this.text[this.pos + 1] === '"') ? '' : this.word();
    if (bare !== '' && bareAtom(bare) === undefined) {
      label = new SyrupSymbol(bare);
    } else {
      this.pos = start;
      if (this.text[this.pos] === '>') this.fail('a record needs a label');
      label = this.value(depth);
    }
    return new SyrupRecord(label, this.items('>', depth));
  }

  /** One value, after optional whitespace (`key`: a dictionary key, followed by `:`). */
  value(depth: number, key = false): SyrupValue {
    if (depth >= MAX_ENCODE_DEPTH) throw new RangeError(`notation: nested deeper than ${MAX_ENCODE_DEPTH} levels`);
    this.skipSpace();
    const c = this.text[this.pos];
    const d = depth + 1;
    switch (c) {
      case undefined:
        return this.fail('expected a value');
      case '"':
        return this.jsonString();
      case "'":
        return this.symbol(key);
      case ':':
        return this.bytesHex(key);
      case '[':
        this.pos++;
        return this.items(']', d);
      case '{':
        return this.dict(d);
      case '<':
        return this.record(d);
      case '#':
        if (this.text[this.pos + 1] !== '{') this.fail('a set is written #{a b}');
        this.pos++;
        this.pos++;
        return new SyrupSet(this.items('}', d));
    }
    if (c === 'b' && this.text[this.pos + 1] === '"') return this.bytesQuoted();
    const start = this.pos;
    const word = this.word(key);
    if (word === '') this.fail('expected a value');
    const atom = bareAtom(word);
    if (atom === undefined) {
      this.fail(`"${word}" is not a value: write '${word} for a Symbol or "${word}" for a String`, start);
    }
    return atom;
  }
}

/**
 * Reads one value written in the readable notation (see the module comment), surrounded by
 * optional whitespace.
 * @param text the notation, e.g. `[42 "text" 'sym {"k": -0.0} b"abc"]`.
 * @throws TypeError saying where the text is not valid notation; RangeError for nesting
 *   deeper than the encoder's limit.
 */
export function parseNotation(text: string): SyrupValue {
  if (typeof text !== 'string') throw new TypeError(`parseNotation takes a string, got ${typeof text}`);
  const r = new Reader(text);
  const v = r.value(0);
  r.skipSpace();
  if (r.pos !== text.length) r.fail('unexpected text after the value');
  return v;
}
