/**
 * RFC 4648 §6 base32 (alphabet `A–Z 2–7`) without padding, as used for WebSocket designators
 * (notes §10.5): we write lowercase and read either case. The codec is @scure/base's; this
 * module adds the case rules and the strict checks with readable errors.
 * @module
 */
import { base32nopad } from '@scure/base';

/** One character of unpadded base32, in either case. */
const BASE32_CHAR = /^[A-Za-z2-7]$/;

/**
 * Encodes bytes as lowercase RFC 4648 base32 without `=` padding (`foobar` → `mzxw6ytboi`).
 * @param bytes - any bytes (may be empty).
 * @returns `ceil(8 * bytes.length / 5)` characters from `a–z 2–7`.
 * @throws TypeError if `bytes` is not a Uint8Array.
 */
export function base32Encode(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`base32Encode needs a Uint8Array, got ${typeof bytes}`);
  return base32nopad.encode(bytes).toLowerCase();
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
export function base32Decode(text: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError(`base32Decode needs a string, got ${typeof text}`);
  const rest = text.length % 8;
  if (rest === 1 || rest === 3 || rest === 6) {
    throw new RangeError(`base32: impossible length ${text.length} (an unpadded base32 text never has ${rest} characters after its last 8-character group)`);
  }
  for (let i = 0; i < text.length; i++) {
    if (!BASE32_CHAR.test(text[i]!)) throw new RangeError(`base32: invalid character ${JSON.stringify(text[i])} at index ${i}`);
  }
  try {
    return base32nopad.decode(text.toUpperCase());
  } catch {
    // Length and alphabet were checked above: what is left is a non-canonical last character.
    throw new RangeError('base32: non-zero padding bits in the last character (not the canonical encoding)');
  }
}
