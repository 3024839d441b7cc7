import { describe, it, expect } from 'vitest';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { encode, decode } from '../../src/syrup/index.js';
import { SyrupDict, rec, sym, type SyrupValue } from '../../src/syrup/types.js';
import {
  keyPairFromSeed,
  publicKeyToSyrup,
  publicKeyFromSyrup,
  signatureToSyrup,
  signatureFromSyrup,
  sign,
  verify,
  publicId,
  sessionId,
} from '../../src/crypto/index.js';
// notes §14: RFC 8032 test keys 1 and 2.
import {
  GIFT_ID,
  GIVE_SHA,
  GIVE_SIG,
  PK1,
  PK2,
  PUBLIC_ID_1_HEX as PUBLIC_ID_1,
  PUBLIC_ID_2_HEX as PUBLIC_ID_2,
  RECEIVE_SHA,
  RECEIVE_SIG,
  SESSION_ID_HEX as SESSION_ID,
  SK1,
  SK2,
} from '../helpers/rfc8032.js';

const PUBKEY1_SYRUP_HEX =
  '5b3130277075626c69632d6b65795b33276563635b352763757276653727456432353531395d5b3527666c616773352765646473615d5b31277133323a' +
  bytesToHex(PK1) +
  '5d5d5d';
const LOCATION_SIG =
  '4bd7c19629d3439e9e9b069dca41a89284cb1bbb2337b7afc83dc4146656c92fceb7c847f5144de295324d4dde9d867076fd6d5e27882b5d26baed6b6b684f0c';
const START_SESSION_HEX = [
  '3c3136276f703a73746172742d73657373696f6e3322312e305b3130277075626c69632d6b65795b3327656363',
  '5b352763757276653727456432353531395d5b3527666c616773352765646473615d5b31277133323ad75a9801',
  '82b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a5d5d5d3c3130276f6361706e2d70656572',
  '3136277463702d74657374696e672d6f6e6c793622706565722d617b3422686f737439223132372e302e302e31',
  '3422706f7274352232323034357d3e5b37277369672d76616c5b352765646473615b31277233323a4bd7c19629',
  'd3439e9e9b069dca41a89284cb1bbb2337b7afc83dc4146656c92f5d5b31277333323aceb7c847f5144de29532',
  '4d4dde9d867076fd6d5e27882b5d26baed6b6b684f0c5d5d5d3e',
].join('');

