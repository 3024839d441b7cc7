/**
 * Session key pairs, Ed25519 signing over canonical Syrup, and random bytes
 * (CapTP spec §Cryptography; notes §4, §5.2, §9).
 *
 * Ed25519 here is plain RFC 8032 Ed25519 (SHA-512 inside), not Ed25519ph. Verification is
 * strict RFC 8032 (no ZIP-215 relaxations): non-canonical point or scalar encodings and
 * small-order public keys fail; the exact rule is in `ed25519-checks.ts`.
 *
 * The curve work is done by the backend that the package.json `imports` entry `#ed25519`
 * selects: native `node:crypto` under the `node` condition, `@noble/curves` elsewhere
 * (browsers). Both give identical results; only their speed differs.
 * @module
 */

import { ed25519 } from '#ed25519';
import { encode } from '../syrup/index.js';
import type { SyrupValue } from '../syrup/types.js';
import { requireBytes } from './errors.js';
import { strictPrecheck } from './ed25519-checks.js';

/**
 * An Ed25519 session key pair. OCapN generates a fresh one for every session and never
 * reuses it across sessions (notes §4).
 */
export interface SessionKeyPair {
  /** The 32-byte Ed25519 secret seed (RFC 8032 "private key"). Keep it secret. */
  readonly privateKey: Uint8Array;
  /** The 32-byte Ed25519 public key (the `q` of the public-key form). */
  readonly publicKey: Uint8Array;
}

/** Largest request `crypto.getRandomValues` accepts in one call (Web Crypto limit). */
const RANDOM_CHUNK = 65536;

/**
 * Returns `n` cryptographically secure random bytes (Web Crypto `getRandomValues`).
 * Used for gift IDs (32 bytes), swiss numbers and nonces.
 * @param n - how many bytes; a non-negative safe integer.
 * @throws RangeError if `n` is not a non-negative safe integer.
 */
export function randomBytes(n: number): Uint8Array {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`randomBytes: n must be a non-negative safe integer, got ${String(n)}`);
  }
  const out = new Uint8Array(n);
  for (let offset = 0; offset < n; offset += RANDOM_CHUNK) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(n, offset + RANDOM_CHUNK)));
  }
  return out;
}

/**
 * Generates a fresh random Ed25519 key pair, for one session.
 * @returns a frozen {@link SessionKeyPair} (32-byte seed, 32-byte public key).
 */
export function generateKeyPair(): SessionKeyPair {
  return keyPairFromSeed(randomBytes(32));
}

/**
 * Derives the Ed25519 key pair for a given 32-byte seed (RFC 8032 secret key).
 * Deterministic; meant for test vectors and for restoring a stored key.
 * @param seed - the 32-byte secret seed; it is copied.
 * @throws TypeError if `seed` is not a Uint8Array; RangeError unless it is exactly 32 bytes.
 */
export function keyPairFromSeed(seed: Uint8Array): SessionKeyPair {
  requireBytes(seed, 32, 'Ed25519 seed');
  const privateKey = seed.slice();
  const publicKey = ed25519.getPublicKey(privateKey);
  return Object.freeze({ privateKey, publicKey });
}

/**
 * Signs the canonical Syrup encoding of `value` with Ed25519.
 *
 * OCapN signs records such as `<my-location LOCATOR>`, `<desc:handoff-give …>` and
 * `<desc:handoff-receive …>` (notes §4); build the record and pass it here.
 * @param value - the value to sign; it is encoded with the canonical Syrup encoder.
 * @param privateKey - the 32-byte Ed25519 seed.
 * @returns the 64-byte signature (deterministic for a given key and value).
 * @throws TypeError/RangeError for a bad key; whatever the Syrup encoder throws for a value it
 *   cannot encode.
 */
export function sign(value: SyrupValue, privateKey: Uint8Array): Uint8Array {
  requireBytes(privateKey, 32, 'Ed25519 private key');
  return ed25519.sign(encode(value), privateKey);
}

/**
 * Verifies an Ed25519 signature over the re-encoding of `value` (notes §4: peers re-encode
 * the decoded object, they never keep the raw bytes). A decoded dictionary keeps the key order
 * it arrived in (`SyrupDict.order`: canonical, or Endo's JS string order when the decode
 * allowed it), so the re-encoding is exactly the bytes received, and the same keys in the
 * other order do not verify.
 * @param value - the signed value, typically as decoded from the wire.
 * @param signature - the 64-byte signature.
 * @param publicKey - the 32-byte Ed25519 public key.
 * @returns `true` only for a valid signature. A wrong, malformed or wrongly sized signature
 *   or key gives `false`; this never throws for them.
 * @throws only what the Syrup encoder throws if `value` itself cannot be encoded.
 */
export function verify(value: SyrupValue, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (strictPrecheck(signature, publicKey) !== undefined) return false;
  return ed25519.verify(signature, encode(value), publicKey);
}
