/**
 * Ed25519 verification vectors for test/crypto/backends.test.ts: RFC 8032 §7.1 tests 1–3,
 * and edge cases built here with known scalars, so each one is a signature that *some*
 * Ed25519 verifier accepts (lenient decoding, the cofactored equation, no small-order check)
 * and that our strict rule must answer the same way in both backends.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, concatBytes, hexToBytes, numberToBytesLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { PK1, PK2, SK1, SK2 } from '../helpers/rfc8032.js';

const { Point } = ed25519;
type EdPoint = InstanceType<typeof Point>;
const L = Point.Fn.ORDER;
const P = Point.Fp.ORDER;
const le32 = (n: bigint): Uint8Array => numberToBytesLE(n, 32);
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

/** RFC 8032 §7.1 TEST 1–3: seed, public key, message, signature. */
export const RFC8032_VECTORS = [
  {
    name: 'TEST 1 (empty message)',
    seed: SK1,
    publicKey: PK1,
    message: new Uint8Array(0),
    signature: hexToBytes(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    ),
  },
  {
    name: 'TEST 2 (one byte)',
    seed: SK2,
    publicKey: PK2,
    message: hexToBytes('72'),
    signature: hexToBytes(
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
    ),
  },
  {
    name: 'TEST 3 (two bytes)',
    seed: hexToBytes('c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7'),
    publicKey: hexToBytes('fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025'),
    message: hexToBytes('af82'),
    signature: hexToBytes(
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
    ),
  },
];

/** One verification case: arguments and the answer the strict rule must give. */
export interface EdgeVector {
  name: string;
  signature: unknown;
  message: Uint8Array;
  publicKey: unknown;
  expected: boolean;
}

/** k = SHA-512(R ‖ A ‖ M) mod L over the exact bytes given. */
function challenge(r: Uint8Array, a: Uint8Array, m: Uint8Array): bigint {
  return Point.Fn.create(bytesToNumberLE(sha512(concatBytes(r, a, m))));
}

/** R ‖ (r + k·a mod L), optionally + L: a signature made from raw scalars and encodings. */
function signRaw(o: { a: bigint; aBytes: Uint8Array; r: bigint; rBytes: Uint8Array; m: Uint8Array; addL?: boolean }): Uint8Array {
  const s = Point.Fn.create(o.r + challenge(o.rBytes, o.aBytes, o.m) * o.a) + (o.addL ? L : 0n);
  return concatBytes(o.rBytes, le32(s));
}

/** The eight points of the torsion subgroup, T·i for a generator T of order 8. */
export function torsionPoints(): EdPoint[] {
  const t8 = Point.fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a');
  return Array.from({ length: 8 }, (_, i) => (i === 0 ? Point.ZERO : t8.multiplyUnsafe(BigInt(i))));
}

/** Sets the sign bit (x_0) of an encoding. */
function withSignBit(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  out[31] |= 0x80;
  return out;
}

/** The y < 19 that belong to a curve point (their y + p is a non-canonical encoding). */
export function smallCurveYs(): bigint[] {
  return Array.from({ length: 19 }, (_, i) => BigInt(i)).filter((y) => decodes(le32(y)));
}

/** Encodings with y ≥ p: y + p, for y < 19, optionally with the sign bit. */
function nonCanonical(y: bigint, sign = false): Uint8Array {
  const out = le32(y + P);
  return sign ? withSignBit(out) : out;
}

/**
 * The edge cases. `message` is the message every case signs; pass the encoding of a Syrup
 * value to run the same cases through the public `verify`.
 */
