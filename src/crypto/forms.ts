/**
 * The Syrup forms of OCapN public keys and signatures (CapTP spec §Cryptography; notes §4).
 *
 * Both are gcrypt-style s-expressions written as nested Syrup **lists** (not records):
 *
 * ```
 * ['public-key ['ecc ['curve 'Ed25519] ['flags 'eddsa] ['q <32 bytes>]]]
 * ['sig-val ['eddsa ['r <32 bytes>] ['s <32 bytes>]]]
 * ```
 *
 * The decoders are strict: every label, the curve, the flags, the list lengths and the byte
 * lengths are checked, and anything else is an {@link OcapnCryptoError}.
 * @module
 */

import { SyrupSymbol, sym, type SyrupValue } from '../syrup/types.js';
import { OcapnCryptoError, describeValue, requireBytes } from './errors.js';

/** Length of an Ed25519 public key (`q`) in bytes. */
const PUBLIC_KEY_LENGTH = 32;
/** Length of an Ed25519 signature in bytes (`r` ‖ `s`, 32 each). */
const SIGNATURE_LENGTH = 64;

/**
 * Builds the Syrup form of an Ed25519 public key:
 * `['public-key ['ecc ['curve 'Ed25519] ['flags 'eddsa] ['q pk]]]`.
 *
 * Encoded, this is `[10'public-key[3'ecc[5'curve7'Ed25519][5'flags5'eddsa][1'q32:…]]]`.
 * @param pk - the 32-byte Ed25519 public key.
 * @returns nested lists of {@link SyrupSymbol}s and the key bytes (a copy).
 * @throws TypeError if `pk` is not a Uint8Array; RangeError if it is not 32 bytes.
 */
export function publicKeyToSyrup(pk: Uint8Array): SyrupValue {
  requireBytes(pk, PUBLIC_KEY_LENGTH, 'public key');
  return [
    sym('public-key'),
    [sym('ecc'), [sym('curve'), sym('Ed25519')], [sym('flags'), sym('eddsa')], [sym('q'), pk.slice()]],
  ];
}

/**
 * Reads the Syrup form of an Ed25519 public key (the inverse of {@link publicKeyToSyrup}).
 *
 * Strict: the outer list must be exactly `['public-key ['ecc …]]`, the `ecc` list must hold
 * exactly `['curve 'Ed25519]`, `['flags 'eddsa]` and `['q bytes]` in that order, and `q`
 * must be exactly 32 bytes. It does not check that `q` is a valid curve point; signature
 * verification with such a key simply fails.
 * @param v - a decoded Syrup value.
 * @returns the 32-byte public key (a copy).
 * @throws OcapnCryptoError, naming the first part that does not match.
 */
export function publicKeyFromSyrup(v: SyrupValue): Uint8Array {
  const [outerBody] = expectTagged(v, 'public-key', 1, 'public key');
  const [curve, flags, q] = expectTagged(outerBody, 'ecc', 3, 'public key ecc');
  const [curveName] = expectTagged(curve, 'curve', 1, 'public key curve');
  expectSymbol(curveName, 'Ed25519', 'public key curve');
  const [flagName] = expectTagged(flags, 'flags', 1, 'public key flags');
  expectSymbol(flagName, 'eddsa', 'public key flags');
  const [qBytes] = expectTagged(q, 'q', 1, 'public key q');
  return expectBytes(qBytes, PUBLIC_KEY_LENGTH, 'public key q');
}

/**
 * Builds the Syrup form of a 64-byte Ed25519 signature, split into `r` (bytes 0–31) and
 * `s` (bytes 32–63): `['sig-val ['eddsa ['r r] ['s s]]]`.
 * @param sig - the 64-byte signature.
 * @throws TypeError if `sig` is not a Uint8Array; RangeError if it is not 64 bytes.
 */
export function signatureToSyrup(sig: Uint8Array): SyrupValue {
  requireBytes(sig, SIGNATURE_LENGTH, 'signature');
  return [
    sym('sig-val'),
    [sym('eddsa'), [sym('r'), sig.slice(0, 32)], [sym('s'), sig.slice(32, 64)]],
  ];
}

/**
 * Reads the Syrup form of an Ed25519 signature (the inverse of {@link signatureToSyrup}).
 * Strict: labels `sig-val`, `eddsa`, `r`, `s` in that order, `r` and `s` exactly 32 bytes each.
 * @param v - a decoded Syrup value.
 * @returns the 64-byte signature `r ‖ s`.
 * @throws OcapnCryptoError, naming the first part that does not match.
 */
export function signatureFromSyrup(v: SyrupValue): Uint8Array {
  const [body] = expectTagged(v, 'sig-val', 1, 'signature');
  const [rPart, sPart] = expectTagged(body, 'eddsa', 2, 'signature eddsa');
  const [r] = expectTagged(rPart, 'r', 1, 'signature r');
  const [s] = expectTagged(sPart, 's', 1, 'signature s');
  const out = new Uint8Array(SIGNATURE_LENGTH);
  out.set(expectBytes(r, 32, 'signature r'), 0);
  out.set(expectBytes(s, 32, 'signature s'), 32);
  return out;
}

/**
 * Checks that `v` is a list `[ 'label item1 … itemN ]` with exactly `count` items after
 * the label, and returns those items.
 */
function expectTagged(v: SyrupValue, label: string, count: number, what: string): readonly SyrupValue[] {
  if (!Array.isArray(v)) {
    throw new OcapnCryptoError(`${what}: expected a list ['${label} …], got ${describeValue(v)}`);
  }
  const list = v as readonly SyrupValue[];
  if (list.length === 0) {
    throw new OcapnCryptoError(`${what}: expected a list ['${label} …], got an empty list`);
  }
  expectSymbol(list[0], label, `${what} label`);
  if (list.length !== count + 1) {
    throw new OcapnCryptoError(
      `${what}: ['${label} …] must hold exactly ${count} item${count === 1 ? '' : 's'} after the label, got ${list.length - 1}`,
    );
  }
  return list.slice(1);
}

function expectSymbol(v: SyrupValue, name: string, what: string): void {
  if (!(v instanceof SyrupSymbol) || v.name !== name) {
    throw new OcapnCryptoError(`${what}: expected symbol '${name}, got ${describeValue(v)}`);
  }
}

function expectBytes(v: SyrupValue, length: number, what: string): Uint8Array {
  if (!(v instanceof Uint8Array)) {
    throw new OcapnCryptoError(`${what}: expected a bytestring, got ${describeValue(v)}`);
  }
  if (v.length !== length) {
    throw new OcapnCryptoError(`${what}: expected exactly ${length} bytes, got ${v.length}`);
  }
  return v.slice();
}
