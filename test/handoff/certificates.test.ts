/**
 * The handoff module's certificate builders and parsers (src/handoff/certificates.ts) against
 * the §9.5 vectors (RFC 8032 keys) and the real Goblins 0.18 gives/receives recorded in
 * ../shared/vectors/goblins (handoff.*.bin, index.json).
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { decode, encode, SyrupRecord, type SyrupValue } from '../../src/syrup/index.js';
import { keyPairFromSeed, publicId, publicKeyToSyrup, sign, signatureToSyrup, verify } from '../../src/crypto/index.js';
import { peerLocatorToSyrup, sameLocator } from '../../src/locator/index.js';
import type { PeerLocator } from '../../src/locator/types.js';
import { SigEnvelope } from '../../src/model/index.js';
import type { CaptpSession } from '../../src/captp/session.js';
import {
  checkWithdraw,
  HandoffError,
  makeGive,
  makeReceive,
  openEnvelope,
  parseGive,
  parseReceive,
} from '../../src/handoff/index.js';

// ---- §9.5 (notes): RFC 8032 test keys 1 (G) and 2 (R's G–R key) ----
import {
  GIFT_ID,
  GIVE_SHA,
  GIVE_SIG,
  PK1,
  PK2,
  PUBLIC_ID_1_HEX,
  PUBLIC_ID_2_HEX,
  RECEIVE_SHA,
  RECEIVE_SIG,
  SESSION_ID_HEX,
  SK1,
  SK2,
} from '../helpers/rfc8032.js';

const SESSION_ID = hexToBytes(SESSION_ID_HEX);
const LOCATION: PeerLocator = { transport: 'tcp-testing-only', designator: 'peer-a', hints: { host: '127.0.0.1', port: '22045' } };

const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');

function vectorGive(): SyrupRecord {
  return makeGive({
    receiverKey: publicKeyToSyrup(PK2),
    exporterLocation: peerLocatorToSyrup(LOCATION),
    session: SESSION_ID,
    gifterSide: publicId(PK1),
    giftId: GIFT_ID,
  });
}

function vectorSignedGive(): SigEnvelope {
  return new SigEnvelope(vectorGive(), signatureToSyrup(sign(vectorGive(), SK1)));
}

function vectorReceive(): SyrupRecord {
  return makeReceive({
    receivingSession: new Uint8Array(32).fill(0x11),
    receivingSide: publicId(PK2),
    handoffCount: 0n,
    signedGive: vectorSignedGive(),
  });
}

describe('§9.5 vectors through makeGive / makeReceive', () => {
  it('makeGive builds the 297-byte give with the recorded SHA-256', () => {
    const bytes = encode(vectorGive());
    expect(bytes.length).toBe(297);
    expect(bytesToHex(sha256(bytes))).toBe(GIVE_SHA);
    const prefix = "<17'desc:handoff-give[10'public-key[3'ecc[5'curve7'Ed25519][";
    expect(latin1(bytes.subarray(0, prefix.length))).toBe(prefix);
  });

  it('the give signed with key 1 gives the recorded signature', () => {
    const sig = sign(vectorGive(), keyPairFromSeed(SK1).privateKey);
    expect(bytesToHex(sig)).toBe(GIVE_SIG);
  });

  it('makeReceive builds the 516-byte receive; key 2 signs it to the recorded signature', () => {
    const bytes = encode(vectorReceive());
    expect(bytes.length).toBe(516);
    expect(bytesToHex(sha256(bytes))).toBe(RECEIVE_SHA);
    expect(bytesToHex(sign(vectorReceive(), SK2))).toBe(RECEIVE_SIG);
    expect(latin1(bytes.subarray(0, 20))).toBe("<20'desc:handoff-rec");
  });

  it('parseGive reads back every field of the vector bytes', () => {
    const g = parseGive(decode(encode(vectorGive())) as SyrupRecord);
    expect(bytesToHex(g.receiverKey)).toBe(bytesToHex(PK2));
    expect(sameLocator(g.exporterLocation, LOCATION)).toBe(true);
    expect(g.exporterLocation.hints).toEqual(LOCATION.hints);
    expect(bytesToHex(g.session)).toBe(bytesToHex(SESSION_ID));
    expect(bytesToHex(g.gifterSide)).toBe(PUBLIC_ID_1_HEX);
    expect(bytesToHex(g.giftId)).toBe(bytesToHex(GIFT_ID));
    expect(bytesToHex(sha256(encode(g.record)))).toBe(GIVE_SHA);
  });

  it('parseReceive and openEnvelope read back the signed receive and give', () => {
    const signedReceive = rec2env(vectorReceive(), hexToBytes(RECEIVE_SIG));
    const wire = encode(signedReceive);
    const outer = openEnvelope(decode(wire));
    expect(bytesToHex(outer.signature)).toBe(RECEIVE_SIG);
    expect(verify(outer.signed, outer.signature, PK2)).toBe(true);
    const r = parseReceive(outer.signed);
    expect(bytesToHex(r.receivingSession)).toBe('11'.repeat(32));
    expect(bytesToHex(r.receivingSide)).toBe(PUBLIC_ID_2_HEX);
    expect(r.handoffCount).toBe(0n);
    const inner = openEnvelope(r.signedGive);
    expect(bytesToHex(inner.signature)).toBe(GIVE_SIG);
    expect(verify(inner.signed, inner.signature, PK1)).toBe(true);
    expect(bytesToHex(sha256(encode(inner.signed)))).toBe(GIVE_SHA);
    // Rebuilding from the parsed parts gives the same 516 bytes.
    expect(bytesToHex(sha256(encode(makeReceive(r))))).toBe(RECEIVE_SHA);
  });

  it('openEnvelope accepts a SigEnvelope object as well as its record', () => {
    const env = vectorSignedGive();
    const a = openEnvelope(env);
    const b = openEnvelope(env.toSyrup());
    expect(a.envelope).toBe(env);
    expect(bytesToHex(a.signature)).toBe(GIVE_SIG);
    expect(encode(b.envelope.toSyrup())).toEqual(encode(env.toSyrup()));
  });

  it('parsers reject wrong shapes with HandoffError', () => {
    const give = vectorGive();
    const f = give.fields;
    const withField = (i: number, v: SyrupValue) => new SyrupRecord(give.label, f.map((x, j) => (j === i ? v : x)));
    expect(() => parseGive(new SyrupRecord(give.label, f.slice(0, 4)))).toThrow(HandoffError);
    expect(() => parseGive(withField(2, new Uint8Array(31)))).toThrow(HandoffError); // session not 32 bytes
    expect(() => parseGive(withField(3, 'side'))).toThrow(HandoffError);
    expect(() => parseGive(withField(0, 'not a key'))).toThrow(HandoffError);
    expect(() => parseGive(withField(1, 'not a locator'))).toThrow(HandoffError);
    // Gift ids of any length are accepted (the suite uses 7 bytes; notes §13).
    expect(parseGive(withField(4, new TextEncoder().encode('my-gift'))).giftId.length).toBe(7);
    const r = vectorReceive();
    const rf = r.fields;
    expect(() => parseReceive(new SyrupRecord(r.label, [rf[0], rf[1], -1n, rf[3]]))).toThrow(HandoffError);
    expect(() => parseReceive(new SyrupRecord(r.label, [rf[0], rf[1], 'zero', rf[3]]))).toThrow(HandoffError);
    expect(() => parseReceive(new SyrupRecord(r.label, [rf[0], rf[1], 0n, 'no give']))).toThrow(HandoffError);
    expect(() => parseReceive(give)).toThrow(HandoffError);
    expect(() => openEnvelope(give)).toThrow(HandoffError);
    expect(() => openEnvelope(new SyrupRecord(vectorSignedGive().toSyrup().label, [give, 'not a sig-val']))).toThrow(HandoffError);
  });
});

function rec2env(signed: SyrupRecord, sig: Uint8Array): SyrupRecord {
  return new SigEnvelope(signed, signatureToSyrup(sig)).toSyrup();
}

// ---- Goblins 0.18 gives and receives (../shared/vectors/goblins) ----

const GOBLINS = new URL('../../../shared/vectors/goblins/', import.meta.url);
interface SessionInfo {
  session: string;
  session_id: string;
  files: Record<string, string>;
  messages: Record<string, [number, number, string][]>;
  start_session: Record<string, { location_designator: string }>;
}
const index = JSON.parse(readFileSync(new URL('index.json', GOBLINS), 'utf8')) as {
  captures: { name: string; sessions?: SessionInfo[]; keys?: Record<string, string>; gives?: { message_offset: number; gift_id: string }[]; receives?: { message_offset: number; handoff_count: string; gift_id: string }[] }[];
};
const handoff = index.captures.find((c) => c.name === 'handoff')!;
const sessionInfo = (name: string) => handoff.sessions!.find((s) => s.session === name)!;
const keys = handoff.keys!;

/** The message of `direction` in session `name` that starts at `offset`, decoded, plus its raw bytes. */
function message(name: string, direction: string, offset: number): { record: SyrupRecord; bytes: Uint8Array } {
  const s = sessionInfo(name);
  const all = readFileSync(new URL(s.files[direction], GOBLINS));
  const entry = s.messages[direction].find(([o]) => o === offset);
  if (!entry) throw new Error(`no message at ${offset} in ${name} ${direction}`);
  const bytes = new Uint8Array(all.subarray(offset, offset + entry[1]));
  return { record: decode(bytes) as SyrupRecord, bytes };
}

