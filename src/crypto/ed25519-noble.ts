/**
 * Ed25519 in pure JavaScript with `@noble/curves`: the backend for browsers and every
 * runtime without the `node` export condition (see `ed25519-checks.ts` for the selection and
 * for the verification rule both backends share).
 * @module
 */

import { ed25519 as noble } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, concatBytes, equalBytes } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { strictPrecheck, type Ed25519Backend } from './ed25519-checks.js';

const { Point } = noble;

function getPublicKey(seed: Uint8Array): Uint8Array {
  return Uint8Array.from(noble.getPublicKey(seed));
}

function sign(message: Uint8Array, seed: Uint8Array): Uint8Array {
  return Uint8Array.from(noble.sign(message, seed));
}

/**
 * Checks 1–5 (shared), then 6–7: decode `A` strictly and compare `encode([S]B − [k]A)`
 * with `R` byte for byte. Not noble's own `verify`, whose cofactored equation would also
 * accept an `R` with a small-order component that OpenSSL rejects.
 */
function verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (strictPrecheck(signature, publicKey) !== undefined) return false;
  if (!(message instanceof Uint8Array)) return false;
  try {
    const r = signature.subarray(0, 32);
    const a = Point.fromBytes(publicKey, false); // throws if A is not on the curve
    const k = Point.Fn.create(bytesToNumberLE(sha512(concatBytes(r, publicKey, message))));
    const s = bytesToNumberLE(signature.subarray(32)); // < L: checked above
    const expectedR = Point.BASE.multiplyUnsafe(s).subtract(a.multiplyUnsafe(k));
    return equalBytes(expectedR.toBytes(), r);
  } catch {
    return false;
  }
}

/** The pure-JS Ed25519 backend. @internal */
export const ed25519: Ed25519Backend = Object.freeze({ name: 'noble', getPublicKey, sign, verify });
