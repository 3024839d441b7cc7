/**
 * WebSocket designators and the peer-authentication exchange that Goblins 0.18 runs before
 * CapTP (notes §10.5, §15; no spec text yet), plus an opt-in second half by which an
 * ocapn-ts dialler proves its own designator key (ocapn/ocapn issues #255, #278). Pure
 * functions over bytes: no sockets and no HTTP here.
 *
 * The server half (what Goblins 0.18 speaks, both roles):
 *
 * ```
 * client → server   <init:peer-auth NONCE>                                  (NONCE: 32 random bytes)
 * server → client   <desc:sig-envelope <init:peer-auth NONCE> ['sig-val ['eddsa ['r R] ['s S]]]>
 * ```
 *
 * The server signs (Ed25519) the exact bytes of the client's frame with its **designator**
 * key; the client verifies with the key it decodes from the designator it dialled. Recorded
 * Goblins sessions confirm both halves (vectors/goblins/index.json, `peer_auth`).
 *
 * **Mutual proof between ocapn-ts nodes** (v1), negotiated in the HTTP upgrade so that a
 * peer that does not know it (Goblins 0.18 in either role, a browser) never sees it:
 *
 * ```
 * upgrade request    x-ocapn-peer-auth: v1                    (the client asks)
 * upgrade response   x-ocapn-peer-auth-nonce: SNONCE          (the server offers: 32 fresh random
 *                                                              bytes, base64url without padding)
 * client → server   <init:peer-auth CNONCE>                  (as above)
 * server → client   <desc:sig-envelope …>                    (as above; the client verifies it)
 * client → server   <init:peer-auth-client CKEY SIG>         (only if the server offered SNONCE)
 * ```
 *
 * CKEY is the client's 32-byte designator key; SIG is its Ed25519 signature over the
 * canonical Syrup encoding of
 *
 * ```
 * <init:peer-auth-client SKEY SNONCE CNONCE CKEY>
 * ```
 *
 * where SKEY is the server's designator key (the one the client decoded from the designator
 * it dialled and just verified), SNONCE the server's nonce from the upgrade response, CNONCE
 * the nonce of the client's own `<init:peer-auth CNONCE>`. The label keeps the signature from
 * meaning anything else: the designator key signs nothing else with this label, and the
 * signed record (four bytestrings) can never be the frame (a bytestring and a signature).
 * SKEY keeps a malicious server from relaying the proof to another server (the client
 * signs the key of the server it dialled); SNONCE, fresh for each upgrade, keeps anyone
 * from replaying it to another connection of the same server; CNONCE binds it to the
 * server proof of this very connection. The server verifies with CKEY from the frame, then
 * the connection has proven the client's designator (base32 of CKEY).
 *
 * A server that offered SNONCE accepts nothing but that frame next: a client that asked
 * and then sends anything else, or nothing, is refused. A server that was not asked, or a
 * client to which nothing was offered, runs the exchange above and nothing more. Every
 * shape is declared once, as data, in {@link PEER_AUTH_SHAPES}.
 * @module
 */
import { sign, signatureFromSyrup, signatureToSyrup, verify } from '../../crypto/index.js';
import type { SessionKeyPair } from '../../crypto/index.js';
import { bytesEqual, decode, encode, SyrupRecord, SyrupSymbol } from '../../syrup/index.js';
import type { SyrupValue } from '../../syrup/index.js';
import { base32Decode, base32Encode } from './base32.js';

/** Label of the client's first frame. */
export const PEER_AUTH_LABEL = 'init:peer-auth';
/** Label of the server's answer. */
export const SIG_ENVELOPE_LABEL = 'desc:sig-envelope';
/** Label of the client's proof frame, and of the record it signs (mutual proof, v1). */
export const PEER_AUTH_CLIENT_LABEL = 'init:peer-auth-client';
/** Length of the client's nonce, in bytes (what Goblins 0.18 sends and we require). */
export const PEER_AUTH_NONCE_BYTES = 32;
/** Upgrade request header by which a client asks for mutual proof; its value lists versions. */
export const MUTUAL_AUTH_REQUEST_HEADER = 'x-ocapn-peer-auth';
/** The one version of mutual proof there is. */
export const MUTUAL_AUTH_VERSION = 'v1';
/** Upgrade response header by which a server offers mutual proof: its nonce, base64url without padding. */
export const MUTUAL_AUTH_NONCE_HEADER = 'x-ocapn-peer-auth-nonce';
/** Length of an Ed25519 designator key, in bytes. */
const KEY_BYTES = 32;
/** Handshake frames are tiny (54, 176 and 161 bytes); refuse anything much larger before decoding. */
const MAX_HANDSHAKE_FRAME_BYTES = 1024;
/** Strict decoding limits for handshake frames. */
const HANDSHAKE_DECODE = Object.freeze({ maxDepth: 8, maxValueBytes: MAX_HANDSHAKE_FRAME_BYTES, allowSets: false });

