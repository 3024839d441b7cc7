/**
 * checkWithdraw runs every byte comparison, lookup and count check before either Ed25519
 * verification (issue 7, item 8): a withdraw that fails a cheap check costs no signature
 * work. The verify function is passed in the CheckContext, so the test counts its calls.
 */
import { describe, it, expect } from 'vitest';
import { keyPairFromSeed, publicId, publicKeyToSyrup, sign, signatureToSyrup, verify } from '../../src/crypto/index.js';
import { peerLocatorToSyrup, sameLocator } from '../../src/locator/index.js';
import type { PeerLocator } from '../../src/locator/types.js';
import { SigEnvelope } from '../../src/model/index.js';
import type { SyrupValue } from '../../src/syrup/types.js';
import type { CaptpSession } from '../../src/captp/session.js';
import { checkWithdraw, makeGive, makeReceive, type CheckContext } from '../../src/handoff/index.js';

const seed = (b: number) => new Uint8Array(32).fill(b);
const G = keyPairFromSeed(seed(1)); // the gifter's key in G–E
const R = keyPairFromSeed(seed(2)); // the receiver's key in G–R (signs the receive)
const R_ER = keyPairFromSeed(seed(3)); // the receiver's key in E–R
const us: PeerLocator = { transport: 'memory', designator: 'E', hints: false };
const elsewhere: PeerLocator = { transport: 'memory', designator: 'X', hints: false };

const ge = { id: seed(0x10), peerPublicKey: G.publicKey, peerPublicId: publicId(G.publicKey) } as unknown as CaptpSession;
const er = { id: seed(0x20), peerPublicKey: R_ER.publicKey, peerPublicId: publicId(R_ER.publicKey) } as unknown as CaptpSession;

interface Parts {
  session?: Uint8Array;
  gifterSide?: Uint8Array;
  exporter?: PeerLocator;
  giftId?: Uint8Array;
  receivingSession?: Uint8Array;
  receivingSide?: Uint8Array;
  count?: bigint;
}

/** A signature by `key` over `record`, with one bit flipped when `corrupt`. */
function signature(record: SyrupValue, key: Uint8Array, corrupt: boolean): SyrupValue {
  const sig = sign(record, key);
  if (corrupt) sig[7] ^= 0x10;
  return signatureToSyrup(sig);
}

/** A signed receive with any field replaced; both signatures are broken when `corrupt`. */
function receive(p: Parts = {}, corrupt = false): SigEnvelope {
  const give = makeGive({
    receiverKey: publicKeyToSyrup(R.publicKey),
    exporterLocation: peerLocatorToSyrup(p.exporter ?? us),
    session: p.session ?? ge.id!,
    gifterSide: p.gifterSide ?? ge.peerPublicId!,
    giftId: p.giftId ?? seed(0x33),
  });
  const signedGive = new SigEnvelope(give, signature(give, G.privateKey, corrupt));
  const rec = makeReceive({
    receivingSession: p.receivingSession ?? er.id!,
    receivingSide: p.receivingSide ?? er.peerPublicId!,
    handoffCount: p.count ?? 5n,
    signedGive,
  });
  return new SigEnvelope(rec, signature(rec, R.privateKey, corrupt));
}

/** A context whose verify counts its calls and answers `verdict` (or really verifies). */
function context(verdict?: boolean, last?: bigint): CheckContext & { calls: number } {
  const ctx = {
    calls: 0,
    sessionById: (id: Uint8Array) => (id.every((b, i) => b === ge.id![i]) ? ge : undefined),
    isOwnLocation: (loc: PeerLocator) => sameLocator(loc, us),
    lastCount: () => last,
    maxGiftIdBytes: 64,
    verify: (record: SyrupValue, sig: Uint8Array, key: Uint8Array) => {
      ctx.calls++;
      return verdict ?? verify(record, sig, key);
    },
  };
  return ctx;
}

describe('checkWithdraw: cheap checks before signature checks', () => {
  it('control: a correct withdraw passes after exactly two verifications', () => {
    const ctx = context();
    expect(checkWithdraw(ctx, er, receive()).ge).toBe(ge);
    expect(ctx.calls).toBe(2);
  });

  it.each<[string, Parts, RegExp, bigint?]>([
    ['unknown G–E session', { session: seed(0x44) }, /no live session with the gifter/],
    ['wrong gifter-side', { gifterSide: seed(0x45) }, /gifter-side does not match/],
    ['another exporter', { exporter: elsewhere }, /the give names another exporter/],
    ['gift id over the limit', { giftId: new Uint8Array(65) }, /gift-id of 65 bytes is longer than the limit \(64\)/],
    ['wrong receiving-session', { receivingSession: seed(0x46) }, /receiving-session is not this session/],
    ['wrong receiving-side', { receivingSide: seed(0x47) }, /receiving-side is not the peer of this session/],
    ['a count equal to the last', { count: 5n }, /handoff-count 5 is not above 5/, 5n],
    ['a count below the last', { count: 2n }, /handoff-count 2 is not above 5/, 5n],
  ])('%s: refused with its own reason and no verification, even with bad signatures', (_, parts, reason, last) => {
    // Both signatures are broken: the reason must still be the cheap check's.
    const ctx = context(undefined, last);
    expect(() => checkWithdraw(ctx, er, receive(parts, true))).toThrow(reason);
    expect(ctx.calls).toBe(0);
  });

  it('signature failures are still caught, after the cheap checks pass', () => {
    const bad = context();
    expect(() => checkWithdraw(bad, er, receive({}, true))).toThrow(/the give signature does not verify/);
    expect(bad.calls).toBe(1);
    // A receive signed by another key than the give's receiver-key.
    const env = receive();
    const forged = new SigEnvelope(env.signed, signatureToSyrup(sign(env.signed, R_ER.privateKey)));
    const real = context();
    expect(() => checkWithdraw(real, er, forged)).toThrow(/the receive signature does not verify/);
    expect(real.calls).toBe(2);
  });
});