/** The §3.1 locator, built directly as a Syrup record (independent of src/locator). */
const LOCATOR = rec(
  'ocapn-peer',
  sym('tcp-testing-only'),
  'peer-a',
  new SyrupDict([
    ['host', '127.0.0.1'],
    ['port', '22045'],
  ]),
);

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('§14 session vectors (RFC 8032 test keys)', () => {
  it('derives the RFC 8032 public keys from the seeds', () => {
    expect(bytesToHex(keyPairFromSeed(SK1).publicKey)).toBe(bytesToHex(PK1));
    expect(bytesToHex(keyPairFromSeed(SK2).publicKey)).toBe(bytesToHex(PK2));
    expect(bytesToHex(keyPairFromSeed(SK1).privateKey)).toBe(bytesToHex(SK1));
  });

  it('encodes the public-key list byte for byte', () => {
    const bytes = encode(publicKeyToSyrup(PK1));
    expect(bytesToHex(bytes)).toBe(PUBKEY1_SYRUP_HEX);
    const prefix = "[10'public-key[3'ecc[5'curve7'Ed25519][5'flags5'eddsa][1'q32:";
    expect(new TextDecoder().decode(bytes.subarray(0, prefix.length))).toBe(prefix);
  });

  it('decodes the public-key list back to the key', () => {
    expect(bytesToHex(publicKeyFromSyrup(decode(hexToBytes(PUBKEY1_SYRUP_HEX))))).toBe(bytesToHex(PK1));
  });

  it('computes both Public IDs', () => {
    expect(bytesToHex(publicId(PK1))).toBe(PUBLIC_ID_1);
    expect(bytesToHex(publicId(PK2))).toBe(PUBLIC_ID_2);
  });

  it('computes the Session ID in either argument order', () => {
    const id1 = publicId(PK1);
    const id2 = publicId(PK2);
    expect(bytesToHex(sessionId(id1, id2))).toBe(SESSION_ID);
    expect(bytesToHex(sessionId(id2, id1))).toBe(SESSION_ID);
    // and it is SHA256(SHA256("prot0" ‖ lo ‖ hi)) with lo = PublicID(pk2)
    const input = new Uint8Array([...ascii('prot0'), ...id2, ...id1]);
    expect(bytesToHex(sha256(sha256(input)))).toBe(SESSION_ID);
  });

  it('signs <my-location LOC> with key 1 to the recorded signature', () => {
    const myLocation = rec('my-location', LOCATOR);
    expect(new TextDecoder().decode(encode(myLocation))).toBe(
      `<11'my-location<10'ocapn-peer16'tcp-testing-only6"peer-a{4"host9"127.0.0.14"port5"22045}>>`,
    );
    const sig = sign(myLocation, SK1);
    expect(bytesToHex(sig)).toBe(LOCATION_SIG);
    expect(verify(myLocation, sig, PK1)).toBe(true);
  });

  it('builds the full 296-byte op:start-session', () => {
    const sig = sign(rec('my-location', LOCATOR), SK1);
    const msg = rec('op:start-session', '1.0', publicKeyToSyrup(PK1), LOCATOR, signatureToSyrup(sig));
    const bytes = encode(msg);
    expect(bytes.length).toBe(296);
    expect(bytesToHex(bytes)).toBe(START_SESSION_HEX);
  });

  it('decodes the op:start-session and verifies its location signature', () => {
    const msg = decode(hexToBytes(START_SESSION_HEX)) as { labelName?: string; fields: readonly SyrupValue[] };
    expect(msg.labelName).toBe('op:start-session');
    const [version, pubkey, location, sigVal] = msg.fields;
    expect(version).toBe('1.0');
    const pk = publicKeyFromSyrup(pubkey);
    const sig = signatureFromSyrup(sigVal);
    expect(bytesToHex(sig)).toBe(LOCATION_SIG);
    expect(verify(rec('my-location', location), sig, pk)).toBe(true);
    // the signature is over the wrapped locator, not the bare one
    expect(verify(location, sig, pk)).toBe(false);
  });

  it('splits the signature into r and s in the sig-val list', () => {
    const sig = hexToBytes(LOCATION_SIG);
    const bytes = encode(signatureToSyrup(sig));
    const prefix = ascii("[7'sig-val[5'eddsa[1'r32:");
    expect(bytes.subarray(0, prefix.length)).toEqual(prefix);
    expect(bytes.length).toBe(prefix.length + 32 + "][1's32:".length + 32 + 3);
    expect(bytesToHex(signatureFromSyrup(decode(bytes)))).toBe(LOCATION_SIG);
  });
});

describe('§9.5 handoff vectors', () => {
  const give = rec(
    'desc:handoff-give',
    publicKeyToSyrup(PK2), // receiver-key: R's G–R key
    LOCATOR, // exporter-location
    hexToBytes(SESSION_ID), // session: G–E session ID
    publicId(PK1), // gifter-side
    GIFT_ID,
  );

  it('encodes the give to 297 bytes with the recorded SHA-256', () => {
    const bytes = encode(give);
    expect(bytes.length).toBe(297);
    expect(bytesToHex(sha256(bytes))).toBe(GIVE_SHA);
    const prefix = "<17'desc:handoff-give[10'public-key[3'ecc[5'curve7'Ed25519][";
    expect(new TextDecoder().decode(bytes.subarray(0, prefix.length))).toBe(prefix);
  });

  it('signs the give with key 1 to the recorded signature', () => {
    const sig = sign(give, SK1);
    expect(bytesToHex(sig)).toBe(GIVE_SIG);
    expect(verify(give, sig, PK1)).toBe(true);
    expect(verify(give, sig, PK2)).toBe(false);
  });

  it('encodes the receive to 516 bytes, signs it with key 2', () => {
    const signedGive = rec('desc:sig-envelope', give, signatureToSyrup(hexToBytes(GIVE_SIG)));
    const receive = rec('desc:handoff-receive', new Uint8Array(32).fill(0x11), publicId(PK2), 0n, signedGive);
    const bytes = encode(receive);
    expect(bytes.length).toBe(516);
    expect(bytesToHex(sha256(bytes))).toBe(RECEIVE_SHA);
    const sig = sign(receive, SK2);
    expect(bytesToHex(sig)).toBe(RECEIVE_SIG);
    expect(verify(receive, sig, PK2)).toBe(true);
    expect(verify(receive, sig, PK1)).toBe(false);
    // verification works on the decoded copy too (canonical re-encoding)
    expect(verify(decode(bytes), sig, PK2)).toBe(true);
  });
});
