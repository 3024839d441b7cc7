/**
 * Byte helpers shared by the Syrup encoder and decoders.
 *
 * @module
 */

/**
 * Compares two byte strings as unsigned bytes, a proper prefix sorting first. This is the
 * order of canonical Syrup dictionary keys and set items (ocapn-notes §1.2).
 *
 * @returns a negative number if `a` sorts first, positive if `b` does, 0 if equal.
 */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return compareRanges(a, 0, a.length, b, 0, b.length);
}

/** True when `a` and `b` hold the same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** {@link compareBytes} over `a[aStart..aEnd)` and `b[bStart..bEnd)`. @internal */
export function compareRanges(
  a: Uint8Array,
  aStart: number,
  aEnd: number,
  b: Uint8Array,
  bStart: number,
  bEnd: number,
): number {
  const aLen = aEnd - aStart;
  const bLen = bEnd - bStart;
  const n = aLen < bLen ? aLen : bLen;
  for (let i = 0; i < n; i++) {
    const d = a[aStart + i] - b[bStart + i];
    if (d !== 0) return d;
  }
  return aLen - bLen;
}

/** Strict UTF-8 decoder: throws on malformed input; keeps a leading U+FEFF. @internal */
export const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** @internal */
export const utf8Encoder = new TextEncoder();

/**
 * Decodes `bytes[start..end)` as strict UTF-8, with a fast path for short ASCII runs.
 * @returns the string, or `undefined` if the bytes are not well-formed UTF-8. @internal
 */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string | undefined {
  if (end - start <= 24) {
    let s = '';
    let i = start;
    for (; i < end; i++) {
      const b = bytes[i];
      if (b >= 0x80) break;
      s += String.fromCharCode(b);
    }
    if (i === end) return s;
  }
  try {
    return utf8Decoder.decode(bytes.subarray(start, end));
  } catch {
    return undefined;
  }
}

/** ASCII codes of the two lowercase hex digits of each byte value (0x00 → `30 30`). */
const HEX_PAIRS: Uint16Array = (() => {
  const digits = utf8Encoder.encode('0123456789abcdef');
  const t = new Uint16Array(256);
  for (let b = 0; b < 256; b++) t[b] = (digits[b >> 4] << 8) | digits[b & 15];
  return t;
})();

/**
 * Lowercase hex of `bytes`: two characters per byte, so equal strings mean equal bytes (an
 * injective key for `Map`s of byte strings). The digits are written into one buffer and
 * decoded once, so the work and memory are linear in `bytes.length` (about 2 bytes of buffer
 * and 2 bytes of string per input byte); no string is built byte by byte. @internal
 */
export function toHex(bytes: Uint8Array): string {
  const out = new Uint8Array(bytes.length * 2);
  for (let i = 0, j = 0; i < bytes.length; i++, j += 2) {
    const pair = HEX_PAIRS[bytes[i]];
    out[j] = pair >> 8;
    out[j + 1] = pair & 0xff;
  }
  // All ASCII: the strict UTF-8 decoder gives one character per byte.
  return utf8Decoder.decode(out);
}
