/**
 * Ed25519 through `node:crypto` (OpenSSL): the backend under the `node` export condition
 * (see `ed25519-checks.ts` for the selection and for the verification rule both backends
 * share). The only file of src/crypto that imports a Node built-in; nothing imports it
 * directly, only through `#ed25519`.
 *
 * Keys enter OpenSSL as JWK (`{ kty: 'OKP', crv: 'Ed25519', d | x }`): on Node 20 with
 * OpenSSL 3.0 that costs about 90 µs for a private key, against about 630 µs through a
 * PKCS#8 DER wrapper, and about 15 µs for a public key (140 µs through SPKI DER).
 * @module
 */

import { createPrivateKey, createPublicKey, sign as nodeSign, timingSafeEqual, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { Buffer } from 'node:buffer';
import { strictPrecheck, type Ed25519Backend } from './ed25519-checks.js';

/**
 * A KeyObject made from `bytes`, remembered per byte array (a handshake signs with the seed
 * it just derived a public key from; handoff checks verify several signatures under one
 * peer key). The bytes are copied and compared on every hit, so changing an array's
 * contents in place can never select a stale key.
 */
interface CachedKey {
  readonly bytes: Uint8Array;
  readonly key: KeyObject;
}

const privateKeys = new WeakMap<Uint8Array, CachedKey>();
const publicKeys = new WeakMap<Uint8Array, CachedKey>();

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

function privateKeyObject(seed: Uint8Array): KeyObject {
  const hit = privateKeys.get(seed);
  if (hit !== undefined && timingSafeEqual(hit.bytes, seed)) return hit.key;
  // Node builds an Ed25519 private key from `d` alone and derives the public half itself;
  // `x` must be present as a string but is not read (test/crypto checks the derived key).
  const key = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: base64url(seed), x: '' }, format: 'jwk' });
  privateKeys.set(seed, { bytes: seed.slice(), key });
  return key;
}

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const hit = publicKeys.get(publicKey);
  if (hit !== undefined && equalBytes(hit.bytes, publicKey)) return hit.key;
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: base64url(publicKey) }, format: 'jwk' });
  publicKeys.set(publicKey, { bytes: publicKey.slice(), key });
  return key;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A plain Uint8Array copy of a Buffer (which may be a view into a shared pool). */
function plain(buffer: Uint8Array): Uint8Array {
  return new Uint8Array(buffer);
}

function getPublicKey(seed: Uint8Array): Uint8Array {
  const { x } = createPublicKey(privateKeyObject(seed)).export({ format: 'jwk' });
  return plain(Buffer.from(x!, 'base64url'));
}

function sign(message: Uint8Array, seed: Uint8Array): Uint8Array {
  return plain(nodeSign(null, message, privateKeyObject(seed)));
}

/** Checks 1–5 (shared), then OpenSSL's decode of `A` and its cofactorless comparison (6–7). */
function verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (strictPrecheck(signature, publicKey) !== undefined) return false;
  if (!(message instanceof Uint8Array)) return false;
  try {
    return nodeVerify(null, message, publicKeyObject(publicKey), signature);
  } catch {
    return false;
  }
}

/** The native Ed25519 backend. @internal */
export const ed25519: Ed25519Backend = Object.freeze({ name: 'node:crypto', getPublicKey, sign, verify });
