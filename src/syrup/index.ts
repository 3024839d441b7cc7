/**
 * Canonical Syrup codec (ocapn-notes §1): the byte layer of OCapN. See docs/syrup.md.
 *
 * @module
 */
export * from './types.js';
export { SyrupError, DEFAULT_DECODE_OPTIONS, type DecodeOptions } from './errors.js';
export { encode, MAX_ENCODE_DEPTH } from './encode.js';
export { decode } from './decode.js';
export { scanValue } from './scan.js';
export { SyrupStreamReader } from './stream.js';
export { compareBytes, bytesEqual } from './bytes.js';
export { toNotation } from './notation.js';
