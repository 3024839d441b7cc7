/**
 * Caches that let the decoder return short strings and symbols it has seen before without
 * building them again. Keyed by the UTF-8 bytes, so a hit costs a hash and a compare and
 * allocates nothing. Safe to share: strings are primitives and SyrupSymbols are frozen.
 *
 * @module
 * @internal
 */
import { decodeUtf8 } from './bytes.js';
import { SyrupSymbol } from './types.js';

/** Longest string or symbol (in bytes) that is cached. */
export const INTERN_MAX = 32;
const SLOTS = 1024;

class InternTable<T> {
  readonly keys: (Uint8Array | undefined)[] = new Array(SLOTS).fill(undefined);
  readonly values: (T | undefined)[] = new Array(SLOTS).fill(undefined);

  /** The cached value for `bytes[start..end)`, decoding and caching it on a miss; undefined if not UTF-8. */
  get(bytes: Uint8Array, start: number, end: number, make: (s: string) => T): T | undefined {
    let h = 0x811c9dc5 ^ (end - start);
    for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
    const slot = (h ^ (h >>> 15)) & (SLOTS - 1);
    const k = this.keys[slot];
    if (k !== undefined && k.length === end - start) {
      let i = 0;
      const n = k.length;
      while (i < n && k[i] === bytes[start + i]) i++;
      if (i === n) return this.values[slot];
    }
    const s = decodeUtf8(bytes, start, end);
    if (s === undefined) return undefined;
    const v = make(s);
    this.keys[slot] = bytes.slice(start, end);
    this.values[slot] = v;
    return v;
  }
}

const identity = (s: string): string => s;
const makeSymbol = (s: string): SyrupSymbol => new SyrupSymbol(s);
const strings = new InternTable<string>();
const symbols = new InternTable<SyrupSymbol>();

/** Short string `bytes[start..end)` (at most {@link INTERN_MAX} bytes), or undefined if not UTF-8. */
export function internString(bytes: Uint8Array, start: number, end: number): string | undefined {
  return strings.get(bytes, start, end, identity);
}

/** Short symbol `bytes[start..end)` (at most {@link INTERN_MAX} bytes), or undefined if not UTF-8. */
export function internSymbol(bytes: Uint8Array, start: number, end: number): SyrupSymbol | undefined {
  return symbols.get(bytes, start, end, makeSymbol);
}
