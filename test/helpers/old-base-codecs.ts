/**
 * The hand-written base32 and base64url codecs that @scure/base replaced (ocapn-ts's own code
 * before issue 11), kept as oracles for the differential tests: the new codecs must accept,
 * refuse and produce exactly what these did.
 */

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** Character code → 5-bit value, or -1. Upper and lower case letters both map. */
const VALUES: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) {
    table[ALPHABET.charCodeAt(i)] = i;
    table[ALPHABET.toUpperCase().charCodeAt(i)] = i;
  }
  return table;
})();

/**
 * Encodes bytes as lowercase RFC 4648 base32 without `=` padding (`foobar` → `mzxw6ytboi`).
 * @param bytes - any bytes (may be empty).
 * @returns `ceil(8 * bytes.length / 5)` characters from `a–z 2–7`.
 * @throws TypeError if `bytes` is not a Uint8Array.
 */
export function oldBase32Encode(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`base32Encode needs a Uint8Array, got ${typeof bytes}`);
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xfff; // at most 4 + 8 bits are ever pending
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >>> bits) & 31];
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * Decodes unpadded RFC 4648 base32, in upper or lower case (mixed case too). Strict: every
 * input has exactly one accepted spelling per case, so two designators that decode to the
 * same key differ only in letter case.
 * @param text - the base32 text, without `=` padding.
 * @returns the decoded bytes.
 * @throws TypeError if `text` is not a string; RangeError if it holds a character outside
 *   the alphabet (including `=`, spaces and `0 1 8 9`), has an impossible length
 *   (1, 3 or 6 characters left over after whole 8-character groups), or leaves non-zero
 *   bits in its last character.
 */
export function oldBase32Decode(text: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError(`base32Decode needs a string, got ${typeof text}`);
  const rest = text.length % 8;
  if (rest === 1 || rest === 3 || rest === 6) {
    throw new RangeError(`base32: impossible length ${text.length} (an unpadded base32 text never has ${rest} characters after its last 8-character group)`);
  }
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? VALUES[code] : -1;
    if (value === -1) throw new RangeError(`base32: invalid character ${JSON.stringify(text[i])} at index ${i}`);
    buffer = ((buffer << 5) | value) & 0xfff; // at most 7 + 5 bits are ever pending
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (buffer >>> bits) & 0xff;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) {
    throw new RangeError('base32: non-zero padding bits in the last character (not the canonical encoding)');
  }
  return out;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const quote = (s: string): string => JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);

/** Strict base64url decoding: URL-safe alphabet, no padding, zero trailing bits. */
export function oldBase64urlDecode(text: string): Uint8Array {
  if (text.includes('=')) {
    throw new Error('swiss segment is not valid base64url: padding "=" is not allowed (use swissEncoding "raw" for raw bytes)');
  }
  if (text.length % 4 === 1) {
    throw new Error(`swiss segment is not valid base64url: length ${text.length} is impossible (length mod 4 = 1)`);
  }
  const out = new Uint8Array(Math.floor((text.length * 6) / 8));
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (const ch of text) {
    const v = BASE64URL.indexOf(ch);
    if (v === -1) {
      throw new Error(`swiss segment is not valid base64url: unexpected character ${quote(ch)} (use swissEncoding "raw" for raw bytes)`);
    }
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
    acc &= (1 << bits) - 1;
  }
  if (acc !== 0) throw new Error('swiss segment is not canonical base64url: unused trailing bits are not zero');
  return out;
}

export function oldBase64urlEncode(bytes: Uint8Array): string {
  let s = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      s += BASE64URL[(acc >> bits) & 63];
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) s += BASE64URL[(acc << (6 - bits)) & 63];
  return s;
}