/** args of an op:deliver. */
const argsOf = (m: SyrupRecord) => m.fields[1] as SyrupValue[];

describe('Goblins 0.18 handoff certificates', () => {
  const cLocation: PeerLocator = {
    transport: 'tcp-testing-only',
    designator: sessionInfo('A-C').start_session.C.location_designator,
    hints: { host: '127.0.0.1', port: '7303' },
  };
  const A_AC = hexToBytes(keys.A_in_A_C);
  const A_AB = hexToBytes(keys.A_in_A_B);
  const B_AB = hexToBytes(keys.B_in_A_B);
  const B_BC = hexToBytes(keys.B_in_B_C);

  it.each(handoff.gives!.map((g, i) => [i, g] as const))('give %i: parseGive/openEnvelope read it; our builder re-makes its bytes', (_i, g) => {
    const m = message('A-B', 'a_to_b', g.message_offset);
    const envRecord = argsOf(m.record)[0];
    const { signed, signature } = openEnvelope(envRecord);
    const give = parseGive(signed);
    expect(bytesToHex(give.receiverKey)).toBe(keys.B_in_A_B);
    expect(sameLocator(give.exporterLocation, cLocation)).toBe(true);
    expect(give.exporterLocation.hints).toEqual(cLocation.hints);
    expect(bytesToHex(give.session)).toBe(sessionInfo('A-C').session_id);
    expect(bytesToHex(give.gifterSide)).toBe(bytesToHex(publicId(A_AC)));
    expect(bytesToHex(give.giftId)).toBe(g.gift_id);
    expect(verify(give.record, signature, A_AC)).toBe(true);
    expect(verify(give.record, signature, A_AB)).toBe(false);
    // makeGive from the parsed fields re-creates Goblins' bytes exactly.
    const rebuilt = makeGive({
      receiverKey: publicKeyToSyrup(give.receiverKey),
      exporterLocation: peerLocatorToSyrup(give.exporterLocation),
      session: give.session,
      gifterSide: give.gifterSide,
      giftId: give.giftId,
    });
    expect(bytesToHex(encode(rebuilt))).toBe(bytesToHex(encode(signed)));
    // and the whole message re-encodes to the recorded bytes
    expect(bytesToHex(encode(m.record))).toBe(bytesToHex(m.bytes));
  });

  it.each(handoff.receives!.map((r, i) => [i, r] as const))('receive %i: parseReceive reads it; it passes our exporter checks', (i, r) => {
    const m = message('B-C', 'b_to_c', r.message_offset);
    const [method, envRecord] = argsOf(m.record);
    expect((method as { name: string }).name).toBe('withdraw-gift');
    const outer = openEnvelope(envRecord);
    const receive = parseReceive(outer.signed);
    expect(bytesToHex(receive.receivingSession)).toBe(sessionInfo('B-C').session_id);
    expect(bytesToHex(receive.receivingSide)).toBe(bytesToHex(publicId(B_BC)));
    expect(receive.handoffCount).toBe(BigInt(r.handoff_count));
    expect(receive.handoffCount).toBe(BigInt(i));
    expect(verify(receive.record, outer.signature, B_AB)).toBe(true);
    expect(verify(receive.record, outer.signature, B_BC)).toBe(false);
    // The embedded give is byte-identical to the one A sent B.
    const giveMsg = message('A-B', 'a_to_b', handoff.gives![i].message_offset);
    expect(bytesToHex(encode(receive.signedGive.toSyrup()))).toBe(bytesToHex(encode(argsOf(giveMsg.record)[0])));
    // makeReceive from the parsed parts re-creates Goblins' bytes exactly.
    expect(bytesToHex(encode(makeReceive(receive)))).toBe(bytesToHex(encode(outer.signed)));

    // Our exporter checks accept it, given C's view of sessions A–C and B–C.
    const ge = { id: hexToBytes(sessionInfo('A-C').session_id), peerPublicKey: A_AC, peerPublicId: publicId(A_AC) } as unknown as CaptpSession;
    const er = { id: hexToBytes(sessionInfo('B-C').session_id), peerPublicKey: B_BC, peerPublicId: publicId(B_BC) } as unknown as CaptpSession;
    const ctx = (geSession: CaptpSession | undefined, last?: bigint) => ({
      sessionById: (id: Uint8Array) => (geSession && bytesToHex(id) === bytesToHex(geSession.id!) ? geSession : undefined),
      isOwnLocation: (loc: PeerLocator) => sameLocator(loc, cLocation),
      lastCount: () => last,
      maxGiftIdBytes: 256,
      verify,
    });
    const checked = checkWithdraw(ctx(ge), er, outer.envelope);
    expect(checked.ge).toBe(ge);
    expect(bytesToHex(checked.give.giftId)).toBe(r.gift_id);
    // ... and refuse it when any fact differs.
    expect(() => checkWithdraw(ctx(undefined), er, outer.envelope)).toThrow(/no live session/);
    const geWrongKey = { ...ge, peerPublicKey: A_AB } as unknown as CaptpSession;
    expect(() => checkWithdraw(ctx(geWrongKey), er, outer.envelope)).toThrow(/give signature/);
    const erOther = { ...er, id: new Uint8Array(32) } as unknown as CaptpSession;
    expect(() => checkWithdraw(ctx(ge), erOther, outer.envelope)).toThrow(/receiving-session/);
    const erOtherSide = { ...er, peerPublicId: publicId(B_AB) } as unknown as CaptpSession;
    expect(() => checkWithdraw(ctx(ge), erOtherSide, outer.envelope)).toThrow(/receiving-side/);
    expect(() => checkWithdraw(ctx(ge, BigInt(i)), er, outer.envelope)).toThrow(/not above/);
    expect(() => checkWithdraw(ctx(ge, BigInt(i) + 1n), er, outer.envelope)).toThrow(/not above/);
    expect(checkWithdraw(ctx(ge, BigInt(i) - 1n), er, outer.envelope).ge).toBe(ge);
    expect(() => checkWithdraw({ ...ctx(ge), maxGiftIdBytes: 31 }, er, outer.envelope)).toThrow(/gift-id of 32 bytes/);
    expect(() =>
      checkWithdraw({ ...ctx(ge), isOwnLocation: () => false }, er, outer.envelope),
    ).toThrow(/another exporter/);
  });
});