/** What a field of a handshake record holds: 32 bytes (a key or a nonce), or a signature form. */
type FieldKind = 'bytes32' | 'signature';
/** A handshake record: its label and its fields, in order. */
export interface PeerAuthShape {
  readonly label: string;
  readonly fields: readonly { readonly name: string; readonly kind: FieldKind }[];
}

/** Every record of the handshake that is not an envelope, declared once. */
export const PEER_AUTH_SHAPES = Object.freeze({
  /** `<init:peer-auth CNONCE>`: the client's first frame (and what the server signs). */
  peerAuth: { label: PEER_AUTH_LABEL, fields: [{ name: 'nonce', kind: 'bytes32' }] },
  /** `<init:peer-auth-client CKEY SIG>`: the client's proof frame. */
  clientProof: {
    label: PEER_AUTH_CLIENT_LABEL,
    fields: [
      { name: 'clientKey', kind: 'bytes32' },
      { name: 'signature', kind: 'signature' },
    ],
  },
  /** `<init:peer-auth-client SKEY SNONCE CNONCE CKEY>`: what SIG signs (never sent). */
  clientProofSigned: {
    label: PEER_AUTH_CLIENT_LABEL,
    fields: [
      { name: 'serverKey', kind: 'bytes32' },
      { name: 'serverNonce', kind: 'bytes32' },
      { name: 'clientNonce', kind: 'bytes32' },
      { name: 'clientKey', kind: 'bytes32' },
    ],
  },
} as const satisfies Record<string, PeerAuthShape>);

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
  return encode(buildRecord(PEER_AUTH_SHAPES.peerAuth, { nonce }));
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

/**
 * Builds `shape`'s record from its field values by name (a `signature` field from its 64
 * bytes).
 */
function buildRecord(shape: PeerAuthShape, values: Readonly<Record<string, Uint8Array>>): SyrupRecord {
  const fields = shape.fields.map(({ name, kind }) => (kind === 'signature' ? signatureToSyrup(values[name]) : values[name]));
  return new SyrupRecord(new SyrupSymbol(shape.label), fields);
}

/**
 * Checks that `value` is exactly `shape`'s record and returns its fields by name (a
 * `signature` field as its 64 bytes).
 * @throws PeerAuthError naming `what` and the field that is wrong.
 */
function readRecord(shape: PeerAuthShape, value: SyrupValue, what: string): Record<string, Uint8Array> {
  const form = `<${shape.label} ${shape.fields.map((f) => f.name).join(' ')}>`;
  if (!(value instanceof SyrupRecord) || value.labelName !== shape.label) throw new PeerAuthError(`${what} must be a ${form} record`);
  if (value.fields.length !== shape.fields.length) {
    throw new PeerAuthError(`${what}: ${form} must hold exactly ${shape.fields.length} field(s), got ${value.fields.length}`);
  }
  const out: Record<string, Uint8Array> = {};
  shape.fields.forEach(({ name, kind }, i) => {
    const field = value.fields[i];
    if (kind === 'signature') {
      try {
        out[name] = signatureFromSyrup(field);
      } catch (err) {
        throw new PeerAuthError(`${what}: ${name} is not a well-formed signature: ${(err as Error).message}`, { cause: err });
      }
      return;
    }
    if (!(field instanceof Uint8Array)) throw new PeerAuthError(`${what}: ${name} must be a bytestring`);
    if (field.length !== KEY_BYTES) throw new PeerAuthError(`${what}: the ${name} must be ${KEY_BYTES} bytes, got ${field.length}`);
    out[name] = field;
  });
  return out;
}

