/**
 * WebSocket designators and the peer-authentication exchange that Goblins 0.18 runs before
 * CapTP (notes §10.5, §15; no spec text yet). Pure functions over bytes: no sockets here.
 *
 * ```
 * client → server   <init:peer-auth NONCE>                                  (NONCE: 32 random bytes)
 * server → client   <desc:sig-envelope <init:peer-auth NONCE> ['sig-val ['eddsa ['r R] ['s S]]]>
 * ```
 *
 * The server signs (Ed25519) the exact bytes of the client's frame with its **designator**
 * key; the client verifies with the key it decodes from the designator it dialled. Recorded
 * Goblins sessions confirm both halves (vectors/goblins/index.json, `peer_auth`).
 * @module
 */
import { sign, signatureFromSyrup, signatureToSyrup, verify } from '../../crypto/index.js';
import { bytesEqual, decode, encode, SyrupRecord, SyrupSymbol } from '../../syrup/index.js';
import type { SyrupValue } from '../../syrup/index.js';
import { base32Decode, base32Encode } from './base32.js';

/** Label of the client's first frame. */
export const PEER_AUTH_LABEL = 'init:peer-auth';
/** Label of the server's answer. */
export const SIG_ENVELOPE_LABEL = 'desc:sig-envelope';
/** Length of the client's nonce, in bytes (what Goblins 0.18 sends and we require). */
export const PEER_AUTH_NONCE_BYTES = 32;
/** Length of an Ed25519 designator key, in bytes. */
const KEY_BYTES = 32;
/** Handshake frames are tiny (54 and 176 bytes); refuse anything much larger before decoding. */
const MAX_HANDSHAKE_FRAME_BYTES = 1024;
/** Strict decoding limits for handshake frames. */
const HANDSHAKE_DECODE = Object.freeze({ maxDepth: 8, maxValueBytes: MAX_HANDSHAKE_FRAME_BYTES, allowSets: false });

/** A peer-authentication frame was malformed, or its signature does not verify. */
export class PeerAuthError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PeerAuthError';
  }
}

/**
 * The designator of an Ed25519 designator key: lowercase RFC 4648 base32 without padding
 * (52 characters for 32 bytes).
 * @throws TypeError if `publicKey` is not a Uint8Array; RangeError unless it is 32 bytes.
 */
export function designatorFromPublicKey(publicKey: Uint8Array): string {
  if (!(publicKey instanceof Uint8Array)) throw new TypeError('designatorFromPublicKey needs a Uint8Array');
  if (publicKey.length !== KEY_BYTES) {
    throw new RangeError(`a websocket designator key must be ${KEY_BYTES} bytes, got ${publicKey.length}`);
  }
  return base32Encode(publicKey);
}

/**
 * The Ed25519 key a designator names (the inverse of {@link designatorFromPublicKey}; upper
 * case is accepted).
 * @throws TypeError if `designator` is not a string; RangeError if it is not base32 of
 *   exactly 32 bytes.
 */
export function publicKeyFromDesignator(designator: string): Uint8Array {
  if (typeof designator !== 'string') throw new TypeError(`a websocket designator must be a string, got ${typeof designator}`);
  let key: Uint8Array;
  try {
    key = base32Decode(designator);
  } catch (err) {
    throw new RangeError(`websocket designator ${JSON.stringify(designator)} is not base32: ${(err as Error).message}`, { cause: err });
  }
  if (key.length !== KEY_BYTES) {
    throw new RangeError(`websocket designator ${JSON.stringify(designator)} must encode a ${KEY_BYTES}-byte key, got ${key.length} bytes`);
  }
  return key;
}

/**
 * Builds the client's first frame, `<14'init:peer-auth 32:NONCE>` (54 bytes).
 * @throws TypeError if `nonce` is not a Uint8Array; RangeError unless it is 32 bytes.
 */
export function encodePeerAuth(nonce: Uint8Array): Uint8Array {
  if (!(nonce instanceof Uint8Array)) throw new TypeError('encodePeerAuth needs a Uint8Array nonce');
  if (nonce.length !== PEER_AUTH_NONCE_BYTES) {
    throw new RangeError(`the peer-auth nonce must be ${PEER_AUTH_NONCE_BYTES} bytes, got ${nonce.length}`);
  }
  return encode(new SyrupRecord(new SyrupSymbol(PEER_AUTH_LABEL), [nonce]));
}