export function edgeVectors(message: Uint8Array = ascii('ocapn edge case')): EdgeVector[] {
  const m = message;
  const a = Point.Fn.create(bytesToNumberLE(sha512(ascii('edge key scalar'))));
  const A = Point.BASE.multiply(a);
  const aBytes = A.toBytes();
  const r = Point.Fn.create(bytesToNumberLE(sha512(ascii('edge nonce'))));
  const rBytes = Point.BASE.multiply(r).toBytes();
  const torsion = torsionPoints();
  const identity = torsion[0].toBytes();
  const offCurve = le32(BigInt([2, 3, 4, 5, 6, 7].find((y) => !decodes(le32(BigInt(y))))!));
  const out: EdgeVector[] = [];
  const add = (name: string, signature: unknown, publicKey: unknown, expected: boolean, msg = m): void => {
    out.push({ name, signature, message: msg, publicKey, expected });
  };

  // Baseline and non-canonical S.
  const honest = signRaw({ a, aBytes, r, rBytes, m });
  add('an honest signature from raw scalars', honest, aBytes, true);
  add('the same with S + L (non-canonical S)', signRaw({ a, aBytes, r, rBytes, m, addL: true }), aBytes, false);
  add('S = L exactly', concatBytes(rBytes, le32(L)), aBytes, false);
  add('S = 2^256 − 1', concatBytes(rBytes, new Uint8Array(32).fill(0xff)), aBytes, false);
  add('a different message', honest, aBytes, false, ascii('another message'));

  // R: small-order points (nonce scalar 0, so S = k·a). Only the identity is [S]B − [k]A itself;
  // the cofactored equation would accept all eight.
  torsion.forEach((t, i) => {
    add(`R = torsion point T·${i}${i === 0 ? ' (identity)' : ''}`, signRaw({ a, aBytes, r: 0n, rBytes: t.toBytes(), m }), aBytes, i === 0);
  });
  add('R = identity with the sign bit (x = 0, x_0 = 1)', signRaw({ a, aBytes, r: 0n, rBytes: withSignBit(identity), m }), aBytes, false);
  add('R = identity encoded as y = p + 1', signRaw({ a, aBytes, r: 0n, rBytes: nonCanonical(1n), m }), aBytes, false);
  add('R = order-4 point encoded as y = p', signRaw({ a, aBytes, r: 0n, rBytes: nonCanonical(0n), m }), aBytes, false);
  add('R = rB + T (mixed order)', signRaw({ a, aBytes, r, rBytes: Point.BASE.multiply(r).add(torsion[1]).toBytes(), m }), aBytes, false);
  add('R not on the curve', concatBytes(offCurve, honest.subarray(32)), aBytes, false);

  // A: small-order and non-canonical keys. R = identity and S = 0 satisfy [S]B − [k]A = R
  // whenever k·A is the identity (always for A = identity, with any message).
  const zeroSig = concatBytes(identity, new Uint8Array(32));
  torsion.forEach((t, i) => add(`A = torsion point T·${i}`, zeroSig, t.toBytes(), false));
  add('A = identity with the sign bit', zeroSig, withSignBit(identity), false);
  add('A = order-2 point with the sign bit', zeroSig, withSignBit(torsion[4].toBytes()), false);
  add('A = identity encoded as y = p + 1', zeroSig, nonCanonical(1n), false);
  add('A = identity encoded as y = p + 1, sign bit', zeroSig, nonCanonical(1n, true), false);
  add('A = order-4 point encoded as y = p', zeroSig, nonCanonical(0n), false);
  add('A = y = 2^255 − 1 (all ones)', zeroSig, new Uint8Array(32).fill(0xff), false);
  for (const y of smallCurveYs().filter((y) => y > 1n)) {
    // a curve point of large order written as y + p: OpenSSL alone would read it as y
    add(`A = the curve point with y = ${y}, written as y + p`, honest, nonCanonical(y), false);
  }
  add('A not on the curve', honest, offCurve, false);

  // Mixed-order key A = aB + T·1, signed honestly with a: [S]B − [k]A = R − k·T, which is R
  // exactly when 8 divides k. Find a message of each kind.
  const mixed = A.add(torsion[1]).toBytes();
  const found = new Set<boolean>();
  for (let i = 0; found.size < 2; i++) {
    const msg = concatBytes(m, ascii(` #${i}`));
    const divisible = challenge(rBytes, mixed, msg) % 8n === 0n;
    if (found.has(divisible)) continue;
    found.add(divisible);
    add(`mixed-order key, k ${divisible ? '≡' : '≢'} 0 mod 8`, signRaw({ a, aBytes: mixed, r, rBytes, m: msg }), mixed, divisible, msg);
  }

  // Wrong lengths and types.
  add('a 63-byte signature', honest.subarray(0, 63), aBytes, false);
  add('a 65-byte signature', concatBytes(honest, new Uint8Array(1)), aBytes, false);
  add('an empty signature', new Uint8Array(0), aBytes, false);
  add('a 31-byte key', honest, aBytes.subarray(0, 31), false);
  add('a 33-byte key', honest, concatBytes(aBytes, new Uint8Array(1)), false);
  add('a signature as an array of numbers', Array.from(honest), aBytes, false);
  add('a key as a string', honest, 'x'.repeat(32), false);
  add('a null signature', null, aBytes, false);
  return out;
}

function decodes(bytes: Uint8Array): boolean {
  try {
    Point.fromBytes(bytes, true);
    return true;
  } catch {
    return false;
  }
}
