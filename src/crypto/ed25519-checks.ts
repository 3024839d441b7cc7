/**
 * Platform-neutral part of Ed25519: the interface both backends implement, and the cheap
 * checks that run before any curve arithmetic (CapTP spec §Cryptography; notes §4).
 *
 * Which backend runs is chosen by the package.json `imports` entry `#ed25519`:
 * `ed25519-node.ts` (OpenSSL through `node:crypto`) under the `node` condition,
 * `ed25519-noble.ts` (pure JS, `@noble/curves`) everywhere else, so bundlers targeting
 * browsers pick noble and never reach a Node built-in. Two custom conditions come first:
 * `ocapn-ts-noble` forces the pure-JS backend under Node too (`node --conditions=ocapn-ts-noble`;
 * used by bench/crypto.mjs), and `ocapn-ts-source` maps to the TypeScript sources (set by
 * tsconfig.json and vitest.config.ts, so type checks and tests never depend on dist/).
 * This file imports nothing.
 *
 * ## The verification rule (identical in both backends)
 * Strict RFC 8032 §5.1.7, no ZIP-215 relaxations:
 * 1. the signature is 64 bytes and the public key `A` is 32 bytes;
 * 2. `S` (signature bytes 32–63, little-endian) is below the group order `L`;
 * 3. `R` (signature bytes 0–31) encodes a `y` below `p = 2^255 − 19`;
 * 4. `A` encodes a `y` below `p`;
 * 5. `A` is not one of the small-order points (identity, order 2, 4, 8), in any of their
 *    encodings with `y < p`, including "negative zero" (`x = 0` with the sign bit set);
 * 6. `A` decodes to a curve point;
 * 7. `encode([S]B − [k]A)` equals the 32 bytes of `R`, where `k = SHA-512(R ‖ A ‖ M) mod L`
 *    (the cofactorless equation, which RFC 8032 calls sufficient; it is what OpenSSL checks).
 *
 * Checks 1–5 are here ({@link strictPrecheck}); 6–7 are the backend's curve operation.
 * OpenSSL alone would accept non-canonical and small-order keys (it reduces `y` mod `p` and
 * has no small-order test), and noble's own `verify` uses the cofactored equation, which also
 * accepts an `R` with a small-order component; checks 4–5 and the shared cofactorless rule
 * make both backends give the same answer for every input. A key with a mixed-order `A`
 * (prime-order point plus a small-order one) is not rejected outright (that needs a full
 * scalar multiplication); under rule 7 its signatures verify only when `k` happens to cancel
 * the small-order part, and both backends agree on when that is.
 * @module
 */

/**
 * One Ed25519 implementation. Seeds, keys and signatures are plain byte arrays:
 * 32-byte seed (RFC 8032 secret key), 32-byte public key, 64-byte signature `R ‖ S`.
 * @internal
 */
export interface Ed25519Backend {
  /** `'node:crypto'` or `'noble'`, for benchmarks and tests. */
  readonly name: string;
  /**
   * The public key of a 32-byte seed (RFC 8032 §5.1.5). The caller has checked the length.
   * @returns a fresh 32-byte array.
   */
  getPublicKey(seed: Uint8Array): Uint8Array;
  /**
   * The deterministic signature of `message` under `seed` (RFC 8032 §5.1.6). The caller has
   * checked the seed's length. @returns a fresh 64-byte array.
   */
  sign(message: Uint8Array, seed: Uint8Array): Uint8Array;
  /**
   * Strict verification (the rule in this module's notes). Never throws: anything that is
   * not a valid signature, including arguments of the wrong type or length, gives `false`.
   */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

/** Length of an Ed25519 seed and of a public key, in bytes. */
export const KEY_LENGTH = 32;
/** Length of an Ed25519 signature `R ‖ S`, in bytes. */
export const SIGNATURE_LENGTH = 64;

/** The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian. */
const L_BYTES = hex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010');

/**
 * Every encoding with `y < p` of a point of order 1, 2, 4 or 8: the eight points of the
 * torsion subgroup, then the two "negative zero" encodings (`x = 0`, sign bit set) of the
 * two of them that have `x = 0`.
 */
const SMALL_ORDER_ENCODINGS: readonly Uint8Array[] = [
  '0100000000000000000000000000000000000000000000000000000000000000', // identity (0, 1)
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // order 2 (0, −1)
  '0000000000000000000000000000000000000000000000000000000000000000', // order 4 (√−1, 0)
  '0000000000000000000000000000000000000000000000000000000000000080', // order 4 (−√−1, 0)
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85', // order 8
  '0100000000000000000000000000000000000000000000000000000000000080', // identity, −0
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', // order 2, −0
].map(hex);

/**
 * Checks 1–5 of the verification rule: everything that needs no curve arithmetic.
 * @param signature - the candidate 64-byte signature `R ‖ S`.
 * @param publicKey - the candidate 32-byte public key `A`.
 * @returns `undefined` if the pair may still verify, otherwise why it cannot (for tests and
 *   diagnostics; verification itself only needs the yes/no).
 */
export function strictPrecheck(signature: unknown, publicKey: unknown): string | undefined {
  if (!isBytes(signature, SIGNATURE_LENGTH)) return 'the signature is not a 64-byte Uint8Array';
  if (!isBytes(publicKey, KEY_LENGTH)) return 'the public key is not a 32-byte Uint8Array';
  if (!lessThan(signature.subarray(32), L_BYTES)) return 'S is not below the group order L';
  if (!isCanonicalY(signature)) return 'R encodes a y that is not below p';
  if (!isCanonicalY(publicKey)) return 'the public key encodes a y that is not below p';
  if (SMALL_ORDER_ENCODINGS.some((e) => equal(e, publicKey))) return 'the public key is a small-order point';
  return undefined;
}

function isBytes(value: unknown, length: number): value is Uint8Array {
  return value instanceof Uint8Array && value.length === length;
}

/** Whether the 255-bit `y` of the point encoded in `bytes[0..32)` is below p = 2^255 − 19. */
function isCanonicalY(bytes: Uint8Array): boolean {
  // y ≥ p exactly when bits 0..254 are 0x7f ff … ff followed by a low byte ≥ 0xed.
  if ((bytes[31] & 0x7f) !== 0x7f) return true;
  for (let i = 30; i > 0; i--) if (bytes[i] !== 0xff) return true;
  return bytes[0] < 0xed;
}

/** Whether little-endian `a` is below little-endian `b` (same length). */
function lessThan(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = a.length - 1; i >= 0; i--) {
    if (a[i] !== b[i]) return a[i] < b[i];
  }
  return false;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g)!, (byte) => parseInt(byte, 16));
}
