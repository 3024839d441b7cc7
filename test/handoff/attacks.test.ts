/**
 * The exporter's withdraw-gift checks (notes §9.4) against a scripted gifter G and receiver R:
 * every forged or misdirected withdraw breaks that withdraw's answer (and resolver) and leaves
 * the sessions running.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { keyPairFromSeed, publicId } from '../../src/crypto/index.js';
import {
  scene,
  deposit,
  signedGive,
  signedReceive,
  withdraw,
  helloOnAnswer,
  giftId,
  seed,
  settle,
  type Scene,
  type Scripted,
} from './scripted.js';
import type { SigEnvelope } from '../../src/model/index.js';

let s: Scene;
beforeEach(async () => {
  s = await scene();
});
afterEach(async () => {
  await s.close();
});

/** R withdraws `receive`; expects its resolver and a call pipelined on its answer to break. */
async function expectBroken(r: Scripted, receive: SigEnvelope): Promise<string> {
  const w = withdraw(r, receive);
  const pipelined = helloOnAnswer(r, w.answerPos, 'R');
  const res = await r.resolution(w.resolverPos);
  expect(res.kind).toBe('break');
  expect((await r.resolution(pipelined)).kind).toBe('break');
  return res.text;
}

/** The sessions survived: no abort, and a normal call on E–R (and G–E) still works. */
async function expectSessionsIntact(): Promise<void> {
  expect(await s.R.normalCall('R')).toBe('"hello R, I am Carol"');
  expect(await s.G.normalCall('G')).toBe('"hello G, I am Carol"');
  expect(s.R.ended).toBe(false);
  expect(s.G.ended).toBe(false);
  for (const p of [s.G, s.R]) expect(s.E.sessionWith(p.peer.location)?.isActive).toBe(true);
}

/** A correct withdraw of `id` with `count` returns the gift: its hello answers as the gift. */
async function expectWithdrawn(r: Scripted, give: SigEnvelope, count: bigint): Promise<void> {
  const w = withdraw(r, signedReceive(s, r, give, { count }));
  const hello = helloOnAnswer(r, w.answerPos, 'R');
  const res = await r.resolution(w.resolverPos);
  expect(res.kind).toBe('fulfill');
  expect(res.text).toMatch(/^<desc:import-object \d+>$/);
  expect((await r.resolution(hello)).text).toBe('"hello R, I am the gift"');
}

