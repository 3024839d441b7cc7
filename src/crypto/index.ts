/**
 * OCapN session cryptography (CapTP spec §Cryptography; notes §4, §14):
 * Ed25519 session keys, the list-shaped Syrup forms of public keys and signatures,
 * signing and verification over canonical Syrup, Public IDs and Session IDs.
 * @module
 */

export { OcapnCryptoError } from './errors.js';
export {
  publicKeyToSyrup,
  publicKeyFromSyrup,
  signatureToSyrup,
  signatureFromSyrup,
  publicKeyToBytesForm,
  publicKeyFromBytesForm,
  signatureToBytesForm,
  signatureFromBytesForm,
  publicKeyFromAnyForm,
  signatureFromAnyForm,
  cryptoFormOf,
  CRYPTO_FORMS,
  CRYPTO_VERSION,
  ACCEPTED_CRYPTO_VERSIONS,
  type CryptoForm,
  type CryptoWireForms,
} from './forms.js';
export { type SessionKeyPair, generateKeyPair, keyPairFromSeed, sign, verify, randomBytes } from './signing.js';
export { publicId, sessionId } from './ids.js';