function decodeFrame(frame: Uint8Array, what: string): SyrupValue {
  if (!(frame instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array`);
  if (frame.length > MAX_HANDSHAKE_FRAME_BYTES) {
    throw new PeerAuthError(`${what} is ${frame.length} bytes, more than a handshake frame may be (${MAX_HANDSHAKE_FRAME_BYTES})`);
  }
  try {
    return decode(frame, HANDSHAKE_DECODE);
  } catch (err) {
    throw new PeerAuthError(`${what} is not one canonical Syrup value: ${(err as Error).message}`, { cause: err });
  }
}

/** Checks `<init:peer-auth 32-byte-nonce>` and returns the nonce. */
function checkPeerAuthRecord(value: SyrupValue, what: string): Uint8Array {
  if (!(value instanceof SyrupRecord) || value.labelName !== PEER_AUTH_LABEL) {
    throw new PeerAuthError(`${what} must be a <${PEER_AUTH_LABEL} nonce> record`);
  }
  const [nonce] = value.fields;
  if (value.fields.length !== 1 || !(nonce instanceof Uint8Array)) {
    throw new PeerAuthError(`${what}: <${PEER_AUTH_LABEL}> must hold exactly one bytestring`);
  }
  if (nonce.length !== PEER_AUTH_NONCE_BYTES) {
    throw new PeerAuthError(`${what}: the nonce must be ${PEER_AUTH_NONCE_BYTES} bytes, got ${nonce.length}`);
  }
  return nonce;
}

/**
 * Reads a client's first frame.
 * @returns the 32-byte nonce.
 * @throws PeerAuthError if `frame` is not exactly one canonical `<init:peer-auth 32-byte>`.
 */
export function parsePeerAuth(frame: Uint8Array): Uint8Array {
  return checkPeerAuthRecord(decodeFrame(frame, 'the peer-auth frame'), 'the peer-auth frame');
}

/**
 * The server's half: checks the client's first frame and builds the answer
 * `<desc:sig-envelope FRAME SIG>`, where FRAME is the received frame byte for byte and SIG
 * is the Ed25519 signature, by `privateKey`, over exactly those bytes.
 * @param frame - the client's first binary frame.
 * @param privateKey - the 32-byte Ed25519 seed of our designator key.
 * @returns the bytes of the answer frame.
 * @throws PeerAuthError if `frame` is not a valid peer-auth record; TypeError/RangeError
 *   for a bad key.
 */
export function answerPeerAuth(frame: Uint8Array, privateKey: Uint8Array): Uint8Array {
  const value = decodeFrame(frame, 'the peer-auth frame');
  checkPeerAuthRecord(value, 'the peer-auth frame');
  // A strict decoder accepts only canonical bytes, so re-encoding gives back `frame` itself
  // and the signature below covers the exact received bytes.
  if (!bytesEqual(encode(value), frame)) throw new PeerAuthError('the peer-auth frame is not canonical Syrup');
  const signature = sign(value, privateKey);
  return encode(new SyrupRecord(new SyrupSymbol(SIG_ENVELOPE_LABEL), [value, signatureToSyrup(signature)]));
}

/**
 * The client's half: checks that `answer` is `<desc:sig-envelope SENT SIG>`, that it
 * echoes `sent` byte for byte, and that SIG verifies over those bytes under `publicKey`
 * (the key decoded from the designator we dialled).
 * @param sent - the `<init:peer-auth …>` frame we sent.
 * @param answer - the server's first frame.
 * @param publicKey - the 32-byte designator key.
 * @throws PeerAuthError naming what is wrong.
 */
export function verifyPeerAuthAnswer(sent: Uint8Array, answer: Uint8Array, publicKey: Uint8Array): void {
  const value = decodeFrame(answer, 'the peer-auth answer');
  if (!(value instanceof SyrupRecord) || value.labelName !== SIG_ENVELOPE_LABEL || value.fields.length !== 2) {
    throw new PeerAuthError(`the peer-auth answer must be a <${SIG_ENVELOPE_LABEL} signed signature> record`);
  }
  const [signed, sigValue] = value.fields;
  checkPeerAuthRecord(signed, 'the signed value in the peer-auth answer');
  if (!bytesEqual(encode(signed), sent)) {
    throw new PeerAuthError('the peer-auth answer signs a different nonce than the one we sent');
  }
  let signature: Uint8Array;
  try {
    signature = signatureFromSyrup(sigValue);
  } catch (err) {
    throw new PeerAuthError(`the peer-auth answer holds a malformed signature: ${(err as Error).message}`, { cause: err });
  }
  if (!verify(signed, signature, publicKey)) {
    throw new PeerAuthError('the peer-auth signature does not verify with the key of the designator we dialled');
  }
}
