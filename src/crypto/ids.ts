/**
 * OCapN Public IDs and Session IDs (CapTP spec §Cryptography; notes §4).
 * @module
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { compareBytes, encode } from '../syrup/index.js';
import { requireBytes } from './errors.js';
import { CRYPTO_FORMS, type CryptoForm } from './forms.js';

/** The 5 ASCII bytes `prot0` that prefix the Session ID hash input. */
const PROT0 = new Uint8Array([0x70, 0x72, 0x6f, 0x74, 0x30]);

/**
 * The Public Identifier of a session key: SHA256(SHA256(the serialized public key)), where
 * the key is serialized in the form its owner announced it in:
 * `syrup(['public-key ['ecc ['curve 'Ed25519] ['flags 'eddsa] ['q pk]]])` (legacy-2025), or
 * `syrup(ByteArray pk)` = `"32:" ‖ pk` (spec-2026-09; our reading of PR #288, docs/captp.md).
 * @param pk - a 32-byte Ed25519 public key.
 * @param form - the generation of forms; `legacy-2025` by default.
 * @returns the 32-byte Public ID.
 * @throws TypeError if `pk` is not a Uint8Array; RangeError if it is not 32 bytes.
 */
export function publicId(pk: Uint8Array, form: CryptoForm = 'legacy-2025'): Uint8Array {
  requireBytes(pk, 32, 'public key');
  return Uint8Array.from(sha256(sha256(encode(CRYPTO_FORMS[form].publicKeyToWire(pk)))));
}

/**
 * The Session ID shared by both sides of a session:
 * `SHA256(SHA256("prot0" ‖ lo ‖ hi))`, where `lo` and `hi` are the two sides' **Public IDs**
 * (see {@link publicId}) ordered by unsigned bytewise comparison. The argument order does
 * not matter.
 * @param idA - one side's 32-byte Public ID.
 * @param idB - the other side's 32-byte Public ID.
 * @returns the 32-byte Session ID.
 * @throws TypeError if either is not a Uint8Array; RangeError if either is not 32 bytes.
 */
export function sessionId(idA: Uint8Array, idB: Uint8Array): Uint8Array {
  requireBytes(idA, 32, 'first Public ID');
  requireBytes(idB, 32, 'second Public ID');
  const [lo, hi] = compareBytes(idA, idB) <= 0 ? [idA, idB] : [idB, idA];
  const input = new Uint8Array(PROT0.length + 64);
  input.set(PROT0, 0);
  input.set(lo, PROT0.length);
  input.set(hi, PROT0.length + 32);
  return Uint8Array.from(sha256(sha256(input)));
}
