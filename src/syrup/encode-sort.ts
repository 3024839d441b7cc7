/**
 * Canonical order for the encoder: puts the just-written entries of a dictionary, or items
 * of a set, in order of their key bytes (ocapn-notes §1.2).
 *
 * @module
 * @internal
 */
import { compareRanges } from './bytes.js';

/**
 * Sorts the entries written at `buf[regionStart..regionEnd)` in place. Entry `i` has its
 * bounds at `bounds[base + stride*i ...]`: for a dictionary (stride 3) key start, key end,
 * value end; for a set (stride 2) item start, item end. Entries are compared by their key
 * (the item, for a set) bytes, unsigned, a proper prefix first.
 *
 * @param what `'dictionary key'` or `'set item'`, for the error.
 * @throws TypeError if two keys (items) have the same bytes.
 * @internal
 */
export function sortEntries(
  buf: Uint8Array,
  regionStart: number,
  regionEnd: number,
  bounds: readonly number[],
  base: number,
  stride: number,
  what: string,
): void {
  const n = (bounds.length - base) / stride;
  let sorted = true;
  for (let i = 1; i < n; i++) {
    const a = base + (i - 1) * stride;
    const b = base + i * stride;
    const c = compareRanges(buf, bounds[a], bounds[a + 1], buf, bounds[b], bounds[b + 1]);
    if (c === 0) throw new TypeError(`Syrup: duplicate ${what}`);
    if (c > 0) sorted = false;
  }
  if (sorted) return;
  const copy = buf.slice(regionStart, regionEnd);
  const keyStart = (i: number): number => bounds[base + i * stride] - regionStart;
  const keyEnd = (i: number): number => bounds[base + i * stride + 1] - regionStart;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((x, y) => compareRanges(copy, keyStart(x), keyEnd(x), copy, keyStart(y), keyEnd(y)));
  let p = regionStart;
  for (let j = 0; j < n; j++) {
    const i = order[j];
    if (j > 0) {
      const h = order[j - 1];
      if (compareRanges(copy, keyStart(h), keyEnd(h), copy, keyStart(i), keyEnd(i)) === 0) {
        throw new TypeError(`Syrup: duplicate ${what}`);
      }
    }
    const start = keyStart(i);
    const end = bounds[base + i * stride + stride - 1] - regionStart;
    buf.set(copy.subarray(start, end), p);
    p += end - start;
  }
}
