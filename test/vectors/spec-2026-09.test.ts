/**
 * spec 2026-09 (ocapn/ocapn PR #288) known answers: test/vectors/spec-2026-09.json was written
 * by spec-2026-09.gen.mjs from the spec text alone (hand-concatenated Syrup, node:crypto
 * Ed25519, RFC 8032 test keys 1 and 2). Our encoder must produce those bytes exactly, and our
 * decoder must read them back to the same keys, signatures and IDs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { decode, encode, SyrupRecord } from '../../src/syrup/index.js';
import { keyPairFromSeed, publicId, sessionId, sign, verify, CRYPTO_FORMS } from '../../src/crypto/index.js';
import { decodeOp } from '../../src/captp/ops.js';
import { buildStartSession, readStartSession } from '../../src/captp/start-session.js';
import { makeGive, makeReceive, openEnvelope, parseGive, parseReceive } from '../../src/handoff/certificates.js';
import { SigEnvelope } from '../../src/model/index.js';
import { peerLocatorFromSyrup } from '../../src/locator/index.js';
import { GIFT_ID, PK1, PK2, SK1, SK2 } from '../helpers/rfc8032.js';

interface Entry {
  how: string;
  length: number;
  sha256: string;
  hex: string;
}
const V = JSON.parse(readFileSync(new URL('./spec-2026-09.json', import.meta.url), 'utf8')) as Record<string, Entry> & { cryptoVersion: string };
const bytesOf = (e: Entry) => hexToBytes(e.hex);
const FORMS = CRYPTO_FORMS['spec-2026-09'];
const LOCATION = peerLocatorFromSyrup(decode(bytesOf(V.location)));

/** notes §14: the legacy op:start-session of key 1 at the same location (296 bytes). */
const LEGACY_START_SESSION_HEX = [
  '3c3136276f703a73746172742d73657373696f6e3322312e305b3130277075626c69632d6b65795b3327656363',
  '5b352763757276653727456432353531395d5b3527666c616773352765646473615d5b31277133323ad75a9801',
  '82b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a5d5d5d3c3130276f6361706e2d70656572',
  '3136277463702d74657374696e672d6f6e6c793622706565722d617b3422686f737439223132372e302e302e31',
  '3422706f7274352232323034357d3e5b37277369672d76616c5b352765646473615b31277233323a4bd7c19629',
  'd3439e9e9b069dca41a89284cb1bbb2337b7afc83dc4146656c92f5d5b31277333323aceb7c847f5144de29532',
  '4d4dde9d867076fd6d5e27882b5d26baed6b6b684f0c5d5d5d3e',
].join('');

describe('spec 2026-09 vectors (RFC 8032 keys; test/vectors/spec-2026-09.json)', () => {
  it('the file holds what its descriptions say (lengths match the hex)', () => {
    for (const key of ['location', 'publicId1', 'publicId2', 'sessionId', 'locationSignature', 'startSession', 'give', 'signedGive', 'receive', 'signedReceive']) {
      expect(bytesOf(V[key]).length, key).toBe(V[key].length);
    }
    expect(V.cryptoVersion).toBe('Ed25519_SHA256');
  });

  it('Public IDs hash the ByteArray serialization "32:" ‖ pk; the Session ID sorts them', () => {
    expect(bytesToHex(publicId(PK1, 'spec-2026-09'))).toBe(V.publicId1.hex);
    expect(bytesToHex(publicId(PK2, 'spec-2026-09'))).toBe(V.publicId2.hex);
    expect(bytesToHex(sessionId(publicId(PK1, 'spec-2026-09'), publicId(PK2, 'spec-2026-09')))).toBe(V.sessionId.hex);
    // Not the legacy IDs (notes §14): the form of the key is part of its identity.
    expect(bytesToHex(publicId(PK1))).toBe('1759110845e57d2058d531c139077e9cac59b03f118a42f7e83dd2259ec3038c');
  });

  it('op:start-session: our bytes are exactly the vector (219 bytes, crypto-version second)', () => {
    const ours = encode(buildStartSession(keyPairFromSeed(SK1), LOCATION, 'spec-2026-09'));
    expect(bytesToHex(ours)).toBe(V.startSession.hex);
    expect(ours.length).toBe(219);
  });

  it('op:start-session: the vector decodes to the 5-field shape and verifies', () => {
    const m = decodeOp(decode(bytesOf(V.startSession)));
    expect(m.variant).toBe('spec-2026-09');
    expect(m.cryptoVersion).toBe('Ed25519_SHA256');
    const hello = readStartSession(m);
    expect(hello.form).toBe('spec-2026-09');
    expect(bytesToHex(hello.key)).toBe(bytesToHex(PK1));
    expect(hello.location).toEqual(LOCATION);
    expect(bytesToHex(m.acceptableLocationSig as Uint8Array)).toBe(V.locationSignature.hex);
  });

  it('the legacy op:start-session is unchanged by the refactor (notes §14, 296 bytes)', () => {
    const legacy = encode(buildStartSession(keyPairFromSeed(SK1), LOCATION, 'legacy-2025'));
    expect(legacy.length).toBe(296);
    expect(bytesToHex(legacy)).toBe(LEGACY_START_SESSION_HEX);
  });

  it('handoff-give and its envelope: exact bytes, key 1 signature', () => {
    const give = makeGive({
      receiverKey: FORMS.publicKeyToWire(PK2),
      exporterLocation: decode(bytesOf(V.location)),
      session: hexToBytes(V.sessionId.hex),
      gifterSide: publicId(PK1, 'spec-2026-09'),
      giftId: GIFT_ID,
    });
    expect(bytesToHex(encode(give))).toBe(V.give.hex);
    const sig = sign(give, SK1);
    expect(bytesToHex(sig)).toBe(V.giveSignature.hex);
    const envelope = new SigEnvelope(give, FORMS.signatureToWire(sig));
    expect(bytesToHex(encode(envelope.toSyrup()))).toBe(V.signedGive.hex);
  });

  it('handoff-receive and its envelope: exact bytes, key 2 signature', () => {
    const signedGive = openEnvelope(decode(bytesOf(V.signedGive))).envelope;
    const receive = makeReceive({
      receivingSession: new Uint8Array(32).fill(0x11),
      receivingSide: publicId(PK2, 'spec-2026-09'),
      handoffCount: 0n,
      signedGive,
    });
    expect(bytesToHex(encode(receive))).toBe(V.receive.hex);
    const sig = sign(receive, SK2);
    expect(bytesToHex(sig)).toBe(V.receiveSignature.hex);
    expect(bytesToHex(encode(new SigEnvelope(receive, FORMS.signatureToWire(sig)).toSyrup()))).toBe(V.signedReceive.hex);
  });

  it('the vector certificates parse (ByteArray receiver-key and signatures) and verify', () => {
    const outer = openEnvelope(decode(bytesOf(V.signedReceive)));
    const receive = parseReceive(outer.signed);
    const inner = openEnvelope(receive.signedGive);
    const give = parseGive(inner.signed);
    expect(bytesToHex(give.receiverKey)).toBe(bytesToHex(PK2));
    expect(bytesToHex(give.gifterSide)).toBe(V.publicId1.hex);
    expect(bytesToHex(receive.receivingSide)).toBe(V.publicId2.hex);
    expect(verify(give.record, inner.signature, PK1)).toBe(true);
    expect(verify(receive.record, outer.signature, give.receiverKey)).toBe(true);
    expect(verify(receive.record, outer.signature, PK1)).toBe(false);
    expect(outer.signed).toBeInstanceOf(SyrupRecord);
  });
});
