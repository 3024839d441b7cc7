/**
 * The Syrup forms of OCapN public keys and signatures (CapTP spec §Cryptography; notes §4).
 *
 * Two generations, each one entry of {@link CRYPTO_FORMS}:
 *
 * - `legacy-2025` (what Goblins 0.18, Endo and the test suite speak): gcrypt-style
 *   s-expressions written as nested Syrup **lists** (not records):
 *   ```
 *   ['public-key ['ecc ['curve 'Ed25519] ['flags 'eddsa] ['q <32 bytes>]]]
 *   ['sig-val ['eddsa ['r <32 bytes>] ['s <32 bytes>]]]
 *   ```
 * - `spec-2026-09` (ocapn/ocapn PR #288, merged 2026-09): the key is a plain 32-byte
 *   ByteArray, the signature a plain 64-byte ByteArray (`r ‖ s`), and the suite is named once,
 *   by the `crypto-version` field of `op:start-session` ({@link CRYPTO_VERSION}).
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

// ---- spec 2026-09 (ocapn/ocapn PR #288): plain ByteArrays ----

/**
 * The `crypto-version` we send in a spec 2026-09 `op:start-session`: Ed25519 signatures,
 * SHA-256 for Public IDs and Session IDs. PR #288 first wrote `Ed25519`; review asked for the
 * hash to be named too (`Ed25519_SHA256`), the author agreed, and test-suite issue #44 describes
 * the merged field as naming "the key type and hashing algorithms". See docs/captp.md.
 */
export const CRYPTO_VERSION = 'Ed25519_SHA256';

/**
 * The `crypto-version` values we accept from a peer. Both name the only suite there is
 * (Ed25519 with SHA-256 IDs): `Ed25519` is the PR's first spelling, accepted in case an
 * implementation followed it. Anything else aborts the session, naming the value.
 */
export const ACCEPTED_CRYPTO_VERSIONS: readonly string[] = Object.freeze([CRYPTO_VERSION, 'Ed25519']);

/**
 * Builds the spec 2026-09 form of an Ed25519 public key: the 32 key bytes as a ByteArray.
 * @param pk - the 32-byte Ed25519 public key.
 * @returns a copy of `pk`.
 * @throws TypeError if `pk` is not a Uint8Array; RangeError if it is not 32 bytes.
 */
export function publicKeyToBytesForm(pk: Uint8Array): SyrupValue {
  requireBytes(pk, PUBLIC_KEY_LENGTH, 'public key');
  return pk.slice();
}

/**
 * Reads the spec 2026-09 form of an Ed25519 public key: a ByteArray of exactly 32 bytes.
 * @returns the key (a copy).
 * @throws OcapnCryptoError for anything else.
 */
export function publicKeyFromBytesForm(v: SyrupValue): Uint8Array {
  return expectBytes(v, PUBLIC_KEY_LENGTH, 'public key');
}

/**
 * Builds the spec 2026-09 form of an Ed25519 signature: the 64 bytes `r ‖ s` as a ByteArray.
 * @throws TypeError if `sig` is not a Uint8Array; RangeError if it is not 64 bytes.
 */
export function signatureToBytesForm(sig: Uint8Array): SyrupValue {
  requireBytes(sig, SIGNATURE_LENGTH, 'signature');
  return sig.slice();
}

/**
 * Reads the spec 2026-09 form of an Ed25519 signature: a ByteArray of exactly 64 bytes.
 * @returns the signature `r ‖ s` (a copy).
 * @throws OcapnCryptoError for anything else.
 */
export function signatureFromBytesForm(v: SyrupValue): Uint8Array {
  return expectBytes(v, SIGNATURE_LENGTH, 'signature');
}

/** The generation of key and signature forms a session writes (see {@link CRYPTO_FORMS}). */
export type CryptoForm = 'legacy-2025' | 'spec-2026-09';

/** One generation of key and signature forms, as data. */
export interface CryptoWireForms {
  readonly name: CryptoForm;
  /** The `crypto-version` field of `op:start-session`, or `undefined` where there is none (legacy). */
  readonly cryptoVersion: string | undefined;
  /** A 32-byte public key → its wire form. Throws TypeError/RangeError for a bad key. */
  readonly publicKeyToWire: (pk: Uint8Array) => SyrupValue;
  /** Wire form → the 32-byte public key. Throws {@link OcapnCryptoError}. */
  readonly publicKeyFromWire: (v: SyrupValue) => Uint8Array;
  /** A 64-byte signature → its wire form. Throws TypeError/RangeError for a bad signature. */
  readonly signatureToWire: (sig: Uint8Array) => SyrupValue;
  /** Wire form → the 64-byte signature. Throws {@link OcapnCryptoError}. */
  readonly signatureFromWire: (v: SyrupValue) => Uint8Array;
}

/** Every generation of forms, by name. */
export const CRYPTO_FORMS: Readonly<Record<CryptoForm, CryptoWireForms>> = Object.freeze({
  'legacy-2025': Object.freeze({
    name: 'legacy-2025',
    cryptoVersion: undefined,
    publicKeyToWire: publicKeyToSyrup,
    publicKeyFromWire: publicKeyFromSyrup,
    signatureToWire: signatureToSyrup,
    signatureFromWire: signatureFromSyrup,
  }),
  'spec-2026-09': Object.freeze({
    name: 'spec-2026-09',
    cryptoVersion: CRYPTO_VERSION,
    publicKeyToWire: publicKeyToBytesForm,
    publicKeyFromWire: publicKeyFromBytesForm,
    signatureToWire: signatureToBytesForm,
    signatureFromWire: signatureFromBytesForm,
  }),
});

/**
 * Which generation a key or signature found on the wire is written in. The two cannot be
 * confused: the 2026-09 forms are ByteArrays, the legacy ones lists. Used where a value
 * arrives without an `op:start-session` to say (handoff certificates).
 */
export function cryptoFormOf(v: SyrupValue): CryptoForm {
  return v instanceof Uint8Array ? 'spec-2026-09' : 'legacy-2025';
}

/** Reads a public key in either generation's form. @throws OcapnCryptoError. */
export function publicKeyFromAnyForm(v: SyrupValue): Uint8Array {
  return CRYPTO_FORMS[cryptoFormOf(v)].publicKeyFromWire(v);
}

/** Reads a signature in either generation's form. @throws OcapnCryptoError. */
export function signatureFromAnyForm(v: SyrupValue): Uint8Array {
  return CRYPTO_FORMS[cryptoFormOf(v)].signatureFromWire(v);
}