/** Checks `<init:peer-auth 32-byte-nonce>` and returns the nonce. */
function checkPeerAuthRecord(value: SyrupValue, what: string): Uint8Array {
  return readRecord(PEER_AUTH_SHAPES.peerAuth, value, what).nonce;
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

/** What a client's proof binds it to (mutual proof, v1; see the module notes). */
export interface ClientProofBinding {
  /** The server's 32-byte designator key (client: decoded from the designator dialled; server: its own). */
  readonly serverKey: Uint8Array;
  /** The server's 32-byte nonce, offered in the upgrade response. */
  readonly serverNonce: Uint8Array;
  /** The 32-byte nonce of the client's `<init:peer-auth …>` on this connection. */
  readonly clientNonce: Uint8Array;
}

function checkBytes32(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array`);
  if (value.length !== KEY_BYTES) throw new RangeError(`${what} must be ${KEY_BYTES} bytes, got ${value.length}`);
  return value;
}

function checkBinding(binding: ClientProofBinding, where: string): ClientProofBinding {
  if (typeof binding !== 'object' || binding === null) throw new TypeError(`${where} needs a {serverKey, serverNonce, clientNonce} binding`);
  return {
    serverKey: checkBytes32(binding.serverKey, `${where}: serverKey`),
    serverNonce: checkBytes32(binding.serverNonce, `${where}: serverNonce`),
    clientNonce: checkBytes32(binding.clientNonce, `${where}: clientNonce`),
  };
}

/**
 * The client's proof (mutual proof, v1): `<init:peer-auth-client CKEY SIG>`, SIG signing
 * `<init:peer-auth-client SKEY SNONCE CNONCE CKEY>` with `keyPair` (161 bytes). Send it
 * only after the server's answer has verified, and only if the server offered a nonce.
 * @param binding - the server's key and nonce and our nonce on this connection.
 * @param keyPair - our designator key pair (32-byte seed and its 32-byte public key).
 * @throws TypeError / RangeError for a binding field or key that is not 32 bytes.
 */
export function encodeClientProof(binding: ClientProofBinding, keyPair: SessionKeyPair): Uint8Array {
  const bound = checkBinding(binding, 'encodeClientProof');
  if (typeof keyPair !== 'object' || keyPair === null) throw new TypeError('encodeClientProof needs a {privateKey, publicKey} key pair');
  const clientKey = checkBytes32(keyPair.publicKey, 'encodeClientProof: keyPair.publicKey');
  const privateKey = checkBytes32(keyPair.privateKey, 'encodeClientProof: keyPair.privateKey');
  const signature = sign(buildRecord(PEER_AUTH_SHAPES.clientProofSigned, { ...bound, clientKey }), privateKey);
  return encode(buildRecord(PEER_AUTH_SHAPES.clientProof, { clientKey, signature }));
}

/**
 * The server's check of a client's proof (mutual proof, v1): `frame` must be exactly one
 * canonical `<init:peer-auth-client CKEY SIG>` whose SIG verifies, under CKEY, over
 * `<init:peer-auth-client SKEY SNONCE CNONCE CKEY>` built from `binding`.
 * @param frame - the client's second binary frame.
 * @param binding - our designator key, the nonce we offered, the client's peer-auth nonce.
 * @returns the client's 32-byte designator key (a copy); its designator is now proven.
 * @throws PeerAuthError naming what is wrong; TypeError / RangeError for a bad `binding`.
 */
export function verifyClientProof(frame: Uint8Array, binding: ClientProofBinding): Uint8Array {
  const bound = checkBinding(binding, 'verifyClientProof');
  const what = 'the peer-auth-client frame';
  const { clientKey, signature } = readRecord(PEER_AUTH_SHAPES.clientProof, decodeFrame(frame, what), what);
  if (!verify(buildRecord(PEER_AUTH_SHAPES.clientProofSigned, { ...bound, clientKey }), signature, clientKey)) {
    throw new PeerAuthError("the peer-auth-client signature does not verify over this connection's server key and nonces");
  }
  return clientKey.slice();
}
