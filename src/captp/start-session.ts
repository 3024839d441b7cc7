/**
 * Building and reading `op:start-session` (CapTP spec §op:start-session; notes §5.2, §5.3) in
 * both generations of crypto forms (src/crypto/forms.ts): legacy-2025 (4 fields, list-shaped
 * key and signature) and spec-2026-09 (ocapn/ocapn PR #288: 5 fields with `crypto-version`
 * second, ByteArray key and signature). The shapes themselves are table entries in ./ops.ts.
 * @module
 */
import type { SyrupValue } from '../syrup/types.js';
import { SyrupRecord } from '../syrup/types.js';
import { ACCEPTED_CRYPTO_VERSIONS, CRYPTO_FORMS, CRYPTO_VERSION, sign, verify, type CryptoForm, type SessionKeyPair } from '../crypto/index.js';
import { peerLocatorFromSyrup, peerLocatorToSyrup } from '../locator/index.js';
import type { PeerLocator } from '../locator/types.js';
import { encodeOp, label, type DecodedOp } from './ops.js';
import { ProtocolError } from './errors.js';

/** The only CapTP version there is. */
const CAPTP_VERSION = '1.0';

/**
 * Our `op:start-session`: `keyPair`'s public key, `location`, and the key's signature over
 * `<my-location location>`, in the forms of `form` (with `crypto-version` for spec-2026-09).
 */
export function buildStartSession(keyPair: SessionKeyPair, location: PeerLocator, form: CryptoForm): SyrupRecord {
  const forms = CRYPTO_FORMS[form];
  const loc = peerLocatorToSyrup(location);
  const sig = sign(new SyrupRecord(label('my-location'), [loc]), keyPair.privateKey);
  const fields: Record<string, SyrupValue> = {
    captpVersion: CAPTP_VERSION,
    sessionPubkey: forms.publicKeyToWire(keyPair.publicKey),
    acceptableLocation: loc,
    acceptableLocationSig: forms.signatureToWire(sig),
  };
  if (forms.cryptoVersion === undefined) return encodeOp('op:start-session', fields);
  return encodeOp('op:start-session', { ...fields, cryptoVersion: forms.cryptoVersion }, undefined, 'spec-2026-09');
}

/** What a verified `op:start-session` tells us about the peer. */
export interface PeerHello {
  readonly key: Uint8Array;
  readonly location: PeerLocator;
  /** The generation of forms the peer announced its key in (its Public ID is computed in it). */
  readonly form: CryptoForm;
}

/** A peer's value quoted in our abort reason: at most 100 characters, well-formed. */
function shortened(value: unknown): string {
  const theirs = String(value);
  return theirs.length > 100 ? `${theirs.slice(0, 100).toWellFormed()}…` : theirs;
}

/**
 * Check a decoded `op:start-session` (notes §5.3 steps 2–3) and read it. Either generation is
 * accepted whatever our own profile: the 5-field shape must carry a crypto-version we support
 * and ByteArray key and signature; the 4-field shape the list forms.
 * @throws ProtocolError (the session aborts with its message) naming what was wrong.
 */
export function readStartSession(m: DecodedOp): PeerHello {
  if (m.captpVersion !== CAPTP_VERSION) throw new ProtocolError(`unsupported CapTP version "${shortened(m.captpVersion)}" (we speak "${CAPTP_VERSION}")`);
  const form: CryptoForm = m.variant === 'spec-2026-09' ? 'spec-2026-09' : 'legacy-2025';
  if (form === 'spec-2026-09' && !ACCEPTED_CRYPTO_VERSIONS.includes(m.cryptoVersion as string)) {
    throw new ProtocolError(`unsupported crypto-version "${shortened(m.cryptoVersion)}" (we speak "${CRYPTO_VERSION}")`);
  }
  let key: Uint8Array;
  let sig: Uint8Array;
  let location: PeerLocator;
  try {
    key = CRYPTO_FORMS[form].publicKeyFromWire(m.sessionPubkey as SyrupValue);
    sig = CRYPTO_FORMS[form].signatureFromWire(m.acceptableLocationSig as SyrupValue);
    location = peerLocatorFromSyrup(m.acceptableLocation as SyrupValue);
  } catch (e) {
    throw new ProtocolError(`bad op:start-session: ${(e as Error).message}`);
  }
  const signed = new SyrupRecord(label('my-location'), [m.acceptableLocation as SyrupValue]);
  if (!verify(signed, sig, key)) throw new ProtocolError('op:start-session location signature does not verify');
  return { key, location, form };
}
