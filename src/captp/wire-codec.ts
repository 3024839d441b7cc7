/**
 * The boundary between CapTP and the byte encoding of its messages. A session sees only
 * "encode a message" and "decode a message, within these limits"; the messages themselves are
 * values of the OCapN data model (records, lists, atoms: src/syrup/types.ts), which any
 * encoding of OCapN can carry. Syrup is the one encoding today; a second one (e.g. the
 * tag-byte encoding of ocapn/ocapn PR #284) is another {@link WireCodec} passed in
 * SessionOptions, with no change to CapTP.
 *
 * Signatures are not this interface's business: they are computed over the canonical Syrup
 * encoding of the signed record wherever the record travels (src/crypto/signing.ts).
 * @module
 */
import { decode, encode, type DecodeOptions } from '../syrup/index.js';
import type { SyrupValue } from '../syrup/types.js';

/** Bounds on one decoded message; exceeding any of them is an error (the session aborts). */
export interface WireDecodeLimits {
  /** Deepest nesting of containers. */
  readonly maxDepth: number;
  /** Most items in one list, record, dictionary or set. */
  readonly maxContainerLength: number;
  /** Longest string, symbol or byte array, in bytes. */
  readonly maxBytesLength: number;
}

/** One byte encoding of CapTP messages. */
export interface WireCodec {
  /** Its name, for messages. */
  readonly name: string;
  /** One message → its bytes. Throws for a value the encoding cannot carry. */
  encode(message: SyrupValue): Uint8Array;
  /**
   * One message's bytes (as framed by the netlayer) → the message. Throws an Error whose message
   * says what was wrong for malformed, non-canonical or over-limit input; never anything else.
   */
  decode(bytes: Uint8Array, limits: WireDecodeLimits): SyrupValue;
}

/**
 * Syrup (notes §1). Decoding refuses sets (not passable in CapTP) and accepts dictionary keys
 * in canonical order or in Endo's JS string order (notes §15.1), keeping which one arrived.
 */
export const SYRUP_WIRE_CODEC: WireCodec = Object.freeze({
  name: 'syrup',
  encode: (message: SyrupValue): Uint8Array => encode(message),
  decode: (bytes: Uint8Array, limits: WireDecodeLimits): SyrupValue => decode(bytes, decodeOptions(limits)),
});

/** Decode options per limits object (a session passes the same one for every message). */
const optionsFor = new WeakMap<WireDecodeLimits, DecodeOptions>();
function decodeOptions(limits: WireDecodeLimits): DecodeOptions {
  let options = optionsFor.get(limits);
  // Limits objects are frozen in practice; a mutable one is re-read if its values changed.
  if (options === undefined || options.maxDepth !== limits.maxDepth || options.maxContainerLength !== limits.maxContainerLength || options.maxBytesLength !== limits.maxBytesLength) {
    options = Object.freeze({
      maxDepth: limits.maxDepth,
      maxContainerLength: limits.maxContainerLength,
      maxBytesLength: limits.maxBytesLength,
      allowSets: false,
      dictOrder: 'canonical-or-js',
    });
    optionsFor.set(limits, options);
  }
  return options;
}