describe('withdraw-gift attacks are refused with a break; sessions survive', () => {
  it('control: a correct withdraw gets the gift', async () => {
    deposit(s.G, giftId(1), s.giftPos);
    await expectWithdrawn(s.R, signedGive(s, s.G, { giftId: giftId(1) }), 0n);
    await expectSessionsIntact();
  });

  it('control: any count above the last one is accepted, gaps included (a high-water mark, notes §15)', async () => {
    deposit(s.G, giftId(1), s.giftPos);
    deposit(s.G, giftId(2), s.giftPos);
    await expectWithdrawn(s.R, signedGive(s, s.G, { giftId: giftId(1) }), 2n);
    await expectWithdrawn(s.R, signedGive(s, s.G, { giftId: giftId(2) }), 5n);
  });

  it('forged give signature (one bit flipped)', async () => {
    deposit(s.G, giftId(1), s.giftPos);
    await expectBroken(s.R, signedReceive(s, s.R, signedGive(s, s.G, { giftId: giftId(1), corrupt: true }), { count: 0n }));
    await expectSessionsIntact();
    // the gift is still there, and count 0 is still unused (a refused withdraw spends nothing)
    await expectWithdrawn(s.R, signedGive(s, s.G, { giftId: giftId(1) }), 0n);
  });

  it('give signed by a key other than G’s G–E key', async () => {
    deposit(s.G, giftId(1), s.giftPos);
    const give = signedGive(s, s.G, { giftId: giftId(1), signer: keyPairFromSeed(seed(0x66)).privateKey });
    await expectBroken(s.R, signedReceive(s, s.R, give, { count: 0n }));
    await expectSessionsIntact();
  });

  it('forged receive signature (one bit flipped)', async () => {
    deposit(s.G, giftId(1), s.giftPos);
    const give = signedGive(s, s.G, { giftId: giftId(1) });
    await expectBroken(s.R, signedReceive(s, s.R, give, { count: 0n, corrupt: true }));
    await expectSessionsIntact();
    await expectWithdrawn(s.R, give, 0n);
  });

  it('receive signed by a key other than the give’s receiver-key (R’s E–R key)', async () => {
    deposit(s.G, giftId(1), s.giftPos);
    const give = signedGive(s, s.G, { giftId: giftId(1) });
    await expectBroken(s.R, signedReceive(s, s.R, give, { count: 0n, signer: s.R.keyPair.privateKey }));
    // ... or by a third party who saw the give
    await expectBroken(s.R, signedReceive(s, s.R, give, { count: 0n, signer: keyPairFromSeed(seed(0x77)).privateKey }));
    await expectSessionsIntact();
  });

  it('wrong receiving-session (the G–E session id)', async () => {
    deposit(s.G, giftId(1), s.giftPos);
    const give = signedGive(s, s.G, { giftId: giftId(1) });
    await expectBroken(s.R, signedReceive(s, s.R, give, { count: 0n, receivingSession: s.G.sessionId }));
    await expectSessionsIntact();
  });

  it('a receive made for R’s session, withdrawn on another E–R session (R2)', async () => {
    deposit(s.G, giftId(1), s.giftPos);
    const give = signedGive(s, s.G, { giftId: giftId(1) });
    const R2 = await s.dial('R2', 0x53);
    // A thief R2 replays R's receive verbatim on its own session.
    await expectBroken(R2, signedReceive(s, s.R, give, { count: 0n }));
    expect(await R2.normalCall('R2')).toBe('"hello R2, I am Carol"');
    await expectWithdrawn(s.R, give, 0n);
  });

  it('wrong receiving-side (a Public ID other than R’s E–R one)', async () => {
    deposit(s.G, giftId(1), s.giftPos);
    const give = signedGive(s, s.G, { giftId: giftId(1) });
    await expectBroken(s.R, signedReceive(s, s.R, give, { count: 0n, receivingSide: publicId(s.grKey.publicKey) }));
    await expectBroken(s.R, signedReceive(s, s.R, give, { count: 0n, receivingSide: s.G.publicId }));
    await expectSessionsIntact();
  });

  it('replayed handoff count on the same E–R session for the same gifter session', async () => {
    deposit(s.G, giftId(1), s.giftPos);
    deposit(s.G, giftId(2), s.giftPos);
    await expectWithdrawn(s.R, signedGive(s, s.G, { giftId: giftId(1) }), 0n);
    const give2 = signedGive(s, s.G, { giftId: giftId(2) });
    const text = await expectBroken(s.R, signedReceive(s, s.R, give2, { count: 0n }));
    expect(text.length).toBeGreaterThan(0);
    await expectSessionsIntact();
    // the refused withdraw did not consume gift 2: a fresh count gets it
    await expectWithdrawn(s.R, give2, 1n);
  });

  it('the same signed receive sent twice: the second breaks', async () => {
    deposit(s.G, giftId(1), s.giftPos);
    const receive = signedReceive(s, s.R, signedGive(s, s.G, { giftId: giftId(1) }), { count: 0n });
    const first = withdraw(s.R, receive);
    expect((await s.R.resolution(first.resolverPos)).kind).toBe('fulfill');
    await expectBroken(s.R, receive);
    await expectSessionsIntact();
  });

  it('a second withdraw of the same gift (with a fresh count) breaks', async () => {
    deposit(s.G, giftId(1), s.giftPos);
    const give = signedGive(s, s.G, { giftId: giftId(1) });
    await expectWithdrawn(s.R, give, 0n);
    await expectBroken(s.R, signedReceive(s, s.R, give, { count: 1n }));
    await expectSessionsIntact();
  });

  it('give signed by G but naming another gifter’s session (X) for a gift G deposited on its own (Y)', async () => {
    const G2 = await s.dial('G2', 0x48);
    deposit(s.G, giftId(1), s.giftPos);
    // G's key does not verify as G2's G–E key.
    await expectBroken(s.R, signedReceive(s, s.R, signedGive(s, s.G, { giftId: giftId(1), session: G2.sessionId, gifterSide: G2.publicId }), { count: 0n }));
    await expectSessionsIntact();
    await expectWithdrawn(s.R, signedGive(s, s.G, { giftId: giftId(1) }), 1n);
  });

  it('give naming a session E does not have', async () => {
    deposit(s.G, giftId(1), s.giftPos);
    await expectBroken(s.R, signedReceive(s, s.R, signedGive(s, s.G, { giftId: giftId(1), session: new Uint8Array(32).fill(0xee) }), { count: 0n }));
    await expectSessionsIntact();
  });

  it('a genuine give from G2 for a gift-id that G deposited: never G’s gift; breaks when G2’s session ends', async () => {
    const G2 = await s.dial('G2', 0x48);
    deposit(s.G, giftId(1), s.giftPos);
    const w = withdraw(s.R, signedReceive(s, s.R, signedGive(s, G2, { giftId: giftId(1) }), { count: 0n }));
    await settle();
    expect(s.R.resolved(w.resolverPos)).toBe(false); // waits for a deposit on G2–E, not G's
    G2.peer.conn.close();
    const res = await s.R.resolution(w.resolverPos);
    expect(res.kind).toBe('break');
    await expectSessionsIntact();
    // G's own gift is untouched.
    await expectWithdrawn(s.R, signedGive(s, s.G, { giftId: giftId(1) }), 1n);
  });

  it('gifter-side that does not name G’s G–E Public ID', async () => {
    deposit(s.G, giftId(1), s.giftPos);
    await expectBroken(s.R, signedReceive(s, s.R, signedGive(s, s.G, { giftId: giftId(1), gifterSide: s.R.publicId }), { count: 0n }));
    await expectSessionsIntact();
  });

  it('give naming another exporter location', async () => {
    deposit(s.G, giftId(1), s.giftPos);
    const other = { transport: 'memory', designator: 'not-E', hints: false as const };
    await expectBroken(s.R, signedReceive(s, s.R, signedGive(s, s.G, { giftId: giftId(1), exporterLocation: other }), { count: 0n }));
    await expectSessionsIntact();
  });

  it('a give addressed to another receiver key, signed by that key’s holder, withdrawn by R', async () => {
    // G designated a receiver whose G–R key is K; R (holding only grKey) cannot use it.
    deposit(s.G, giftId(1), s.giftPos);
    const K = keyPairFromSeed(seed(0x55));
    const give = signedGive(s, s.G, { giftId: giftId(1), receiverKey: K.publicKey });
    await expectBroken(s.R, signedReceive(s, s.R, give, { count: 0n }));
    await expectSessionsIntact();
  });
});
